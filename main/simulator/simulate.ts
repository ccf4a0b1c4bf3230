/** `qbwc-companion simulate`: the simulated Web Connector + company against any QBWC endpoint. */
import fs from 'node:fs';
import { child, childText, parseXml } from '../xml/tree';
import { describeCall } from './narrate';
import { FakeQuickBooks } from './quickbooks';
import type { QbwcStyle } from './soap-client';
import { runWebConnectorSession, type SessionOutcome } from './web-connector';

export interface SimulateOptions {
  url?: string;
  username?: string;
  password?: string;
  /** A QWC file supplies AppURL, UserName, OwnerID and FileID. */
  qwcFile?: string;
  ownerId?: string;
  fileId?: string;
  /** A JSON file holding the simulated company between runs (created if missing). */
  companyFile?: string;
  style?: string;
  noopMs?: number;
}

const SUCCESS: readonly SessionOutcome[] = ['completed', 'no_work', 'ended'];

export async function runSimulation(o: SimulateOptions): Promise<void> {
  const qwc = o.qwcFile ? parseXml(fs.readFileSync(o.qwcFile, 'utf8')) : undefined;
  const url = o.url ?? childText(qwc, 'AppURL');
  const username = o.username ?? childText(qwc, 'UserName');
  const ownerId = o.ownerId ?? childText(qwc, 'OwnerID');
  const fileId = o.fileId ?? childText(qwc, 'FileID');
  const style = (o.style ?? childText(qwc, 'Style') ?? 'Document') as QbwcStyle;
  const missing = [!url && '--url', !username && '--username', !o.password && '--password', !ownerId && '--owner-id', !fileId && '--file-id'].filter(Boolean);
  if (missing.length) throw new Error(`missing ${missing.join(', ')} (a --qwc file supplies all but the password)`);
  if (!['Document', 'DocWrapped', 'RPC'].includes(style)) throw new Error('--style must be Document, DocWrapped or RPC');
  if (qwc && !child(qwc, 'AppURL')) throw new Error('the QWC file has no AppURL');

  const company =
    o.companyFile && fs.existsSync(o.companyFile)
      ? FakeQuickBooks.fromJSON(JSON.parse(fs.readFileSync(o.companyFile, 'utf8')))
      : new FakeQuickBooks();
  process.stdout.write(`Simulated Web Connector → ${url}\n`);
  const report = await runWebConnectorSession({
    url: url as string,
    username: username as string,
    password: o.password as string,
    ownerId: ownerId as string,
    fileId: fileId as string,
    style,
    quickbooks: company,
    noopDelayMs: o.noopMs,
    onCall: (e) => process.stdout.write(describeCall(e) + '\n'),
  });
  if (o.companyFile) fs.writeFileSync(o.companyFile, JSON.stringify(company.toJSON(), null, 2));
  process.stdout.write(`Result: ${report.outcome} — ${report.message}\n`);
  if (!SUCCESS.includes(report.outcome)) process.exitCode = 1;
}
