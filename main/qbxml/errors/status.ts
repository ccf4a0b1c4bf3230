/**
 * qbXML statusCode classification (the `statusCode` / `statusSeverity` / `statusMessage`
 * attributes of every `…Rs` element).
 *
 * Sources (facts only; all wording here is ours):
 * - Intuit "Status codes in response messages" / OSR `QBD-errorcodes.html` (ranges, 0–1060, 2000–2040,
 *   3000–3031), via shared/reference/qbxml.md §2.2.
 * - Real responses: shared/reference/qbxml/samples/error_status_snippets.xml (1, 3090, 3140, 3180,
 *   3200, 3231) and the qbwc gem fixtures (3120, 500).
 * - Peer code: consolibyte/quickbooks-php `QuickBooks/Callbacks/SQL/Errors.php` (3100, 3150, 3170–3180
 *   retried when the message mentions locking, 3210, 3250, 3260, 3261).
 * - Third-party docs only (flagged in developerMessage): 3035 (QODBC copy of Intuit's table), 3040,
 *   3070, 3160, 3161, 3171, 3175, 3176, 3220, 3262, 3263, 3264 (QuBe / ayssoftware help).
 * - Not found anywhere: 9001 and every code not listed below → range fallback, flagged as unknown.
 */
import {
  decodeQuotes,
  developerMessage,
  given,
  INTEGRATED_APP_PROPERTIES,
  quickBooksReason,
  safeQuoted,
} from './text';
import { ruleFactory } from './rule';
import type { Classification, ErrorType, Rule, Severity } from './types';

// ---------------------------------------------------------------------------------------------
// Shared bookkeeper texts
// ---------------------------------------------------------------------------------------------

const APP_PROBLEM =
  "This is a problem in the app that sent the request, not in your QuickBooks data, and nothing was changed in QuickBooks. Please contact the app's support team.";

const PERMISSION_USER =
  `The QuickBooks user this app signs in as is not allowed to do this. Ask your QuickBooks administrator to give that user more access (the user is shown under ${INTEGRATED_APP_PROPERTIES}), then try again.`;

const LOCK_ADVICE =
  'Another QuickBooks user or window holds the record/list; retry the same request later (no changes needed).';

const GENERIC_WARNING_USER =
  'QuickBooks completed your request but reported a warning. Check the record in QuickBooks to make sure it looks right.';
const GENERIC_INFO_USER = 'QuickBooks completed your request.';
const GENERIC_ERROR_USER =
  'QuickBooks could not complete your request. Check the details you entered and try again; if it keeps happening, contact support.';

// ---------------------------------------------------------------------------------------------
// Rule builders
// ---------------------------------------------------------------------------------------------

function info(category: Rule['category'], meaning: string, user: string, advice = ''): Rule {
  return { category, type: null, severity: 'info', retryable: false, notApplied: false, meaning, advice, user, basis: 'intuit' };
}

function warn(category: Rule['category'], meaning: string, advice: string, user: string): Rule {
  return { category, type: null, severity: 'warning', retryable: false, notApplied: false, meaning, advice, user, basis: 'intuit' };
}

// QuickBooks answered the request with an error status, i.e. it rejected it.
const error = ruleFactory({ type: 'INTEGRATION_ERROR', basis: 'observed' });

const QBOE_ONLY = (what: string): Rule =>
  error(
    'unsupported_request',
    `${what} (QuickBooks Online Edition sign-on code; not expected from QuickBooks Desktop)`,
    'Check which product answered the request; QuickBooks Desktop does not use the QBOE sign-on codes.',
    "This request is not supported by QuickBooks Desktop. Please contact the app's support team.",
    { basis: 'intuit' },
  );

// ---------------------------------------------------------------------------------------------
// The table
// ---------------------------------------------------------------------------------------------

