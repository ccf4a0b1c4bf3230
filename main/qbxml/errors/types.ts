/**
 * Types shared by the QuickBooks / Web Connector error classifier (see `../errors.ts`).
 * Pure declarations: no runtime code here apart from the category list.
 */

/** Conductor-style buckets (see shared/reference/cloud.md §7.3). */
export type ErrorType =
  /** QuickBooks rejected the data (caller/data problem). */
  | 'INTEGRATION_ERROR'
  /** QuickBooks / Web Connector side: not running, file not open, access denied… only the bookkeeper can fix. */
  | 'INTEGRATION_CONNECTION_ERROR'
  /** Malformed request (qbXML parse error 0x80040400, bad element order, missing required element…). */
  | 'INVALID_REQUEST_ERROR'
  /** Our own side (the companion's SOAP service) misbehaved. */
  | 'INTERNAL_ERROR';

export type Severity = 'info' | 'warning' | 'error';

export interface Classification {
  /** Stable code for programs: 'QB_STATUS_3200', 'HRESULT_0x80040400', 'QBWC1012', 'QB_STATUS_OK'… */
  code: string;
  source: 'qbxml_status' | 'hresult' | 'qbwc';
  /** The raw code as QuickBooks/QBWC gave it: '3200', '0x80040400', 'QBWC1012'. */
  rawCode: string;
  severity: Severity;
  /** null for success / info / warnings (the request was processed), an ErrorType otherwise. */
  type: ErrorType | null;
  /** Short machine category, one of {@link CATEGORIES}. */
  category: string;
  retryable: boolean;
  /** Suggested wait before retry, when retryable (e.g. locks: 60 s). */
  retryAfterSeconds?: number;
  /**
   * For writes: did QuickBooks definitely NOT apply the request? true for parse errors, validation
   * errors, stopOnError-skipped (3231); false/undefined when the outcome may be unknown (or the
   * request was applied). The write-safety logic uses this to decide between 'error' and 'unknown_outcome'.
   */
  notApplied?: boolean;
  userFacingMessage: string;
  developerMessage: string;
}

/**
 * Every category the classifier can return, with what it means. `retryable` is decided per code,
 * not per category (e.g. `locked` is retryable, `permission` is not).
 */
export const CATEGORY_DESCRIPTIONS = {
  // --- success / informational -------------------------------------------------------------
  ok: 'Request processed (status 0, empty HRESULT, S_OK).',
  no_match: 'Query found nothing (status 1). An empty result, not an error.',
  info: 'Other informational status (unknown code in 0–499, or an Info severity reported by QuickBooks).',
  ui: 'Web Connector user-interface notice (nothing selected, no application loaded…). Not an error.',
  // --- warnings (request was processed) ----------------------------------------------------------
  partial: 'Query only partly completed: some requested objects were not found (status 500).',
  warning: 'Processed with a warning (5xx/6xx statuses, Warn severity, QBWC1015).',
  // --- QuickBooks rejected the data (INTEGRATION_ERROR) ------------------------------------------
  invalid_value: 'A field value could not be converted or was rejected (3000-range format errors, 3090, 3210).',
  duplicate_name: 'The name of a list element is already in use (3100).',
  not_found: 'The object named in the request does not exist (3120).',
  invalid_reference: 'A reference (CustomerRef, ItemRef…) points at something that does not exist (3140).',
  cannot_delete: 'QuickBooks refused to delete the object (3160).',
  closing_date: 'The transaction is dated on or before the closing date (3161, 3171).',
  locked: 'Record/list in use, locked or modified by another user: retry later (3170, 3175, 3176, 3180; HRESULT 0x8004041B).',
  save_failed: 'Error when saving/modifying (3170/3180) for a reason other than a lock; QuickBooks gave its reason.',
  stale_edit_sequence: 'EditSequence out of date (3200): re-read the record, then retry.',
  not_processed: 'Skipped because an earlier request in the set failed under stopOnError (3231).',
  feature_unavailable: 'Feature off in Preferences, not in this edition, or subscription missing (3250, 3262, 3264, 0x8004041F).',
  permission: 'The QuickBooks user or the integrated application lacks permission (3220, 3260, 3261, 3263; access-denied HRESULTs).',
  general_error: 'Unknown code in the 1000–1999 "general error" range.',
  macro: 'Macro (defMacro/useMacro) error, 9100–9199.',
  // --- malformed request (INVALID_REQUEST_ERROR) ---------------------------------------------------
  invalid_request: 'Malformed or incomplete request: parse error 0x80040400, missing required element (3150), invalid requestID (1060).',
  unsupported_request: 'Request type not supported by this QuickBooks (1030, 2000–2999 QBOE-only sign-on codes).',
  unsupported_version: 'The requested qbXML version is not supported by this QuickBooks (0x80040423).',
  // --- QuickBooks side (INTEGRATION_CONNECTION_ERROR) ---------------------------------------------
  qb_internal: 'QuickBooks internal / unexpected error (1000, 0x80040402, 0x8004041C).',
  unavailable: 'QuickBooks says the system is not available (1010).',
  connection: 'QuickBooks could not be reached/started, wrong or no company file open, modal dialog, session ended.',
  // --- Web Connector side ------------------------------------------------------------------------
  configuration: 'The Web Connector rejected or lost the application registration (QWC file, URLs, OwnerID/FileID).',
  certificate: 'The Web Connector could not verify a server certificate (QBWC1048).',
  credentials: 'The Web Connector has no password, a wrong one, or cannot decrypt it.',
  version: 'The companion refused this Web Connector version during clientVersion (QBWC1037).',
  qbwc_local: 'The Web Connector itself failed on this PC (log file, QBXMLRP2 setup).',
  update_failed: 'A (scheduled) Web Connector update finished with errors; details are in QWCLog.txt.',
  web_service: "A call from the Web Connector to the companion's SOAP service failed (our side or transport).",
  // --- fallback --------------------------------------------------------------------------------------
  unknown: 'Code whose meaning is not established by the sources this classifier was built from.',
} as const;

export type Category = keyof typeof CATEGORY_DESCRIPTIONS;

export const CATEGORIES: readonly Category[] = Object.keys(CATEGORY_DESCRIPTIONS) as Category[];

/**
 * One row of a lookup table. `basis` records how well the meaning is established:
 * - 'intuit'      Intuit documentation (status-code table, QBWC Programmer's Guide App. A, SDK samples).
 * - 'observed'    Seen in real responses / logs / peer code (samples under shared/reference).
 * - 'third_party' Only third-party documentation describes it; the developerMessage says so.
 * - 'sdk'         From the QuickBooks SDK error list as quoted by public integrations; the
 *                 developerMessage says "(meaning per QuickBooks SDK documentation)".
 * - 'unverified'  No authoritative text found; the developerMessage says so.
 * - 'range'       Not in any table: only the documented status range applies (meaning text says so).
 */
export type Basis = 'intuit' | 'observed' | 'third_party' | 'sdk' | 'unverified' | 'range';

export interface Rule {
  readonly category: Category;
  readonly type: ErrorType | null;
  readonly severity: Severity;
  readonly retryable: boolean;
  readonly retryAfterSeconds?: number;
  readonly notApplied?: boolean;
  /** Short meaning, used in developerMessage (and when no message text was supplied). */
  readonly meaning: string;
  /** Developer next step, appended to the developerMessage. */
  readonly advice: string;
  /** Bookkeeper text: 1–3 sentences, second person, plain language. */
  readonly user: string;
  readonly basis: Basis;
}
