/**
 * The SOAP client side of QuickBooks Web Connector: envelopes shaped as QBWC sends them
 * (document/literal by default, RPC/encoded for a QWC with Style=RPC) and a strict
 * reading of the answers — QBWC's .NET proxy fails on a wrong namespace, a missing
 * result element or extra array items, so the simulator does too.
 */
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { QBWC_METHODS, QBWC_NAMESPACE, type QbwcMethod, type QbwcResult } from '../qbwc/methods';
import { SOAP11_NAMESPACE } from '../qbwc/soap/decode';
import { escapeText } from '../xml/escape';
import { type XmlElement, parseXml } from '../xml/tree';

export type QbwcStyle = 'Document' | 'DocWrapped' | 'RPC';

export class SoapCallError extends Error {
  constructor(
    readonly method: QbwcMethod,
    message: string,
    readonly faultString?: string,
  ) {
    super(`${method}: ${message}`);
    this.name = 'SoapCallError';
  }
}

export function buildRequestEnvelope(method: QbwcMethod, args: Record<string, string | number>, style: QbwcStyle): string {
  const params = QBWC_METHODS[method].params;
  if (style === 'RPC') {
    const body = params
      .map((p) => {
        const v = args[p.name];
        if (v === undefined) return '';
        return `<${p.name} xsi:type="xsd:${p.type}">${escapeText(String(v))}</${p.name}>`;
      })
      .join('');
    return (
      '<?xml version="1.0" encoding="utf-8"?>' +
      `<soap:Envelope xmlns:soap="${SOAP11_NAMESPACE}" xmlns:soapenc="http://schemas.xmlsoap.org/soap/encoding/" ` +
      'xmlns:tns="http://developer.intuit.com" xmlns:types="http://developer.intuit.com/encodedTypes" ' +
      'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">' +
      '<soap:Body soap:encodingStyle="http://schemas.xmlsoap.org/soap/encoding/">' +
      (body ? `<q1:${method} xmlns:q1="${QBWC_NAMESPACE}">${body}</q1:${method}>` : `<q1:${method} xmlns:q1="${QBWC_NAMESPACE}" />`) +
      '</soap:Body></soap:Envelope>'
    );
  }
  const body = params
    .map((p) => {
      const v = args[p.name];
      if (v === undefined) return '';
      const s = String(v);
      return s === '' ? `<${p.name} />` : `<${p.name}>${escapeText(s)}</${p.name}>`;
    })
    .join('');
  return (
    '<?xml version="1.0" encoding="utf-8"?>' +
    `<soap:Envelope xmlns:soap="${SOAP11_NAMESPACE}" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema">` +
    `<soap:Body><${method} xmlns="${QBWC_NAMESPACE}">${body}</${method}></soap:Body></soap:Envelope>`
  );
}

