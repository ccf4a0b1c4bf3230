/**
 * One QBWC driver for every server: plays the Web Connector's side of a session over a
 * single keep-alive connection, with prebuilt SOAP 1.1 document/literal envelopes as
 * QBWC sends them, and times each HTTP round trip. Results are pulled out with cheap
 * regexes: the client's own cost is not what is measured (server CPU comes from the
 * server's /proc accounting), but it should not slow the session down either.
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { ROOT } from './procs';

const NS = 'http://developer.intuit.com/';
const ENVELOPE_OPEN =
  '<?xml version="1.0" encoding="utf-8"?><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/" ' +
  'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema"><soap:Body>';
const ENVELOPE_CLOSE = '</soap:Body></soap:Envelope>';

export function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** A SOAP 1.1 document/literal envelope as QBWC sends it. */
export function envelope(method: string, params: Record<string, string | number>): string {
  let inner = '';
  for (const [name, value] of Object.entries(params)) {
    const v = typeof value === 'number' ? String(value) : escapeXml(value);
    inner += v === '' ? `<${name} />` : `<${name}>${v}</${name}>`;
  }
  return `${ENVELOPE_OPEN}<${method} xmlns="${NS}">${inner}</${method}>${ENVELOPE_CLOSE}`;
}

/** The host query response QuickBooks Pro 2014 sends with the first sendRequestXML. */
export function loadHcpResponse(): string {
  return fs.readFileSync(path.join(ROOT, 'test', 'fixtures', 'qbwc', 'hcp_strHCPResponse_QuickBooksPro2014.fixed.xml'), 'utf8');
}

export const COMPANY_FILE = 'C:\\Users\\Public\\Documents\\Intuit\\QuickBooks\\Company Files\\Bench.qbw';

// The canned CustomerQueryRs, already XML-escaped for the <response> element, split
// around the requestID so each response is two concatenations.
const RESPONSE_WITH_ID = escapeXml(
  '<?xml version="1.0" ?><QBXML><QBXMLMsgsRs><CustomerQueryRs requestID="\u0000" statusCode="0" statusSeverity="Info" statusMessage="Status OK">' +
    '<CustomerRet><ListID>80000001-1</ListID><Name>Bench</Name></CustomerRet></CustomerQueryRs></QBXMLMsgsRs></QBXML>',
).split('\u0000') as [string, string];
const RESPONSE_NO_ID = RESPONSE_WITH_ID[0].replace(/ requestID=&quot;$/, '') + RESPONSE_WITH_ID[1].replace(/^&quot;/, '');

/** The canned CustomerQueryRs for a request, escaped for the <response> element. */
export function cannedResponse(requestId: string | undefined): string {
  return requestId !== undefined ? RESPONSE_WITH_ID[0] + escapeXml(requestId) + RESPONSE_WITH_ID[1] : RESPONSE_NO_ID;
}

// ---- result extraction ----

/** Some servers (node-soap via quickbooks-js) wrap a scalar result in <string>/<int>. */
const resultRe = (method: string) =>
  new RegExp(`<(?:[\\w.-]+:)?${method}Result(?:\\s[^>]*)?>(?:<(string|int)>)?([\\s\\S]*?)(?:</(?:string|int)>)?</(?:[\\w.-]+:)?${method}Result>`);
