/**
 * Streaming, schema-typed reader for qbXML responses (QBXML > QBXMLMsgsRs > …Rs > records).
 * Each child of a …Rs (InvoiceRet, CustomerRet, a report's ReportRet, …) is built as
 * typed JSON and handed to a RecordSink as soon as it ends, so memory stays bounded by
 * the largest single record.
 */
import { type Attributes, XmlTokenizer } from '../../xml/tokenizer';
import { type TypePlan, planOf } from '../builder/plan';
import { loadQbxmlSchema } from '../schema/load';
import type { QbxmlSchema } from '../schema/model';
import { EMPTY_PLAN, type Frame, K_MSGS, K_QBXML, K_RS, K_SKIP, QbxmlParseError, TypedReader, addAttributes, intValue, storeLenient } from './reader';

export interface RsInfo {
  /** The response element's name, e.g. "InvoiceQueryRs". */
  type: string;
  /** Position among the document's responses, from 0. */
  index: number;
  requestID?: string;
  /** -1 when QuickBooks sent no (integer) statusCode. */
  statusCode: number;
  /** "Info", "Warn" or "Error"; "" when absent. */
  statusSeverity: string;
  statusMessage?: string;
  retCount?: number;
  iteratorRemainingCount?: number;
  iteratorID?: string;
}

export interface RecordSink {
  responseStart?(rs: RsInfo): void;
  /** One child element of a …Rs (InvoiceRet, CustomerRet, ItemServiceRet, …, or a report's ReportRet), typed per the conventions. */
  record(rs: RsInfo, name: string, value: unknown): void;
  responseEnd?(rs: RsInfo): void;
}

export interface ResponseParserOptions {
  /** The schema to type by (default: the companion's qbXML 16.0 schema). */
  schema?: QbxmlSchema;
}

const plansBySchema = new WeakMap<QbxmlSchema, Map<string, TypePlan>>();

/** The plan of a response element (EMPTY_PLAN when the schema does not know it). */
export function responsePlan(schema: QbxmlSchema, type: string): TypePlan {
  let plans = plansBySchema.get(schema);
  if (plans === undefined) {
    plans = new Map();
    plansBySchema.set(schema, plans);
  }
  let plan = plans.get(type);
  if (plan === undefined) {
    const spec = schema.responses.get(type);
    plan = spec !== undefined && spec.type.kind === 'complex' ? planOf(spec.type) : EMPTY_PLAN;
    plans.set(type, plan);
  }
  return plan;
}

const optionalInt = (v: string | undefined): number | undefined => {
  if (v === undefined) return undefined;
  const n = intValue(v);
  return typeof n === 'number' ? n : undefined;
};

/** An XmlHandler for a qbXML response document (QBXML > QBXMLMsgsRs > …Rs > records). */
export class QbxmlResponseParser extends TypedReader {
  private readonly schema: QbxmlSchema;
  private rs: RsInfo | undefined;
  private rsIndex = 0;
  private rsAttributes: Record<string, unknown> = {};
  private msgsAttributes: Record<string, unknown> = {};

  constructor(
    private readonly sink: RecordSink,
    options?: ResponseParserOptions,
  ) {
    super();
    this.schema = options?.schema ?? loadQbxmlSchema();
  }

  /** Typed "@…" attributes of the …Rs being read (or last read). */
  get responseAttributes(): Record<string, unknown> {
    return this.rsAttributes;
  }

  /** "@…" attributes of QBXMLMsgsRs (newMessageSetID, messageSetStatusCode). */
  get messagesAttributes(): Record<string, unknown> {
    return this.msgsAttributes;
  }

  /** How many …Rs elements have started. */
  get responseCount(): number {
    return this.rsIndex;
  }

  protected startStructural(parent: Frame, f: Frame, name: string, attrs: Attributes): void {
    switch (parent.kind) {
      case K_MSGS:
        this.startRs(f, name, attrs);
        return;
      case K_QBXML:
        if (name === 'QBXMLMsgsRs') this.startMsgs(f, attrs);
        else f.kind = K_SKIP; // e.g. SignonMsgsRs
        return;
      default: // the document
        if (name === 'QBXML') f.kind = K_QBXML;
        else if (name === 'QBXMLMsgsRs') this.startMsgs(f, attrs);
        else throw new QbxmlParseError(`Expected a qbXML response (<QBXML>), found <${name.slice(0, 60)}>.`);
        return;
    }
  }

  private startMsgs(f: Frame, attrs: Attributes): void {
    f.kind = K_MSGS;
    this.msgsAttributes = addAttributes({}, attrs, undefined);
    const m = this.msgsAttributes['@messageSetStatusCode'];
    if (typeof m === 'string') this.msgsAttributes['@messageSetStatusCode'] = intValue(m);
  }