const STATUS_RULES: ReadonlyMap<number, Rule> = new Map<number, Rule>([
  // ----- 0–499 Info -----
  [0, info('ok', 'Status OK: QuickBooks processed the request', GENERIC_INFO_USER)],
  [
    1,
    info(
      'no_match',
      'No match: the query found no matching objects. This is an empty result, not an error',
      'QuickBooks has no records that match what you asked for. Nothing needs fixing; change the search if you expected results.',
      'Treat as an empty result set.',
    ),
  ],
  // ----- 500–999 Warn (the request was processed) -----
  [
    500,
    warn(
      'partial',
      'One or more objects cannot be found: the query was not fully completed (partial result)',
      'Use the data that was returned; the objects named in the message do not exist in QuickBooks.',
      'QuickBooks returned only part of what you asked for because some records could not be found. Check that the missing records still exist in QuickBooks.',
    ),
  ],
  [
    501,
    warn(
      'warning',
      'Object not in this qbXML specification: it cannot be represented in the requested qbXML version',
      "Request a newer qbXML version if the HCP's SupportedQBXMLVersion list allows it.",
      'Some information could not be included because of the QuickBooks version in use. The rest of your request was completed; updating QuickBooks may help.',
    ),
  ],
  [
    510,
    warn(
      'warning',
      'Object cannot be returned',
      'Query the object separately if you need it.',
      'QuickBooks completed your request but could not send back one of the records. You can check that record directly in QuickBooks.',
    ),
  ],
  [
    530,
    warn(
      'warning',
      'Unsupported field: the field is not supported by this QuickBooks and was ignored',
      'Stop sending this field to this QuickBooks edition/version (gate it on the HCP / PreferencesQuery).',
      'QuickBooks skipped a field that your version of QuickBooks does not support. The rest of your request was completed.',
    ),
  ],
  [
    531,
    warn(
      'warning',
      'Unsupported enum value: the value is not supported by this QuickBooks',
      'Stop sending this enum value to this QuickBooks edition/version.',
      'QuickBooks skipped a value that your version of QuickBooks does not support. The rest of your request was completed.',
    ),
  ],
  [
    540,
    warn(
      'warning',
      'Max-returned warning: more matches than the absolute upper limit of 1000 (QuickBooks Online Edition only)',
      'Page with iterators / MaxReturned, or narrow the filters.',
      'QuickBooks returned the most records it allows at once. Narrow your search to see the rest.',
    ),
  ],
  [
    550,
    warn(
      'warning',
      'Cannot save notes: the object was saved but its Notes record could not be saved',
      'The object itself was saved; resend the notes separately if they matter.',
      'Your record was saved in QuickBooks, but its notes could not be saved. You can add the notes directly in QuickBooks.',
    ),
  ],
  [
    560,
    warn(
      'warning',
      'Deprecated field used: still supported but may be removed in a future release',
      'Stop using the deprecated field.',
      'QuickBooks completed your request. No action is needed from you.',
    ),
  ],
  [
    570,
    warn(
      'warning',
      'Cannot link to transaction: the transaction has already been closed',
      'The object was saved without the link; check link targets (LinkToTxn) before sending.',
      'Your record was saved, but QuickBooks could not link it to a transaction that is already closed. Check the link in QuickBooks if it matters to you.',
    ),
  ],
  [
    600,
    warn(
      'warning',
      'No cleared state to return (error-recovery status query)',
      'Nothing to recover for this message set.',
      'QuickBooks had no earlier status to report. No action is needed from you.',
    ),
  ],
  // ----- 1000–1999 general errors -----
  [
    1000,
    error(
      'qb_internal',
      'Internal error: QuickBooks had an internal error while processing the request',
      'Retry later; if it keeps failing for the same request, inspect the request and qbsdklog.txt on the QuickBooks PC.',
      'QuickBooks ran into an internal problem while handling your request. It will be tried again automatically; if it keeps failing, restart QuickBooks.',
      { type: 'INTEGRATION_CONNECTION_ERROR', retryable: true, retryAfterSeconds: 60, notApplied: undefined, basis: 'intuit' },
    ),
  ],
  [
    1010,
    error(
      'unavailable',
      'System not available',
      'Retry later.',
      'QuickBooks is not available right now. Make sure QuickBooks is open and not busy; your request will be tried again automatically.',
      { type: 'INTEGRATION_CONNECTION_ERROR', retryable: true, retryAfterSeconds: 60, notApplied: undefined, basis: 'intuit' },
    ),
  ],
  [
    1030,
    error(
      'unsupported_request',
      'Unsupported message: this request is not supported by this QuickBooks',
      'Check the request type against the QuickBooks edition/version (HCP) before sending.',
      "Your version or edition of QuickBooks does not support this kind of request. Updating QuickBooks may help; otherwise contact the app's support team.",
      { type: 'INVALID_REQUEST_ERROR', basis: 'intuit' },
    ),
  ],
  [
    1060,
    error(
      'invalid_request',
      'Invalid requestID, possibly too long (the maximum is 50 characters)',
      'Keep requestID at most 50 characters.',
      APP_PROBLEM,
      { type: 'INVALID_REQUEST_ERROR', basis: 'intuit' },
    ),
  ],
  // ----- 2000–2999 not supported for QuickBooks (QBOE sign-on) -----
  [2000, QBOE_ONLY('Authentication failed')],
  [2010, QBOE_ONLY('Access not authorized')],
  [2020, QBOE_ONLY('Session authentication required')],
  [2030, QBOE_ONLY('Unsupported sign-on version')],
  [2040, QBOE_ONLY('Sign-on internal error')],
  // ----- 3000–3099 format errors (caller data) -----
  [
    3000,
    error(
      'invalid_value',
      'Invalid object ID: the ListID/TxnID given in a field is invalid',
      'Re-resolve the ListID/TxnID (the object may have been deleted, or the ID belongs to another company file).',
      'QuickBooks did not recognise the ID of a record in your request, so nothing was saved. Check that the record still exists in QuickBooks, then try again.',
      { basis: 'intuit' },
    ),
  ],
  [
    3010,
    error(
      'invalid_value',
      'Invalid boolean value in a field',
      'Send "true" or "false".',
      'QuickBooks could not read a yes/no value in your request, so nothing was saved. Check the values you entered and try again.',
      { basis: 'intuit' },
    ),
  ],
  [
    3020,
    error(
      'invalid_value',
      'Invalid date value in a field',
      'Send DATETYPE as YYYY-MM-DD and DATETIMETYPE as ISO 8601.',
      'QuickBooks could not read a date in your request, so nothing was saved. Check the dates you entered and try again.',
      { basis: 'intuit' },
    ),
  ],
  [
    3030,
    error(
      'invalid_value',
      'Invalid date range: the From date is after the To date',
      'Swap or fix the range bounds.',
      'QuickBooks could not use a date range in your request because it ends before it starts. Fix the dates and try again.',
      { basis: 'intuit' },
    ),
  ],
  [
    3031,
    error(
      'invalid_value',
      'Invalid string range: the From/To values are invalid',
      'Fix the range bounds.',
      'QuickBooks could not use a range in your request because its start comes after its end. Fix the range and try again.',
      { basis: 'intuit' },
    ),
  ],
  [
    3035,
    error(
      'invalid_value',
      'Invalid time interval value in a field',
      'Send TIMEINTERVALTYPE values such as PT8H30M.',
      'QuickBooks could not read a time or duration in your request, so nothing was saved. Check the times you entered and try again.',
      { basis: 'third_party' },
    ),
  ],
  [
    3040,
    error(
      'invalid_value',
      'Invalid amount value in a field',
      'Send AMTTYPE values as plain decimals with at most two decimal places.',
      'QuickBooks could not accept an amount in your request, so nothing was saved. Check the amounts you entered and try again.',
      { basis: 'third_party' },
    ),
  ],
  [
    3070,
    error(
      'invalid_value',
      'String too long for the field',
      'Truncate to the maximum length the qbXML schema gives for this field and edition.',
      'Some text in your request is longer than QuickBooks allows, so nothing was saved. Shorten it (for example a name, address line or memo) and try again.',
      { basis: 'third_party' },
    ),
  ],
  [
    3090,
    error(
      'invalid_value',
      'Error storing a field value: QuickBooks rejected the value (e.g. a colon in a list name)',
      'Fix the value named in the message; QuickBooks gives its reason after "QuickBooks error message:".',
      'QuickBooks could not save a value you entered, so nothing was saved. Fix the value and try again.',
    ),
  ],
  // ----- 3100–9099 other errors -----
  [
    3100,
    error(
      'duplicate_name',
      'Name of list element is already in use (names must be unique)',
      'Query by name and link to the existing element, or choose another name. Customer, vendor, employee and other-name lists share one name space.',
      'QuickBooks already has a record with this name, and names must be unique (a customer and a vendor cannot share a name either). Use a different name, or link to the existing record instead.',
    ),
  ],
  [
    3120,
    error(
      'not_found',
      'Object specified in the request cannot be found',
      'The ListID/TxnID no longer exists (deleted, merged, or from another company file); re-resolve it.',
      'QuickBooks could not find the record this request refers to; it may have been deleted. Check that it still exists in QuickBooks, then try again.',
    ),
  ],
  [
    3140,
    error(
      'invalid_reference',
      'Invalid reference to a QuickBooks object: the referenced list element or transaction does not exist',
      'Create or re-resolve the referenced object (e.g. the Customer or Item) before sending this request.',
      'Something this record refers to (such as a customer, item or account) does not exist in QuickBooks. Check the names, or add the missing record in QuickBooks, then try again.',
    ),
  ],
  [
    3150,
    error(
      'invalid_request',
      'Missing required element',
      'Add the required element (see the qbXML schema for this request and version).',
      "Your request was missing information QuickBooks requires, so nothing was saved. Fill in all required fields and try again; if everything looks complete, contact the app's support team.",
      { type: 'INVALID_REQUEST_ERROR' },
    ),
  ],
  [
    3160,
    error(
      'cannot_delete',
      'The object cannot be deleted',
      'Objects that are used by other records cannot be deleted; make them inactive instead.',
      'QuickBooks would not delete this record, usually because other records still use it. Change or remove those records first, or make this one inactive instead.',
      { basis: 'third_party' },
    ),
  ],
  [
    3161,
    error(
      'closing_date',
      'Cannot delete a transaction dated on or before the closing date',
      'Needs a QuickBooks administrator (closing date / closing date password).',
      'QuickBooks would not delete this transaction because it is dated on or before your closing date. If it really must go, ask your QuickBooks administrator to review the closing date under Edit > Preferences > Accounting > Company Preferences.',
      { type: 'INTEGRATION_CONNECTION_ERROR', basis: 'third_party' },
    ),
  ],
  [
    3170,
    error(
      'locked',
      'Error when modifying an element (e.g. "This list has been modified by another user")',
      LOCK_ADVICE,
      'Someone else is changing the same record or list in QuickBooks, so your change could not be saved yet. It will be tried again automatically in about a minute; closing open records in QuickBooks helps.',
      { retryable: true, retryAfterSeconds: 60 },
    ),
  ],
  [
    3171,
    error(
      'closing_date',
      'Cannot modify a transaction dated on or before the closing date',
      'Needs a QuickBooks administrator (closing date / closing date password).',
      'QuickBooks would not change this transaction because it is dated on or before your closing date. If it really must change, ask your QuickBooks administrator to review the closing date under Edit > Preferences > Accounting > Company Preferences.',
      { type: 'INTEGRATION_CONNECTION_ERROR', basis: 'third_party' },
    ),
  ],
  [
    3175,
    error(
      'locked',
      'Object in use: it cannot be changed right now',
      LOCK_ADVICE,
      'This record is open or in use in QuickBooks, so your change could not be saved yet. Close the record in QuickBooks if it is open; the change will be tried again automatically.',
      { retryable: true, retryAfterSeconds: 60, basis: 'third_party' },
    ),
  ],
  [
    3176,
    error(
      'locked',
      'Object locked',
      LOCK_ADVICE,
      'This record is locked in QuickBooks, usually because someone has it open, so your change could not be saved yet. Close the record in QuickBooks if it is open; the change will be tried again automatically.',
      { retryable: true, retryAfterSeconds: 60, basis: 'third_party' },
    ),
  ],
  [
    3180,
    error(
      'locked',
      'Error when saving an element (e.g. "This list has been modified by another user")',
      LOCK_ADVICE,
      'Someone else is changing the same record or list in QuickBooks, so your change could not be saved yet. It will be tried again automatically in about a minute; closing open records in QuickBooks helps.',
      { retryable: true, retryAfterSeconds: 60 },
    ),
  ],
  [
    3200,
    error(
      'stale_edit_sequence',
      'The provided EditSequence is out of date: the object changed in QuickBooks after it was read',
      'Re-read the record to get its current EditSequence and retry (apply your change to the fresh copy; do not blindly overwrite).',
      'This record was changed in QuickBooks since it was last loaded, so your update was not saved. Reload the record, check your changes, and save again.',
      { retryable: true, retryAfterSeconds: 0 },
    ),
  ],
  [
    3210,
    error(
      'invalid_value',
      'Invalid field value: QuickBooks rejected the value (e.g. "You cannot pay more than the amount due")',
      'Fix the value named in the message; QuickBooks gives its reason after "QuickBooks error message:".',
      'QuickBooks did not accept a value in your request, so nothing was saved. Fix the value and try again.',
    ),
  ],
  [
    3220,
    error('permission', 'Not authorized', 'Needs a QuickBooks administrator to grant access.', PERMISSION_USER, {
      type: 'INTEGRATION_CONNECTION_ERROR',
      basis: 'third_party',
    }),
  ],
  [
    3231,
    error(
      'not_processed',
      'The request has not been processed: it was skipped because an earlier request in the same message set failed (onError="stopOnError")',
      'Resend it after handling the failed request; it was not applied.',
      'QuickBooks skipped this request because an earlier request sent with it failed, so nothing was changed for it. You can simply send it again once the earlier problem is fixed.',
      { retryable: true, retryAfterSeconds: 0 },
    ),
  ],
  [
    3250,
    error(
      'feature_unavailable',
      'This feature is not enabled or not available in this version of QuickBooks',
      'Gate on PreferencesQuery (IsUsingInventory, IsUsingClassTracking, IsMultiCurrencyOn, IsUsingPriceLevels, IsUsingEstimates…) before sending; retry only after the bookkeeper turns the feature on.',
      'This needs a QuickBooks feature that is turned off or not included in your edition. If your edition has it, turn it on in QuickBooks under Edit > Preferences (for example inventory under Items & Inventory, or class tracking under Accounting), then try again.',
      { type: 'INTEGRATION_CONNECTION_ERROR' },
    ),
  ],
  [
    3260,
    error(
      'permission',
      'Insufficient permission level to perform this action',
      'The QuickBooks user the application logs in as lacks rights; a QuickBooks administrator must grant them.',
      PERMISSION_USER,
      { type: 'INTEGRATION_CONNECTION_ERROR' },
    ),
  ],
  [
    3261,
    error(
      'permission',
      'The integrated application has no permission to access personal data',
      'Check PreferencesRet/CurrentAppAccessRights/IsPersonalDataAccessAllowed; request it with PersonalDataPref in the QWC if you need it.',
      `QuickBooks does not let this app see personal data in your company file, such as Social Security or credit card numbers. To allow it, sign in to QuickBooks as Admin, go to ${INTEGRATED_APP_PROPERTIES}, and tick the box that allows access to personal data, then try again.`,
      { type: 'INTEGRATION_CONNECTION_ERROR' },
    ),
  ],
  [
    3262,
    error(
      'feature_unavailable',
      'Payroll subscription required',
      'Gate payroll requests on an active payroll subscription.',
      'This needs an active QuickBooks payroll subscription. Check that your payroll subscription is active, then try again.',
      { type: 'INTEGRATION_CONNECTION_ERROR', basis: 'third_party' },
    ),
  ],
  [
    3263,
    error(
      'permission',
      'Read-only access: the application/user may only read data',
      'The app or user only has read access in QuickBooks.',
      'QuickBooks only lets this app read your data, not change it. Ask your QuickBooks administrator to allow this app to make changes, then try again.',
      { type: 'INTEGRATION_CONNECTION_ERROR', basis: 'third_party' },
    ),
  ],
  [
    3264,
    error(
      'feature_unavailable',
      'Merchant-services subscription required',
      'Gate these requests on an active merchant-services subscription.',
      'This needs an active QuickBooks merchant services subscription. Check that the subscription is active, then try again.',
      { type: 'INTEGRATION_CONNECTION_ERROR', basis: 'third_party' },
    ),
  ],
]);