const RESULT = {
  authenticate: new RegExp(`<(?:[\\w.-]+:)?authenticateResult(?:\\s[^>]*)?>([\\s\\S]*?)</(?:[\\w.-]+:)?authenticateResult>`),
  sendRequestXML: resultRe('sendRequestXML'),
  receiveResponseXML: resultRe('receiveResponseXML'),
  closeConnection: resultRe('closeConnection'),
};
const EMPTY_RESULT = /<(?:[\w.-]+:)?sendRequestXMLResult(?:\s[^>]*)?\/>/;
const STRING_ITEM = /<(?:[\w.-]+:)?string(?:\s[^>]*)?>([^<]*)<\/(?:[\w.-]+:)?string>|<(?:[\w.-]+:)?string\s*\/>/g;
/** requestID in the escaped qbXML (attribute quotes may be escaped or not). */
const REQUEST_ID = /requestID=(?:&quot;|"|&apos;|')([^&"']*)/;

function unescapeXml(text: string): string {
  if (text.indexOf('&') === -1) return text;
  return text
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'")
    .replace(/&amp;/g, '&');
}

// ---- transport ----

export interface Exchange {
  body: string;
  /** Round trip: first byte written to last byte of the answer read. */
  ns: number;
}

export interface SessionOptions {
  /** e.g. http://127.0.0.1:8520/qbwc */
  url: string;
  username: string;
  password: string;
  /** Upper bound on requests, to stop a runaway session. */
  maxRequests: number;
  hcpResponse: string;
}

export interface SessionResult {
  calls: number;
  /** Requests QuickBooks "ran": non-empty sendRequestXML results answered with receiveResponseXML. */
  requests: number;
  /** Distinct requestIDs seen in those requests. */
  distinctRequestIds: number;
  requestIds: string[];
  /** The last receiveResponseXML result (100 when the server says it is done). */
  finalPercent: number;
  /** What authenticate returned, minus the ticket. */
  authResult: string[];
  closeMessage: string;
  wallMs: number;
  /** Per-call round-trip latency, ms, in call order. */
  latenciesMs: Float64Array;
  callsByMethod: Record<string, number>;
  /** True when the server wrapped scalar results in <string>/<int> (not what the WSDL declares). */
  wrappedScalarResults: boolean;
}

export class QbwcClient {
  private readonly agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
  private readonly target: URL;
  private latencies: number[] = [];

  constructor(url: string) {
    this.target = new URL(url);
  }

  close(): void {
    this.agent.destroy();
  }

  /** POSTs one SOAP call; with `chunkBytes`, writes the body in pieces of that size (honouring backpressure). */
  post(method: string, body: string | Buffer, chunkBytes = 0): Promise<Exchange> {
    const payload = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    return new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request(
        {
          agent: this.agent,
          host: this.target.hostname,
          port: this.target.port,
          path: this.target.pathname + this.target.search,
          method: 'POST',
          headers: {
            'Content-Type': 'text/xml; charset=utf-8',
            SOAPAction: `"${NS}${method}"`,
            'Content-Length': payload.length,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const ns = Number(process.hrtime.bigint() - started);
            const text = chunks.length === 1 ? (chunks[0] as Buffer).toString('utf8') : Buffer.concat(chunks).toString('utf8');
            if (res.statusCode !== 200) {
              reject(new Error(`${method}: HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
              return;
            }
            resolve({ body: text, ns });
          });
          res.on('error', reject);
        },
      );
      req.on('error', reject);
      if (chunkBytes <= 0 || payload.length <= chunkBytes) {
        req.end(payload);
        return;
      }
      const writeFrom = (offset: number): void => {
        let at = offset;
        while (at < payload.length) {
          const ok = req.write(payload.subarray(at, at + chunkBytes));
          at += chunkBytes;
          if (!ok) {
            req.once('drain', () => writeFrom(at));
            return;
          }
        }
        req.end();
      };
      writeFrom(0);
    });
  }

  private async call(method: string, body: string): Promise<string> {
    const { body: text, ns } = await this.post(method, body);
    this.latencies.push(ns / 1e6);
    return text;
  }

  /** authenticate's four strings; throws unless the session may proceed. */
  private async authenticateItems(username: string, password: string): Promise<string[]> {
    const authText = await this.call('authenticate', envelope('authenticate', { strUserName: username, strPassword: password }));
    const authBlock = RESULT.authenticate.exec(authText);
    if (!authBlock) throw new Error(`authenticate: no authenticateResult in ${authText.slice(0, 500)}`);
    const items: string[] = [];
    for (const m of (authBlock[1] as string).matchAll(STRING_ITEM)) items.push(unescapeXml(m[1] ?? ''));
    const [ticket, slot1 = ''] = items;
    if (!ticket) throw new Error(`authenticate: no ticket in ${authText.slice(0, 500)}`);
    if (/^(nvu|none|busy)$/i.test(slot1)) throw new Error(`authenticate answered "${slot1}"`);
    return items;
  }

  /** authenticate; returns the session ticket. */
  async authenticate(username: string, password: string): Promise<string> {
    return (await this.authenticateItems(username, password))[0] as string;
  }

  /** One sendRequestXML; returns the request's requestID ('' when there was no request). */
  async sendRequest(ticket: string, hcpResponse: string): Promise<string> {
    const text = await this.call('sendRequestXML', envelope('sendRequestXML', { ticket, strHCPResponse: hcpResponse, strCompanyFileName: COMPANY_FILE, qbXMLCountry: 'US', qbXMLMajorVers: 13, qbXMLMinorVers: 0 }));
    const qbxml = RESULT.sendRequestXML.exec(text)?.[2] ?? '';
    const id = REQUEST_ID.exec(qbxml)?.[1];
    return id === undefined ? '' : unescapeXml(id);
  }

  /** The receiveResponseXML envelope around an already escaped response, as QBWC sends it. */
  static receiveEnvelope(ticket: string, escapedResponse: string): string {
    return `${ENVELOPE_OPEN}<receiveResponseXML xmlns="${NS}"><ticket>${escapeXml(ticket)}</ticket><response>${escapedResponse}</response><hresult /><message /></receiveResponseXML>${ENVELOPE_CLOSE}`;
  }

  /** receiveResponseXML's result from an answer's body (NaN if there is none). */
  static percentOf(answer: string): number {
    const m = RESULT.receiveResponseXML.exec(answer);
    return m ? Number((m[2] as string).trim()) : NaN;
  }

  /** closeConnection; returns its message. */
  async closeConnection(ticket: string): Promise<string> {
    const text = await this.call('closeConnection', envelope('closeConnection', { ticket }));
    const m = RESULT.closeConnection.exec(text);
    return m ? unescapeXml(m[2] as string) : '';
  }

  /** One full QBWC session: authenticate, send/receive until 100, closeConnection. */
  async session(o: SessionOptions): Promise<SessionResult> {
    this.latencies = [];
    const byMethod: Record<string, number> = { authenticate: 0, sendRequestXML: 0, receiveResponseXML: 0, closeConnection: 0 };
    let wrapped = false;
    const t0 = process.hrtime.bigint();

    byMethod.authenticate = 1;
    const items = await this.authenticateItems(o.username, o.password);
    const ticket = items[0] as string;

    // Prebuilt per session: only the ticket varies between sessions.
    const sendParams = (hcp: string) => ({
      ticket,
      strHCPResponse: hcp,
      strCompanyFileName: COMPANY_FILE,
      qbXMLCountry: 'US',
      qbXMLMajorVers: 13,
      qbXMLMinorVers: 0,
    });
    const firstSend = envelope('sendRequestXML', sendParams(o.hcpResponse));
    const laterSend = envelope('sendRequestXML', sendParams(''));
    const receiveOpen = `${ENVELOPE_OPEN}<receiveResponseXML xmlns="${NS}"><ticket>${escapeXml(ticket)}</ticket><response>`;
    const receiveClose = `</response><hresult /><message /></receiveResponseXML>${ENVELOPE_CLOSE}`;

    const ids: string[] = [];
    let requests = 0;
    let percent = 0;
    for (;;) {
      byMethod.sendRequestXML = (byMethod.sendRequestXML ?? 0) + 1;
      const sendText = await this.call('sendRequestXML', requests === 0 ? firstSend : laterSend);
      const sm = RESULT.sendRequestXML.exec(sendText);
      if (!sm && !EMPTY_RESULT.test(sendText)) throw new Error(`sendRequestXML: no result in ${sendText.slice(0, 500)}`);
      if (sm?.[1]) wrapped = true;
      const qbxml = sm?.[2] ?? '';
      if (qbxml === '') throw new Error(`sendRequestXML returned no request after ${requests} requests (percent ${percent})`);
      requests++;
      const idMatch = REQUEST_ID.exec(qbxml);
      const id = idMatch ? unescapeXml(idMatch[1] as string) : undefined;
      if (id !== undefined) ids.push(id);
      const response = cannedResponse(id);

      byMethod.receiveResponseXML = (byMethod.receiveResponseXML ?? 0) + 1;
      const recvText = await this.call('receiveResponseXML', receiveOpen + response + receiveClose);
      const rm = RESULT.receiveResponseXML.exec(recvText);
      if (!rm) throw new Error(`receiveResponseXML: no result in ${recvText.slice(0, 500)}`);
      if (rm[1]) wrapped = true;
      percent = Number((rm[2] as string).trim());
      if (!Number.isInteger(percent) || percent < 0 || percent > 100) throw new Error(`receiveResponseXML returned "${rm[2]}"`);
      if (percent === 100) break;
      if (requests >= o.maxRequests) throw new Error(`session still at ${percent}% after ${requests} requests`);
    }

    byMethod.closeConnection = 1;
    const closeMessage = await this.closeConnection(ticket);
    const wallMs = Number(process.hrtime.bigint() - t0) / 1e6;

    return {
      calls: this.latencies.length,
      requests,
      distinctRequestIds: new Set(ids).size,
      requestIds: ids,
      finalPercent: percent,
      authResult: items.slice(1),
      closeMessage,
      wallMs,
      latenciesMs: Float64Array.from(this.latencies),
      callsByMethod: byMethod,
      wrappedScalarResults: wrapped,
    };
  }
}
