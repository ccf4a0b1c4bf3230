/**
 * The qbXML document sent to QuickBooks for one queued request: the negotiated version,
 * `onError`, and a requestID on every request element so responses route back.
 */
import { escapeAttribute } from '../xml/escape';
import type { OnError } from './request-document';
import { versionAtLeast } from './version';

export const REQUEST_ID_SEPARATOR = ':';

/** requestID for the i-th element of a request: the id itself when it has one element. */
export function elementRequestId(requestId: string, index: number, count: number): string {
  return count === 1 ? requestId : `${requestId}${REQUEST_ID_SEPARATOR}${index}`;
}

/** The queue request id a response's requestID refers to. */
export function requestIdOf(elementRequestID: string): string {
  const sep = elementRequestID.lastIndexOf(REQUEST_ID_SEPARATOR);
  return sep === -1 ? elementRequestID : elementRequestID.slice(0, sep);
}

export interface StampInput {
  requestId: string;
  version: string;
  onError: OnError | string;
  body: string;
  rqOffsets: readonly number[];
  /** More attributes for the (single) request element, e.g. ` iterator="Start"`. */
  attributes?: string;
}

/** qbXML added iterators in 5.0 (IQBENiteratorType); older hosts get a plain query, one page. */
export const ITERATORS_SINCE = '5.0';

/**
 * The iterator attributes of a paged query for a host on qbXML `version`: Start, or
 * Continue with QuickBooks' iteratorID; none before qbXML 5.0.
 */
export function iteratorAttributes(iteratorId: string | null, version: string): string {
  if (!versionAtLeast(version, ITERATORS_SINCE)) return '';
  return iteratorId ? ` iterator="Continue" iteratorID="${escapeAttribute(iteratorId)}"` : ' iterator="Start"';
}

export function stampRequest(r: StampInput): string {
  let out = `<?xml version="1.0" encoding="utf-8"?><?qbxml version="${r.version}"?><QBXML><QBXMLMsgsRq onError="${r.onError}">`;
  let from = 0;
  r.rqOffsets.forEach((offset, i) => {
    out += r.body.slice(from, offset) + ` requestID="${elementRequestId(r.requestId, i, r.rqOffsets.length)}"` + (r.attributes ?? '');
    from = offset;
  });
  return out + r.body.slice(from) + '</QBXMLMsgsRq></QBXML>';
}
