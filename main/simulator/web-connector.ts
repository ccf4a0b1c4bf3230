/**
 * A simulated QuickBooks Web Connector: one update session, in the call order the
 * Programmer's Guide describes and real QWCLog.txt files show — serverVersion,
 * clientVersion, authenticate, (connectionError while QuickBooks can't open the file),
 * sendRequestXML with the HCP response on the first call only, receiveResponseXML,
 * getLastError on "" or a negative answer, NoOp with its pause, interactive mode,
 * closeConnection. It talks to any QBWC endpoint over HTTP.
 */
import type { QbwcMethod, QbwcResult } from '../qbwc/methods';
import { describeXml } from './narrate';
import { createSoapClient, type QbwcStyle, SoapCallError, type SoapClientOptions } from './soap-client';

/** What the Web Connector needs from QuickBooks (the simulated company implements it). */
export interface QuickBooksHost {
  readonly companyFile: string;
  hcpResponse(ownerId: string, fileId: string): string;
  processRequest(qbxml: string): { response: string } | { hresult: string; message: string };
  endSession(): void;
}

export interface TranscriptEntry {
  method: QbwcMethod;
  args: Record<string, string | number>;
  result?: QbwcResult;
  error?: string;
  ms: number;
}

export type SessionOutcome =
  | 'completed' // receiveResponseXML reached 100, or the server had nothing more
  | 'no_work'
  | 'rejected'
  | 'busy'
  | 'version_refused' // clientVersion answered E: or O:
  | 'connection_failed' // QuickBooks could not open the company file and the server said done
  | 'ended' // sendRequestXML returned "" and getLastError gave the text QBWC shows
  | 'error' // receiveResponseXML was negative; getLastError gave the reason
  | 'interactive_rejected'
  | 'aborted' // the simulated Web Connector stopped mid-session (crash injection)
  | 'protocol_error'; // the server broke the protocol (fault, bad envelope)

export interface SessionReport {
  outcome: SessionOutcome;
  /** What QBWC would show in its Status column. */
  message: string;
  requestsProcessed: number;
  noops: number;
  transcript: TranscriptEntry[];
}