  private startRs(f: Frame, name: string, attrs: Attributes): void {
    const plan = responsePlan(this.schema, name);
    f.kind = K_RS;
    f.plan = plan;
    f.info = undefined;
    f.obj = undefined;
    const rs: RsInfo = {
      type: name,
      index: this.rsIndex++,
      statusCode: optionalInt(attrs.statusCode) ?? -1,
      statusSeverity: attrs.statusSeverity ?? '',
    };
    if (attrs.requestID !== undefined) rs.requestID = attrs.requestID;
    if (attrs.statusMessage !== undefined) rs.statusMessage = attrs.statusMessage;
    const retCount = optionalInt(attrs.retCount);
    if (retCount !== undefined) rs.retCount = retCount;
    const remaining = optionalInt(attrs.iteratorRemainingCount);
    if (remaining !== undefined) rs.iteratorRemainingCount = remaining;
    if (attrs.iteratorID !== undefined) rs.iteratorID = attrs.iteratorID;
    this.rs = rs;
    this.rsAttributes = addAttributes({}, attrs, plan);
    if (plan === EMPTY_PLAN) {
      // A response this schema does not know: still type the standard status attributes.
      for (const key of ['@statusCode', '@retCount', '@iteratorRemainingCount']) {
        const v = this.rsAttributes[key];
        if (typeof v === 'string') this.rsAttributes[key] = intValue(v);
      }
    }
    this.sink.responseStart?.(rs);
  }

  protected record(name: string, value: unknown): void {
    this.sink.record(this.rs as RsInfo, name, value);
  }

  protected endStructural(f: Frame): void {
    if (f.kind === K_RS) {
      f.plan = undefined;
      this.sink.responseEnd?.(this.rs as RsInfo);
    }
  }

  protected root(): void {}
}

/** One …Rs of a parsed response. */
export interface ParsedRs {
  info: RsInfo;
  /** The …Rs element: its "@…" attributes (statusCode etc. typed) and its records by name. */
  value: Record<string, unknown>;
}

/**
 * A whole response as JSON:
 * ```
 * {
 *   QBXMLMsgsRs: {
 *     '@newMessageSetID'?: string, '@messageSetStatusCode'?: number,
 *     InvoiceQueryRs: [ { '@requestID': '1', '@statusCode': 0, '@statusSeverity': 'Info',
 *                         '@statusMessage': 'Status OK', '@retCount'?: number,
 *                         '@iteratorRemainingCount'?: number, '@iteratorID'?: string,
 *                         InvoiceRet: [ {...}, ... ] } ],   // one entry per InvoiceQueryRs
 *     CustomerAddRs: [ { '@statusCode': 3100, ..., CustomerRet?: {...} } ],
 *   },
 *   responses: [ { info: RsInfo, value: <the same …Rs object> }, ... ]   // document order
 * }
 * ```
 * Each response type maps to an array (a message set may hold several of one type); a
 * record is an array when the response may hold several (InvoiceQueryRs.InvoiceRet) and
 * a single object otherwise (InvoiceAddRs.InvoiceRet).
 */
export interface ParsedResponse {
  QBXMLMsgsRs: Record<string, unknown>;
  responses: ParsedRs[];
}

class Collector implements RecordSink {
  readonly responses: ParsedRs[] = [];
  readonly byType: Record<string, unknown> = {};
  private current: ParsedRs | undefined;
  private plan: TypePlan = EMPTY_PLAN;
  parser!: QbxmlResponseParser;

  constructor(private readonly schema: QbxmlSchema) {}

  responseStart(rs: RsInfo): void {
    const value = { ...this.parser.responseAttributes };
    this.current = { info: rs, value };
    this.plan = responsePlan(this.schema, rs.type);
    this.responses.push(this.current);
    const list = this.byType[rs.type] as ParsedRs['value'][] | undefined;
    if (list === undefined) this.byType[rs.type] = [value];
    else list.push(value);
  }

  record(_rs: RsInfo, name: string, value: unknown): void {
    const obj = (this.current as ParsedRs).value;
    const existing = obj[name];
    if (this.plan.children.get(name)?.isArray) {
      if (existing === undefined) obj[name] = [value];
      else (existing as unknown[]).push(value);
    } else {
      storeLenient(obj, name, value);
    }
  }
}

/** Parses a whole (small) response document into JSON; see ParsedResponse for the shape. */
export function parseResponse(xml: string, options?: ResponseParserOptions): ParsedResponse {
  const schema = options?.schema ?? loadQbxmlSchema();
  const collector = new Collector(schema);
  const parser = new QbxmlResponseParser(collector, { schema });
  collector.parser = parser;
  const tokenizer = new XmlTokenizer(parser);
  tokenizer.write(xml);
  tokenizer.end();
  return { QBXMLMsgsRs: { ...parser.messagesAttributes, ...collector.byType }, responses: collector.responses };
}
