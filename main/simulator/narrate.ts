/** One line per Web Connector call, for people watching a simulated session. */
import type { TranscriptEntry } from './web-connector';

/** A short description of a long XML string: its size and the request/response elements in it. */
export function describeXml(s: string): string {
  const types = [...s.matchAll(/<(\w+R[qs])\b/g)].map((m) => m[1]).filter((t) => t !== 'QBXMLMsgsRq' && t !== 'QBXMLMsgsRs');
  return `qbXML (${s.length} chars${types.length ? ': ' + [...new Set(types)].join(', ') : ''})`;
}

const looksLikeXml = (s: string) => s.length > 60 && s.startsWith('<');

function summarize(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((v) => summarize(v)).join(', ')}]`;
  if (typeof value === 'number') return String(value);
  const s = String(value ?? '');
  if (looksLikeXml(s)) return describeXml(s);
  if (s.startsWith('qbXML (')) return s; // already described when recorded
  if (s.length > 60) return JSON.stringify(s.slice(0, 57) + '…');
  return JSON.stringify(s);
}

export function describeCall(e: TranscriptEntry): string {
  const args = Object.entries(e.args)
    .filter(([k]) => k !== 'ticket' && k !== 'wcTicket')
    .map(([k, v]) => `${k}=${summarize(v)}`)
    .join(', ');
  const outcome = e.error !== undefined ? `✗ ${e.error}` : `→ ${summarize(e.result)}`;
  return `  ${e.method}(${args}) ${outcome}  [${e.ms.toFixed(1)} ms]`;
}