export interface WebConnectorOptions {
  /** AppURL from the QWC, e.g. http://localhost:8520/qbwc */
  url: string;
  username: string;
  password: string;
  ownerId: string;
  fileId: string;
  quickbooks: QuickBooksHost;
  /** The Web Connector's version, sent to clientVersion. */
  version?: string;
  style?: QbwcStyle;
  /** qbXMLMajorVers/MinorVers passed to sendRequestXML; the Guide's host reports its highest. */
  qbxmlVersion?: { major: number; minor: number; country?: string };
  /** The Guide's NoOp pause (5 s); tests shorten it. */
  noopDelayMs?: number;
  /** Safety net: a session that never ends is a server bug. */
  maxCalls?: number;
  /** Which company files QuickBooks can open; default only its own. */
  canOpen?: (path: string) => { hresult: string; message: string } | null;
  /** Crash injection: stop right after QuickBooks processed this request, before receiveResponseXML. */
  abortAfterProcessing?: (requestXml: string, index: number) => boolean;
  /** Interactive mode: how the simulated bookkeeper answers. */
  interactive?: { decision: 'accept' | 'dismiss' | 'reject'; pollMs?: number };
  onCall?: (entry: TranscriptEntry) => void;
  /** For an https AppURL: the CA to trust and name resolution (see SoapClientOptions). */
  connection?: SoapClientOptions;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runWebConnectorSession(o: WebConnectorOptions): Promise<SessionReport> {
  const client = createSoapClient(o.url, o.style, o.connection);
  const transcript: TranscriptEntry[] = [];
  const maxCalls = o.maxCalls ?? 100_000;
  let noops = 0;
  let processed = 0;

  const call = async (method: QbwcMethod, args: Record<string, string | number> = {}): Promise<QbwcResult> => {
    if (transcript.length >= maxCalls) throw new SoapCallError(method, `the session did not end after ${maxCalls} calls`);
    const started = performance.now();
    const entry: TranscriptEntry = { method, args: redact(args), ms: 0 };
    transcript.push(entry);
    try {
      entry.result = await client.call(method, args);
      return entry.result;
    } catch (err) {
      entry.error = (err as Error).message;
      throw err;
    } finally {
      entry.ms = performance.now() - started;
      o.onCall?.(entry);
    }
  };
  const report = (outcome: SessionOutcome, message: string): SessionReport => ({
    outcome,
    message,
    requestsProcessed: processed,
    noops,
    transcript,
  });

  try {
    await call('serverVersion');
    const cv = String(await call('clientVersion', { strVersion: o.version ?? '2.3.0.215' }));
    // "QBWC always proceeds to call authenticate unless it receives … 'E:' or … 'O:'" (Guide ch.2).
    if (cv.startsWith('E:') || cv.startsWith('O:')) return report('version_refused', cv);

    const auth = (await call('authenticate', { strUserName: o.username, strPassword: o.password })) as string[];
    if (auth.length < 2) return report('protocol_error', `authenticate returned ${auth.length} strings; QBWC needs at least 2`);
    const ticket = auth[0] as string;
    const slot = (auth[1] as string).toLowerCase();
    if (slot === 'nvu' || slot === 'none' || slot === 'busy') {
      const message = String(await call('closeConnection', { ticket }));
      return report(slot === 'nvu' ? 'rejected' : slot === 'none' ? 'no_work' : 'busy', message);
    }

    // QBWC opens the company file; on failure it asks connectionError what to try next.
    let path = auth[1] as string;
    for (let attempt = 0; ; attempt++) {
      const failure = (o.canOpen ?? ((p) => defaultCanOpen(o.quickbooks, p)))(path);
      if (!failure) break;
      const next = String(await call('connectionError', { ticket, hresult: failure.hresult, message: failure.message }));
      if (next.toLowerCase() === 'done' || attempt >= 10) {
        const message = String(await call('getLastError', { ticket }));
        await call('closeConnection', { ticket });
        return report('connection_failed', message);
      }
      path = next;
    }

    const version = o.qbxmlVersion ?? { major: 16, minor: 0, country: 'US' };
    let first = true;
    for (;;) {
      const request = String(
        await call('sendRequestXML', {
          ticket,
          strHCPResponse: first ? o.quickbooks.hcpResponse(o.ownerId, o.fileId) : '',
          strCompanyFileName: o.quickbooks.companyFile,
          qbXMLCountry: version.country ?? 'US',
          qbXMLMajorVers: version.major,
          qbXMLMinorVers: version.minor,
        }),
      );
      first = false;
      if (request === '') {
        const last = String(await call('getLastError', { ticket }));
        if (last === 'NoOp') {
          noops++;
          await sleep(o.noopDelayMs ?? 5000);
          continue;
        }
        if (last === 'Interactive mode') return await interactive(ticket);
        const message = String(await call('closeConnection', { ticket }));
        return report('ended', last || message);
      }
      const answer = o.quickbooks.processRequest(request);
      processed++;
      if (o.abortAfterProcessing?.(request, processed - 1)) return report('aborted', 'The Web Connector stopped before sending the response.');
      const progress = Number(
        await call('receiveResponseXML', {
          ticket,
          response: 'response' in answer ? answer.response : '',
          hresult: 'hresult' in answer ? answer.hresult : '',
          message: 'hresult' in answer ? answer.message : '',
        }),
      );
      if (progress >= 100) {
        const message = String(await call('closeConnection', { ticket }));
        return report('completed', message);
      }
      if (progress < 0) {
        const last = String(await call('getLastError', { ticket }));
        await call('closeConnection', { ticket });
        return report('error', last);
      }
    }

    async function interactive(ticket: string): Promise<SessionReport> {
      const url = String(await call('getInteractiveURL', { wcTicket: ticket, sessionID: ticket }));
      const decision = o.interactive?.decision ?? 'reject';
      if (decision === 'reject' || url === '') {
        const message = String(await call('interactiveRejected', { wcTicket: ticket, reason: 'User rejected interactive mode' }));
        await call('closeConnection', { ticket });
        return report('interactive_rejected', message);
      }
      // The bookkeeper's browser: open the page, then press a button.
      const page = await fetch(url);
      if (page.status !== 200) return report('protocol_error', `interactive page answered HTTP ${page.status}`);
      await fetch(url, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: new URL(url).origin },
        body: `action=${decision}`,
      });
      for (let i = 0; i < 100; i++) {
        if (String(await call('interactiveDone', { wcTicket: ticket })) === 'Done') break;
        await sleep(o.interactive?.pollMs ?? 1000);
      }
      const message = String(await call('closeConnection', { ticket }));
      return report('completed', message);
    }
  } catch (err) {
    return report('protocol_error', (err as Error).message);
  } finally {
    o.quickbooks.endSession();
    client.close();
  }
}

function defaultCanOpen(qb: QuickBooksHost, path: string): { hresult: string; message: string } | null {
  if (path === '' || path.toLowerCase() === qb.companyFile.toLowerCase()) return null;
  return { hresult: '0x80040403', message: 'Could not open the specified QuickBooks company data file.' };
}

function redact(args: Record<string, string | number>): Record<string, string | number> {
  const out: Record<string, string | number> = {};
  for (const [k, v] of Object.entries(args)) {
    if (k === 'strPassword') out[k] = '<MaskedForSecurity>';
    // Keep the transcript small even for a 100 MB response.
    else if (typeof v === 'string' && v.length > 300) out[k] = v.startsWith('<') ? describeXml(v) : `${v.slice(0, 300)}… (${v.length} characters)`;
    else out[k] = v;
  }
  return out;
}
