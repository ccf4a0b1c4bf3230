/** Building rules and classifications, shared by the status, HRESULT and QBWC tables. */
import type { Basis, Category, Classification, ErrorType, Rule, Severity } from './types';

export interface RuleOptions {
  type?: ErrorType | null;
  severity?: Severity;
  retryable?: boolean;
  retryAfterSeconds?: number;
  notApplied?: boolean | undefined;
  basis?: Basis;
}

/**
 * A rule factory with a table's defaults: the error type of its errors and the basis of
 * its facts. Unless told otherwise a rule is an error, not retryable, and not applied
 * (QuickBooks rejected the request, or never got it).
 */
export function ruleFactory(defaults: { type: ErrorType; basis: Basis }) {
  return (category: Category, meaning: string, advice: string, user: string, opts: RuleOptions = {}): Rule => {
    const severity = opts.severity ?? 'error';
    const r: Rule = {
      category,
      type: opts.type !== undefined ? opts.type : severity === 'error' ? defaults.type : null,
      severity,
      retryable: opts.retryable ?? false,
      notApplied: 'notApplied' in opts ? opts.notApplied : true,
      meaning,
      advice,
      user,
      basis: opts.basis ?? defaults.basis,
    };
    return opts.retryAfterSeconds === undefined ? r : { ...r, retryAfterSeconds: opts.retryAfterSeconds };
  };
}

/** A classification as its rule has it (the caller adds the developerMessage). */
export function classificationOf(code: string, source: Classification['source'], rawCode: string, rule: Rule): Classification {
  const out: Classification = {
    code,
    source,
    rawCode,
    severity: rule.severity,
    type: rule.type,
    category: rule.category,
    retryable: rule.retryable,
    userFacingMessage: rule.user,
    developerMessage: '',
  };
  if (rule.retryable && rule.retryAfterSeconds !== undefined) out.retryAfterSeconds = rule.retryAfterSeconds;
  if (rule.notApplied !== undefined) out.notApplied = rule.notApplied;
  return out;
}