/** Namespace of an element, resolved through its ancestors' xmlns declarations. */
function namespaceOf(path: XmlElement[]): string | undefined {
  const el = path[path.length - 1] as XmlElement;
  const colon = el.name.indexOf(':');
  const attr = colon === -1 ? 'xmlns' : `xmlns:${el.name.slice(0, colon)}`;
  for (let i = path.length - 1; i >= 0; i--) {
    const v = (path[i] as XmlElement).attrs[attr];
    if (v !== undefined) return v;
  }
  return undefined;
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

/** Reads a response envelope as strictly as QBWC's generated proxy. */
export function readResponseEnvelope(method: QbwcMethod, xml: string): QbwcResult {
  if (xml.charCodeAt(0) === 0xfeff || !xml.startsWith('<')) {
    throw new SoapCallError(method, 'the response does not start with "<" (stray bytes before the XML)');
  }
  const env = parseXml(xml);
  if (local(env.name) !== 'Envelope' || namespaceOf([env]) !== SOAP11_NAMESPACE) {
    throw new SoapCallError(method, 'the response is not a SOAP 1.1 envelope');
  }
  const body = env.children.find((c) => local(c.name) === 'Body');
  if (!body || namespaceOf([env, body]) !== SOAP11_NAMESPACE) throw new SoapCallError(method, 'no SOAP Body');
  const first = body.children[0];
  if (!first) throw new SoapCallError(method, 'empty SOAP Body');
  if (local(first.name) === 'Fault') {
    const fs = first.children.find((c) => local(c.name) === 'faultstring')?.text ?? '';
    throw new SoapCallError(method, `SOAP Fault: ${fs}`, fs);
  }
  if (local(first.name) !== `${method}Response` || namespaceOf([env, body, first]) !== QBWC_NAMESPACE) {
    throw new SoapCallError(method, `expected ${method}Response in ${QBWC_NAMESPACE}, got ${first.name}`);
  }
  const resultEl = first.children.find((c) => local(c.name) === `${method}Result`);
  const kind = QBWC_METHODS[method].result;
  if (!resultEl) {
    if (kind === 'int') throw new SoapCallError(method, `missing ${method}Result`);
    return kind === 'stringArray' ? [] : '';
  }
  const path = [env, body, first, resultEl];
  const rpc = resultEl.attrs['xsi:type'] !== undefined;
  // Document style: the result is qualified (elementFormDefault="qualified"); RPC: unqualified.
  if (!rpc && namespaceOf(path) !== QBWC_NAMESPACE) throw new SoapCallError(method, `${method}Result is not in ${QBWC_NAMESPACE}`);
  if (kind === 'int') {
    if (!/^-?\d+$/.test(resultEl.text)) throw new SoapCallError(method, `${method}Result is not an integer: "${resultEl.text}"`);
    return Number(resultEl.text);
  }
  if (kind === 'stringArray') {
    const items = resultEl.children.map((c) => {
      if (local(c.name) !== 'string' || (!rpc && namespaceOf([...path, c]) !== QBWC_NAMESPACE)) {
        // The WCF "a:string" mistake: QBWC sees zero items and fails with QBWC1012.
        throw new SoapCallError(method, `array item <${c.name}> is not a <string> in ${QBWC_NAMESPACE}`);
      }
      return c.text;
    });
    if (items.length > 4) throw new SoapCallError(method, `authenticate returned ${items.length} strings; QBWC accepts at most 4`);
    return items;
  }
  return resultEl.text;
}

export interface SoapClient {
  call(method: QbwcMethod, args: Record<string, string | number>): Promise<QbwcResult>;
  close(): void;
}

/** For an https AppURL: the CA to trust (instead of the system's), and name resolution (tests reach a LAN name on loopback). */
export interface SoapClientOptions {
  ca?: string | Buffer;
  lookup?: LookupFunction;
}

export function createSoapClient(url: string, style: QbwcStyle = 'Document', options: SoapClientOptions = {}): SoapClient {
  const target = new URL(url);
  const agent =
    target.protocol === 'https:'
      ? new https.Agent({ keepAlive: true, maxSockets: 1, ...(options.ca !== undefined && { ca: options.ca }), ...(options.lookup && { lookup: options.lookup }) })
      : new http.Agent({ keepAlive: true, maxSockets: 1, ...(options.lookup && { lookup: options.lookup }) });
  const lib = target.protocol === 'https:' ? https : http;
  return {
    call(method, args) {
      const body = buildRequestEnvelope(method, args, style);
      return new Promise<QbwcResult>((resolve, reject) => {
        const req = lib.request(
          target,
          {
            method: 'POST',
            agent,
            headers: {
              'Content-Type': 'text/xml; charset=utf-8',
              SOAPAction: `"${QBWC_NAMESPACE}${method}"`,
              'User-Agent': 'Mozilla/4.0 (compatible; MSIE 6.0; MS Web Services Client Protocol 4.0.30319.42000)',
              'Content-Length': Buffer.byteLength(body),
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              try {
                if (!/^text\/xml\b/i.test(res.headers['content-type'] ?? '')) {
                  throw new SoapCallError(method, `content type "${res.headers['content-type']}" is not text/xml`);
                }
                if (text.length === 0) throw new SoapCallError(method, 'the request failed with an empty response');
                const result = readResponseEnvelope(method, text);
                if (res.statusCode !== 200) throw new SoapCallError(method, `HTTP ${res.statusCode}`);
                resolve(result);
              } catch (err) {
                reject(err);
              }
            });
            res.on('error', reject);
          },
        );
        req.on('error', (err) => reject(new SoapCallError(method, err.message)));
        req.end(body);
      });
    },
    close() {
      agent.destroy();
    },
  };
}