/** Every statusCode with a specific rule (the rest fall back by range). */
export const KNOWN_STATUS_CODES: readonly number[] = [...STATUS_RULES.keys()];

// ---------------------------------------------------------------------------------------------
// Range fallback for codes not in the table
// ---------------------------------------------------------------------------------------------

const UNKNOWN_NOTE = 'This status code is not documented in the sources this classifier was built from';

const RANGE_INFO: Rule = { ...info('info', `Informational status (0–499 range). ${UNKNOWN_NOTE}`, GENERIC_INFO_USER), basis: 'range' };
const RANGE_WARN: Rule = { ...warn('warning', `Warning status (500–999 range): processed, results may differ from what you expected. ${UNKNOWN_NOTE}`, 'Check the returned data.', GENERIC_WARNING_USER), basis: 'range' };
const RANGE_GENERAL = error(
  'general_error',
  `General error (1000–1999 range), no data returned. ${UNKNOWN_NOTE}`,
  'Retry once later; if it persists, inspect the request and qbsdklog.txt.',
  'QuickBooks reported a general problem with your request. Try again later; if it keeps happening, restart QuickBooks and contact support.',
  { notApplied: undefined, basis: 'range' },
);
const RANGE_UNSUPPORTED = error(
  'unsupported_request',
  `Not supported for QuickBooks (2000–2999 range, QBOE sign-on codes). ${UNKNOWN_NOTE}`,
  'QuickBooks Desktop is not expected to return these.',
  "This request is not supported by QuickBooks Desktop. Please contact the app's support team.",
  { basis: 'range' },
);
const RANGE_FORMAT = error(
  'invalid_value',
  `Format error (3000–3099 range): a value in the request could not be converted. ${UNKNOWN_NOTE}`,
  'Check the field named in the message against the qbXML type.',
  'QuickBooks could not read a value in your request, so nothing was saved. Check the values you entered and try again.',
  { basis: 'range' },
);
const RANGE_OTHER = error(
  'unknown',
  `Error (3100–9099 range), no data returned. ${UNKNOWN_NOTE}; do not assume a meaning`,
  'Read statusMessage; treat the outcome of a write as unknown until verified.',
  GENERIC_ERROR_USER,
  { notApplied: undefined, basis: 'range' },
);
const RANGE_MACRO = error(
  'macro',
  `Macro error (9100–9199 range: defMacro/useMacro). ${UNKNOWN_NOTE}`,
  'Check defMacro/useMacro names and order within the message set.',
  APP_PROBLEM.replace(', and nothing was changed in QuickBooks', ''),
  { notApplied: undefined, basis: 'range' },
);
const OUT_OF_RANGE = error(
  'unknown',
  `Status code outside every documented range. ${UNKNOWN_NOTE}; do not assume a meaning`,
  'Read statusMessage; treat the outcome of a write as unknown until verified.',
  GENERIC_ERROR_USER,
  { notApplied: undefined, basis: 'range' },
);

