/**
 * QuickBooks / Web Connector error classification.
 *
 * Turns every error signal the companion sees into something people can act on, following
 * Conductor's error model (shared/reference/cloud.md §7.3):
 *
 * - qbXML `statusCode` / `statusSeverity` / `statusMessage` on each `…Rs` → {@link classifyStatus}
 * - `hresult` / `message` from receiveResponseXML or connectionError → {@link classifyHresult}
 * - QBWCnnnn codes (the Web Connector's own errors) → {@link classifyQbwcCode}, or
 *   {@link classifyQbwcLogLine} to find one in free text (QWCLog.txt line, getLastError text).
 *
 * Every result says whether the signal is retryable (and after how long), whether a write was
 * definitely not applied (`notApplied`, for the write-safety logic), gives a bookkeeper-friendly
 * `userFacingMessage` and a `developerMessage` with the raw code, the category and QuickBooks' own
 * text verbatim.
 *
 * Semantics:
 * - `type` is null when QuickBooks processed the request (info and warnings); an ErrorType otherwise.
 * - `retryable` means "sending the same request again later can succeed without changing it". For
 *   connection errors that may need the bookkeeper to open QuickBooks first; permission and
 *   feature errors are not retryable until the bookkeeper changes a setting.
 * - `notApplied: true` only when QuickBooks definitely did not apply the request (parse/validation
 *   errors, rejected writes, stopOnError-skipped 3231, connection failures before the request was
 *   sent). `false` when it was applied (info/warnings). Absent when the outcome may be unknown.
 * - When a meaning is not established by any source, the developerMessage says so.
 *
 * Pure and dependency-free: lookup tables and regexes are built once at load time.
 */
export type { Basis, Category, Classification, ErrorType, Rule, Severity } from './errors/types';
export { CATEGORIES, CATEGORY_DESCRIPTIONS } from './errors/types';
export { classifyStatus, KNOWN_STATUS_CODES, parseSeverity, statusRule, type StatusInput } from './errors/status';
export { classifyHresult, KNOWN_HRESULTS, normalizeHresult, type HresultInput } from './errors/hresult';
export { classifyQbwcCode, classifyQbwcLogLine, KNOWN_QBWC_CODES, type QbwcInput } from './errors/qbwc';
