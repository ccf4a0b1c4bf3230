/**
 * Queue policy: pure decisions about what happens to a request. The duplicate invoice —
 * a write re-sent after QuickBooks already applied it — is the failure peers are known
 * for, so a write whose outcome we did not see is never re-sent blindly: it becomes
 * `unknown_outcome`. A query is always safe to send again.
 */
import { type Classification, classifyHresult, classifyStatus } from '../qbxml/errors';
import type { ErrorInfo, RequestKind, RequestStatus, ResponseResult } from '../store/types';

/** Sends of one query before a transport-level failure is final. */
export const MAX_ATTEMPTS = 3;

export function toErrorInfo(c: Classification): ErrorInfo {
  return {
    code: c.code,
    type: c.type,
    category: c.category,
    retryable: c.retryable,
    userFacingMessage: c.userFacingMessage,
    developerMessage: c.developerMessage,
  };
}

export const UNKNOWN_OUTCOME_ERROR: ErrorInfo = {
  code: 'UNKNOWN_OUTCOME',
  type: 'INTEGRATION_CONNECTION_ERROR',
  category: 'unknown_outcome',
  retryable: false,
  userFacingMessage:
    'The connection to QuickBooks ended before we learned whether this change was saved. It will not be sent again until we have checked QuickBooks, so nothing is entered twice.',
  developerMessage:
    'The write was sent to QuickBooks Web Connector but no response was received (session ended, out-of-sequence call, or the companion restarted). It was not re-sent.',
};

export const REQUEUED_ERROR: ErrorInfo = {
  code: 'REQUEUED',
  type: 'INTEGRATION_CONNECTION_ERROR',
  category: 'connection',
  retryable: true,
  userFacingMessage: 'The connection to QuickBooks ended before this request finished. It will be sent again at the next update.',
  developerMessage: 'A query in flight lost its session; it was put back in the queue (queries are safe to repeat).',
};

/** Where a request that was in flight goes when its session dies without a response. */
export function recoveryStatus(kind: RequestKind): 'queued' | 'unknown_outcome' {
  return kind === 'query' ? 'queued' : 'unknown_outcome';
}

export interface Outcome {
  status: RequestStatus;
  /** For a retry: not before this many ms from now. */
  retryAfterMs?: number;
  statusCode: number | null;
  statusSeverity: string | null;
  statusMessage: string | null;
  error: ErrorInfo | null;
  /** QuickBooks or the Web Connector cannot go on: end the session. */
  endSession: boolean;
}

export interface ResponseFacts {
  kind: RequestKind;
  attempts: number;
  hresult: string;
  message: string;
  results: readonly ResponseResult[];
  responseEmpty: boolean;
  parseError: string | null;
}

const SEVERITY_RANK: Record<string, number> = { Info: 0, Warn: 1, Error: 2 };

/**
 * Retry a failure only when repeating it cannot duplicate anything: a query, or a write
 * QuickBooks certainly did not apply. `applied`: 'no' when QuickBooks answered with an
 * error status for the (single) write; 'unknown' for transport failures.
 */
function retryOrFail(
  facts: ResponseFacts,
  c: Classification,
  applied: 'no' | 'unknown',
): Pick<Outcome, 'status' | 'retryAfterMs'> {
  const notApplied = applied === 'no' || c.notApplied === true;
  const safeToRepeat = facts.kind === 'query' || notApplied;
  // Sent again unchanged, a stale EditSequence fails again: it takes a re-read first
  // (FollowUps, when the caller allowed it).
  const resendHelps = c.category !== 'stale_edit_sequence';
  if (c.retryable && resendHelps && safeToRepeat && facts.attempts < MAX_ATTEMPTS) {
    return { status: 'queued', retryAfterMs: (c.retryAfterSeconds ?? 0) * 1000 };
  }
  return { status: safeToRepeat ? 'error' : 'unknown_outcome' };
}

export function decideOutcome(facts: ResponseFacts): Outcome {
  const none = { statusCode: null, statusSeverity: null, statusMessage: null };
  if (facts.hresult.trim() !== '') {
    const c = classifyHresult({ hresult: facts.hresult, message: facts.message });
    return {
      ...none,
      ...retryOrFail(facts, c, 'unknown'),
      error: toErrorInfo(c),
      endSession: c.type === 'INTEGRATION_CONNECTION_ERROR',
    };
  }
  if (facts.responseEmpty || facts.parseError !== null || facts.results.length === 0) {
    const error: ErrorInfo = {
      code: 'RESPONSE_UNREADABLE',
      type: 'INTERNAL_ERROR',
      category: 'unknown',
      retryable: facts.kind === 'query',
      userFacingMessage:
        facts.kind === 'query'
          ? 'QuickBooks sent an answer we could not read. The request will be tried again.'
          : 'QuickBooks sent an answer we could not read, so we cannot tell whether the change was saved. It will be checked before anything is sent again.',
      developerMessage: facts.parseError
        ? `The qbXML response is not well-formed: ${facts.parseError}`
        : 'The Web Connector returned no response text and no HRESULT.',
    };
    if (facts.kind === 'query' && facts.attempts < MAX_ATTEMPTS) return { ...none, status: 'queued', error, endSession: false };
    return { ...none, status: facts.kind === 'query' ? 'error' : 'unknown_outcome', error, endSession: false };
  }

  // The common case, every element "Status OK": nothing to classify.
  if (facts.results.every((r) => r.statusCode === 0)) {
    const first = facts.results[0] as ResponseResult;
    return { statusCode: 0, statusSeverity: first.statusSeverity ?? 'Info', statusMessage: first.statusMessage ?? null, status: 'done', error: null, endSession: false };
  }
  // The most severe response element speaks for the request.
  let worst = facts.results[0] as ResponseResult;
  for (const r of facts.results) {
    if ((SEVERITY_RANK[r.statusSeverity ?? 'Info'] ?? 0) > (SEVERITY_RANK[worst.statusSeverity ?? 'Info'] ?? 0)) worst = r;
  }
  const c = classifyStatus({
    statusCode: worst.statusCode ?? 0,
    statusSeverity: worst.statusSeverity,
    statusMessage: worst.statusMessage,
    requestType: worst.type,
  });
  const status = {
    statusCode: worst.statusCode ?? null,
    statusSeverity: worst.statusSeverity ?? null,
    statusMessage: worst.statusMessage ?? null,
  };
  if (c.severity !== 'error') return { ...status, status: 'done', error: c.type ? toErrorInfo(c) : null, endSession: false };
  // In a batch some elements may have been applied: repeating it could duplicate them.
  if (facts.kind === 'write' && facts.results.length > 1) return { ...status, status: 'error', error: toErrorInfo(c), endSession: false };
  return { ...status, ...retryOrFail(facts, c, 'no'), error: toErrorInfo(c), endSession: false };
}

/** receiveResponseXML's percentage: 1–99 while work remains (0 is ambiguous in the Guide). */
export function progressPercent(done: number, expectedTotal: number): number {
  const total = Math.max(expectedTotal, done + 1);
  return Math.min(99, Math.max(1, Math.floor((100 * done) / total)));
}