function rangeRule(n: number): Rule {
  if (n < 0) return OUT_OF_RANGE;
  if (n <= 499) return RANGE_INFO;
  if (n <= 999) return RANGE_WARN;
  if (n <= 1999) return RANGE_GENERAL;
  if (n <= 2999) return RANGE_UNSUPPORTED;
  if (n <= 3099) return RANGE_FORMAT;
  if (n <= 9099) return RANGE_OTHER;
  if (n <= 9199) return RANGE_MACRO;
  return OUT_OF_RANGE;
}

/** The rule for a statusCode: the specific one when documented, the range fallback otherwise. */
export function statusRule(n: number): Rule {
  return STATUS_RULES.get(n) ?? rangeRule(n);
}

// ---------------------------------------------------------------------------------------------
// Message-dependent refinements
// ---------------------------------------------------------------------------------------------

/** 3170/3180 are retried only when QuickBooks' text points at a lock (as quickbooks-php does). */
const LOCK_HINT = /another user|\block|in use|being used|busy/i;
const REFERENCE = /invalid reference to QuickBooks ([A-Za-z][A-Za-z ]{0,40}?) "([^"]{1,100})"/i;
const NAME_IN_USE = /name "([^"]{1,100})"/i;

interface Refined {
  rule: Rule;
  user: string;
}

