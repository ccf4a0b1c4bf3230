/**
 * Small text helpers shared by the status / HRESULT / QBWC classifiers. All regular
 * expressions are compiled once at module load (these functions run on the hot path).
 */
import type { Basis, Classification, Rule } from './types';

const ENDS_WITH_PUNCTUATION = /[.!?]["')\]]*$/;

/** Trims and ensures a terminal punctuation mark, so fragments can be joined into prose. */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '') return t;
  return ENDS_WITH_PUNCTUATION.test(t) ? t : `${t}.`;
}

/** `undefined` for missing / blank strings, the string trimmed otherwise. */
export function given(text: string | undefined | null): string | undefined {
  if (typeof text !== 'string') return undefined;
  const t = text.trim();
  return t === '' ? undefined : t;
}

const BASIS_NOTES: Readonly<Record<Basis, string>> = {
  intuit: '',
  observed: '',
  third_party: " (Meaning from third-party documentation; not confirmed in Intuit's own tables.)",
  sdk: ' (Meaning per QuickBooks SDK documentation.)',
  unverified: ' (Meaning NOT verified: no authoritative source was found for this code.)',
  range: '',
};

export function basisNote(basis: Basis): string {
  return BASIS_NOTES[basis];
}

function retryNote(c: Pick<Classification, 'retryable' | 'retryAfterSeconds'>): string {
  if (!c.retryable) return 'not retryable';
  return c.retryAfterSeconds === undefined ? 'retryable' : `retryable after ${c.retryAfterSeconds} s`;
}

/**
 * `<prefix>: <QuickBooks' own text verbatim, or the table meaning> <advice> [category: x; retryable…] <basis note>`
 * e.g. `QuickBooks status 3200 (Error): The provided edit sequence "1416315972" is out-of-date. Re-read…`
 */
export function developerMessage(
  prefix: string,
  qbText: string | undefined,
  rule: Pick<Rule, 'meaning' | 'advice' | 'basis'>,
  outcome: Pick<Classification, 'category' | 'retryable' | 'retryAfterSeconds'>,
  extra?: string,
): string {
  let out = `${prefix}: ${sentence(qbText ?? rule.meaning)}`;
  if (qbText !== undefined && rule.basis !== 'intuit' && rule.basis !== 'observed') {
    // QuickBooks' text first; our (less certain) reading of the code after it.
    out += ` Code meaning: ${sentence(rule.meaning)}`;
  }
  if (extra) out += ` ${sentence(extra)}`;
  if (rule.advice) out += ` ${sentence(rule.advice)}`;
  out += ` [category: ${outcome.category}; ${retryNote(outcome)}]`;
  out += basisNote(rule.basis);
  return out;
}

const QB_REASON = /QuickBooks error message:\s*([^.!?]{3,200}[.!?]?)/i;
const UNHELPFUL_REASON = /^(invalid argument|the specified record does not exist)/i;

/**
 * The first sentence after "QuickBooks error message:" in a statusMessage. That part is the text
 * QuickBooks would show in its own UI (e.g. "Names in this list cannot contain a colon."), so it
 * is fit for a bookkeeper. Returns undefined when absent, unhelpful or containing markup.
 */
export function quickBooksReason(statusMessage: string | undefined): string | undefined {
  if (!statusMessage) return undefined;
  const m = QB_REASON.exec(decodeQuotes(statusMessage));
  if (!m || m[1] === undefined) return undefined;
  const reason = sentence(m[1]);
  if (reason.includes('<') || reason.includes('>') || UNHELPFUL_REASON.test(reason)) return undefined;
  return reason;
}

/** Messages normally arrive entity-decoded; tolerate callers that pass the raw attribute text. */
export function decodeQuotes(text: string): string {
  return text.includes('&quot;') ? text.split('&quot;').join('"') : text;
}

/** A short quoted value safe to show to a bookkeeper (no markup, bounded length). */
export function safeQuoted(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const v = value.trim();
  if (v === '' || v.length > 100 || v.includes('<') || v.includes('>')) return undefined;
  return v;
}

/** Where the bookkeeper manages an integrated application's access in QuickBooks Desktop. */
export const INTEGRATED_APP_PROPERTIES =
  'Edit > Preferences > Integrated Applications > Company Preferences, select the app and click Properties';

/** The usual fix for "Web Connector cannot reach QuickBooks". */
export const OPEN_QUICKBOOKS_STEPS =
  'Make sure QuickBooks is open with your company file and no pop-up windows, then click Update Selected in the Web Connector.';
