/**
 * Schema checks for raw qbXML requests (as stored by request-document.ts). Raw qbXML stays
 * allowed when it does not validate: the issues are warnings for the caller, not errors.
 */
import { NO_ATTRIBUTES, XmlSyntaxError } from '../../xml/tokenizer';
import { type XmlElement as RawElement, type XmlTree, parseXmlTree } from '../../xml/tree';
import { type BuildOptions, checkRequestJson, requestSpec } from './build';
import { type BuildIssue, MAX_ISSUES } from './errors';
import { storeLenient } from '../parser/reader';
import { type TypePlan, childPlan } from './plan';

const isBlank = (s: string): boolean => /^[ \t\r\n]*$/.test(s);

function setKey(obj: Record<string, unknown>, key: string, value: unknown, forceArray: boolean): void {
  if (forceArray && obj[key] === undefined) obj[key] = [value];
  else storeLenient(obj, key, value);
}

/** Any element as JSON without a schema: text → string; children → object; repeats → array. */
function lenient(el: RawElement): unknown {
  if (el.children.length === 0 && el.attrs === NO_ATTRIBUTES) return el.text;
  const obj: Record<string, unknown> = {};
  for (const k in el.attrs) obj['@' + k] = el.attrs[k];
  if (el.children.length === 0) obj['#text'] = el.text;
  else if (!isBlank(el.text)) obj['#text'] = el.text;
  for (const c of el.children) setKey(obj, c.name, lenient(c), false);
  return obj;
}

class Converter {
  constructor(readonly issues: BuildIssue[]) {}

  private issue(path: string, rule: string, message: string): void {
    if (this.issues.length < MAX_ISSUES) this.issues.push({ path, rule, message });
  }

  /** A complex element's JSON, checking child order and stray text on the way. */
  complex(el: RawElement, plan: TypePlan, path: string): Record<string, unknown> {
    const obj: Record<string, unknown> = {};
    for (const k in el.attrs) obj['@' + k] = el.attrs[k];
    if (!isBlank(el.text)) this.issue(path, 'text', `${path} contains text; only child elements are allowed there.`);
    let lastPosition = -1;
    let lastName = '';
    const counts = new Map<string, number>();
    for (const c of el.children) {
      const info = plan.children.get(c.name);
      const n = counts.get(c.name) ?? 0;
      counts.set(c.name, n + 1);
      const childPath = `${path}.${c.name}${info?.isArray ? `[${n}]` : n > 0 ? `[${n}]` : ''}`;
      if (info === undefined) {
        setKey(obj, c.name, lenient(c), false);
        continue;
      }
      if (info.position < lastPosition) {
        this.issue(childPath, 'order', `${childPath} is out of order: ${c.name} must come before ${lastName}.`);
      } else if (info.position > lastPosition) {
        lastPosition = info.position;
        lastName = c.name;
      }
      let value: unknown;
      if (info.leaf !== null) {
        if (c.children.length > 0) {
          this.issue(childPath, 'type:value', `${childPath} must be a value, not contain elements.`);
          continue;
        }
        if (c.attrs === NO_ATTRIBUTES) value = c.text;
        else {
          const v: Record<string, unknown> = { '#text': c.text };
          for (const k in c.attrs) v['@' + k] = c.attrs[k];
          value = v;
        }
      } else {
        value = this.complex(c, childPlan(info), childPath);
      }
      setKey(obj, c.name, value, info.isArray);
    }
    return obj;
  }
}

/**
 * Validates raw request XML (one or more …Rq elements, with or without the QBXML /
 * QBXMLMsgsRq wrappers) against the schema. Returns the issues (never throws for schema
 * problems; malformed XML is reported as one issue with rule "xml") and the minVersion of
 * the elements used. Paths start with the request element's name, followed by its index
 * among the document's requests when there are several ("InvoiceAddRq[1].InvoiceAdd…").
 */
export function checkRequestXml(xml: string, options?: BuildOptions): { issues: BuildIssue[]; minVersion: string | null } {
  let collector: XmlTree;
  try {
    collector = parseXmlTree(xml, { fragment: true });
  } catch (err) {
    if (err instanceof XmlSyntaxError) {
      return { issues: [{ path: '', rule: 'xml', message: `The qbXML is not well-formed: ${err.message}.` }], minVersion: null };
    }
    throw err;
  }
  const issues: BuildIssue[] = [];
  if (collector.strayText) issues.push({ path: '', rule: 'text', message: 'Text outside the request elements is not allowed.' });
  let requests = collector.roots;
  // Unwrap <QBXML><QBXMLMsgsRq> if present.
  if (requests.length === 1 && requests[0]?.name === 'QBXML') requests = requests[0].children;
  if (requests.length === 1 && requests[0]?.name === 'QBXMLMsgsRq') requests = requests[0].children;
  if (requests.length === 0) {
    issues.push({ path: '', rule: 'required', message: 'The qbXML contains no request element (for example <CustomerQueryRq>).' });
  }
  const converter = new Converter(issues);
  let minVersion = 0;
  let minVersionText: string | null = null;
  requests.forEach((el, i) => {
    const label = requests.length > 1 ? `${el.name}[${i}]` : el.name;
    const found = el.name.endsWith('Rq') ? requestSpec(el.name) : undefined;
    if (found === undefined) {
      if (issues.length < MAX_ISSUES) {
        issues.push({ path: label, rule: 'unknown_request', message: `<${el.name}> is not a qbXML request element.` });
      }
      return;
    }
    const json = converter.complex(el, found.plan, label);
    const r = checkRequestJson(el.name, label, json, options, issues);
    if (r.minVersion > minVersion) {
      minVersion = r.minVersion;
      minVersionText = r.minVersionText;
    }
  });
  return { issues, minVersion: minVersionText };
}
