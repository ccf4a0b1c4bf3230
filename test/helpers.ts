import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const FIXTURES = path.join(__dirname, 'fixtures');

export function fixture(...parts: string[]): string {
  return fs.readFileSync(path.join(FIXTURES, ...parts), 'utf8');
}

export function tempDir(prefix = 'qbwc-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

import { invoke } from '../main/contract/invoke';
import { type Companion, type CompanionOptions, startCompanion } from '../main/companion';
import { silentLogger } from '../main/logger';
import type { InstanceResource } from '../main/services/instances';
import { createSoapClient, type SoapClient } from '../main/simulator/soap-client';
import { type QuickBooksHost, runWebConnectorSession, type WebConnectorOptions } from '../main/simulator/web-connector';

export const HCP_QB2014 = fixture('qbwc', 'hcp_strHCPResponse_QuickBooksPro2014.fixed.xml');

/** A query and a write to queue as raw qbXML. */
export const QUERY = '<CustomerQueryRq><MaxReturned>1</MaxReturned></CustomerQueryRq>';
export const ADD = '<CustomerAddRq><CustomerAdd><Name>Pine Street Bakery</Name></CustomerAdd></CustomerAddRq>';
/** A write with nothing QuickBooks could be asked about (no RefNumber, no marker). */
export const INVOICE_ADD = '<InvoiceAddRq><InvoiceAdd><CustomerRef><FullName>Pine Street Bakery</FullName></CustomerRef></InvoiceAdd></InvoiceAddRq>';
/** The rest of a session's first sendRequestXML, as QuickBooks Pro 2014 with EchoQuickBooks' file open. */
export const FIRST_SEND = { strHCPResponse: HCP_QB2014, strCompanyFileName: 'C:\\Company\\test.qbw', qbXMLCountry: 'US', qbXMLMajorVers: 13, qbXMLMinorVers: 0 };
/** sendRequestXML's parameters: the HCP response only if given (QBWC sends it on a session's first call). */
export const sendArgs = (ticket: string, hcp = '') => ({ ...FIRST_SEND, ticket, strHCPResponse: hcp });

/**
 * Intuit's qbXML XSD folder: never in the repository, but in the shared/ folder beside the
 * project's (wherever it is cloned); tests that need it are skipped without it.
 */
export const QBXML_SCHEMA_DIR = process.env.QBXML_SCHEMA_DIR ?? path.join(__dirname, '..', '..', 'shared', 'reference', 'qbxml', 'schema');

/**
 * A QuickBooks stand-in that answers every request element with status OK (or what
 * `answer` says) and echoes its requestID — for protocol tests that need no company.
 */
export class EchoQuickBooks implements QuickBooksHost {
  readonly received: string[] = [];
  hcp = HCP_QB2014;
  constructor(
    readonly companyFile = 'C:\\Company\\test.qbw',
    private readonly answer: (rqType: string, xml: string) => { status?: string; hresult?: string; message?: string } = () => ({}),
  ) {}
  hcpResponse(): string {
    return this.hcp;
  }
  processRequest(qbxml: string) {
    this.received.push(qbxml);
    const elements = [...qbxml.matchAll(/<(\w+)Rq requestID="([^"]+)"/g)];
    const first = elements[0];
    const verdict = this.answer(first?.[1] ?? '', qbxml);
    if (verdict.hresult) return { hresult: verdict.hresult, message: verdict.message ?? '' };
    const rs = elements
      .map(([, type, id]) => `<${type}Rs requestID="${id}" ${verdict.status ?? 'statusCode="0" statusSeverity="Info" statusMessage="Status OK"'} />`)
      .join('\n');
    return { response: `<?xml version="1.0" ?>\n<QBXML>\n<QBXMLMsgsRs>\n${rs}\n</QBXMLMsgsRs>\n</QBXML>\n` };
  }
  endSession(): void {}
}

export interface Harness {
  companion: Companion;
  dataDir: string;
  instance: InstanceResource;
  password: string;
  enqueue(qbxml: string, priority?: number): string;
  run(quickbooks: QuickBooksHost, extra?: Partial<WebConnectorOptions>): ReturnType<typeof runWebConnectorSession>;
  soap(): SoapClient;
  stop(): Promise<void>;
}

/** The companion as built in dist/ (npm test builds first): what runs large responses on the parsing thread. */
const compiledCompanion = () => require(path.join(__dirname, '..', 'dist', 'main', 'companion.js')) as typeof import('../main/companion');

export async function startHarness(
  options: Partial<CompanionOptions> & { instance?: Record<string, unknown>; compiled?: boolean } = {},
): Promise<Harness> {
  const dataDir = options.dataDir ?? tempDir();
  const start = options.compiled ? compiledCompanion().startCompanion : startCompanion;
  const companion = await start({ logger: silentLogger, port: 0, ...options, dataDir });
  const password = 'correct horse battery';
  const existing = companion.store.instances.byUsername('tester');
  const instance = existing
    ? companion.services.instances.toResource(existing)
    : await invoke(companion.handlers, 'createInstance', { body: { name: 'Test Company', username: 'tester', password, ...options.instance } });
  const url = `${companion.url}/qbwc`;
  return {
    companion,
    dataDir,
    instance,
    password,
    enqueue: (qbxml, priority = 0) => companion.services.requests.enqueue(instance.instanceId, { qbxml, priority, retryOnStaleEditSequence: false }).requestId,
    run: (quickbooks, extra = {}) =>
      runWebConnectorSession({
        url,
        username: instance.username,
        password,
        ownerId: instance.ownerId,
        fileId: instance.fileId,
        quickbooks,
        noopDelayMs: 20,
        ...extra,
      }),
    soap: () => createSoapClient(url),
    stop: () => companion.stop(),
  };
}

/** A small, fast, seeded PRNG (mulberry32): the same seed gives the same run. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const LETTERS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** A short, distinct attribute name for each i: "A", "B", … "zzz" (i written in base 52 with letters for digits). */
export const attrName = (i: number): string => {
  let s = '';
  do {
    s = (LETTERS[i % 52] as string) + s;
    i = Math.floor(i / 52);
  } while (i > 0);
  return s;
};