function refine(code: number, rule: Rule, msg: string | undefined): Refined {
  if (msg === undefined) return { rule, user: rule.user };
  switch (code) {
    case 3170:
    case 3180: {
      if (LOCK_HINT.test(msg)) return { rule, user: rule.user };
      const reason = quickBooksReason(msg);
      if (reason === undefined) return { rule, user: rule.user };
      // QuickBooks said why it could not save, and it is not a lock: retrying will not help.
      const { retryAfterSeconds: _unused, ...rest } = rule;
      const saveFailed: Rule = {
        ...rest,
        category: 'save_failed',
        retryable: false,
        advice: 'QuickBooks gave a non-lock reason after "QuickBooks error message:"; fix the data, do not retry as-is.',
      };
      return {
        rule: saveFailed,
        user: `QuickBooks could not save your record, so nothing was changed. QuickBooks says: "${reason}" Fix that and try again.`,
      };
    }
    case 3090:
    case 3210: {
      const reason = quickBooksReason(msg);
      if (reason === undefined) return { rule, user: rule.user };
      const lead = code === 3090 ? 'QuickBooks could not save a value you entered' : 'QuickBooks did not accept a value in your request';
      return { rule, user: `${lead}, so nothing was saved. QuickBooks says: "${reason}" Fix the value and try again.` };
    }
    case 3140: {
      const m = REFERENCE.exec(decodeQuotes(msg));
      const kind = safeQuoted(m?.[1]);
      const name = safeQuoted(m?.[2]);
      if (kind === undefined || name === undefined) return { rule, user: rule.user };
      return {
        rule,
        user: `QuickBooks could not find the ${kind.toLowerCase()} "${name}" that this record refers to. Check the spelling, or add "${name}" in QuickBooks first, then try again.`,
      };
    }
    case 3100: {
      const name = safeQuoted(NAME_IN_USE.exec(decodeQuotes(msg))?.[1]);
      if (name === undefined) return { rule, user: rule.user };
      return {
        rule,
        user: `QuickBooks already has a record named "${name}", and names must be unique (a customer and a vendor cannot share a name either). Use a different name, or link to the existing record instead.`,
      };
    }
    default:
      return { rule, user: rule.user };
  }
}

