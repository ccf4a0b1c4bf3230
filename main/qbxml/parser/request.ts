/**
 * Reads request elements (…Rq) back into the builder's JSON: `buildRequest(type, params)`
 * and `parseRequestElement(xml)` round-trip (up to the builder's normalisation, e.g.
 * "100.5" → "100.50" for an AMTTYPE).
 */
import { type Attributes, XmlTokenizer } from '../../xml/tokenizer';
import { planOf } from '../builder/plan';
import { loadQbxmlSchema } from '../schema/load';
import type { QbxmlSchema } from '../schema/model';
import { type Frame, QbxmlParseError, TypedReader, addAttributes } from './reader';

export interface ParsedRequest {
  /** The element's name, e.g. "InvoiceAddRq". */
  type: string;
  /** The element's content per the JSON conventions, attributes included (e.g. '@metaData'; '@requestID' if present). */
  params: unknown;
}

class RequestReader extends TypedReader {
  readonly requests: ParsedRequest[] = [];

  constructor(private readonly schema: QbxmlSchema) {
    super();
  }

  protected startStructural(_parent: Frame, f: Frame, name: string, attrs: Attributes): void {
    const spec = this.schema.requests.get(name);
    if (spec === undefined || spec.type.kind !== 'complex') {
      throw new QbxmlParseError(`<${name.slice(0, 60)}> is not a qbXML request element.`);
    }
    const plan = planOf(spec.type);
    this.enterComplex(f, plan);
    f.info = undefined;
    f.obj = addAttributes({}, attrs, plan);
  }

  protected record(): void {}

  protected endStructural(): void {}

  protected root(name: string, value: unknown): void {
    this.requests.push({ type: name, params: value });
  }
}

/** Parses every request element of a stored request body (one or more …Rq elements, no wrappers). */
export function parseRequestElements(xml: string, options?: { schema?: QbxmlSchema }): ParsedRequest[] {
  const reader = new RequestReader(options?.schema ?? loadQbxmlSchema());
  const tokenizer = new XmlTokenizer(reader, { fragment: true });
  tokenizer.write(xml);
  tokenizer.end();
  return reader.requests;
}

/** Parses one request element's XML back to JSON (e.g. a BuiltRequest's `xml`). */
export function parseRequestElement(xml: string, options?: { schema?: QbxmlSchema }): ParsedRequest {
  const all = parseRequestElements(xml, options);
  if (all.length !== 1) throw new QbxmlParseError(`Expected one request element, found ${all.length}.`);
  return all[0] as ParsedRequest;
}