// ---------------------------------------------------------------------------------------------
// classifyStatus
// ---------------------------------------------------------------------------------------------

const SEVERITY_WORDS: ReadonlyMap<string, Severity> = new Map([
  ['info', 'info'],
  ['information', 'info'],
  ['warn', 'warning'],
  ['warning', 'warning'],
  ['error', 'error'],
]);

const SEVERITY_LABEL: Readonly<Record<Severity, string>> = { info: 'Info', warning: 'Warn', error: 'Error' };

export function parseSeverity(s: string | undefined): Severity | undefined {
  return s === undefined ? undefined : SEVERITY_WORDS.get(s.trim().toLowerCase());
}

const INTEGER = /^[+-]?\d{1,9}$/;

function parseStatusCode(code: number | string): number | undefined {
  if (typeof code === 'number') return Number.isSafeInteger(code) ? code : undefined;
  if (typeof code !== 'string') return undefined;
  const t = code.trim();
  return INTEGER.test(t) ? Number.parseInt(t, 10) : undefined;
}

export interface StatusInput {
  statusCode: number | string;
  statusSeverity?: string;
  statusMessage?: string;
  requestType?: string;
}

export function classifyStatus(input: StatusInput): Classification {
  const rawCode = String(input.statusCode ?? '').trim();
  const n = parseStatusCode(input.statusCode);
  const msg = given(input.statusMessage);
  const reported = parseSeverity(input.statusSeverity);
  const requestType = given(input.requestType);

  if (n === undefined) {
    // Not an integer: nothing can be said about it. Trust the reported severity, if any.
    const severity: Severity = reported ?? 'error';
    const out: Classification = {
      code: 'QB_STATUS_INVALID',
      source: 'qbxml_status',
      rawCode,
      severity,
      type: severity === 'error' ? 'INTEGRATION_ERROR' : null,
      category: severity === 'error' ? 'unknown' : severity === 'warning' ? 'warning' : 'info',
      retryable: false,
      userFacingMessage: severity === 'error' ? GENERIC_ERROR_USER : severity === 'warning' ? GENERIC_WARNING_USER : GENERIC_INFO_USER,
      developerMessage: '',
    };
    out.developerMessage = developerMessage(
      `QuickBooks status "${rawCode}"${input.statusSeverity ? ` (${input.statusSeverity.trim()})` : ''}${requestType ? ` on ${requestType}` : ''}`,
      msg,
      { meaning: 'statusCode is not an integer, so it cannot be classified', advice: 'Check how the status attributes were parsed.', basis: 'range' },
      out,
    );
    return out;
  }

  const base = statusRule(n);
  const { rule, user } = refine(n, base, msg);

  let severity: Severity = rule.severity;
  let type: ErrorType | null = rule.type;
  let retryable = rule.retryable;
  let retryAfterSeconds = rule.retryAfterSeconds;
  let notApplied = rule.notApplied;
  let userFacingMessage = user;
  let overrideNote: string | undefined;

  if (reported !== undefined && reported !== rule.severity) {
    // QuickBooks' own statusSeverity wins over the documented range.
    overrideNote = `statusSeverity "${input.statusSeverity?.trim()}" overrides the documented severity (${SEVERITY_LABEL[rule.severity]}) for this code`;
    severity = reported;
    if (reported === 'error') {
      type = 'INTEGRATION_ERROR';
      retryable = false;
      retryAfterSeconds = undefined;
      notApplied = undefined;
      userFacingMessage = GENERIC_ERROR_USER;
    } else if (rule.severity === 'error') {
      // Downgraded: QuickBooks says the request went through (with a warning / info).
      type = null;
      retryable = false;
      retryAfterSeconds = undefined;
      notApplied = undefined;
      userFacingMessage = reported === 'warning' ? GENERIC_WARNING_USER : GENERIC_INFO_USER;
    }
  }

  const out: Classification = {
    code: n === 0 ? 'QB_STATUS_OK' : `QB_STATUS_${n}`,
    source: 'qbxml_status',
    rawCode,
    severity,
    type,
    category: rule.category,
    retryable,
    userFacingMessage,
    developerMessage: '',
  };
  if (retryable && retryAfterSeconds !== undefined) out.retryAfterSeconds = retryAfterSeconds;
  if (notApplied !== undefined) out.notApplied = notApplied;

  const label = input.statusSeverity?.trim() || SEVERITY_LABEL[severity];
  out.developerMessage = developerMessage(
    `QuickBooks status ${n} (${label})${requestType ? ` on ${requestType}` : ''}`,
    msg,
    rule,
    out,
    overrideNote,
  );
  return out;
}
