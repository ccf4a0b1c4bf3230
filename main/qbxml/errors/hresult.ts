/**
 * HRESULT classification: the `hresult` / `message` pair QBWC passes to receiveResponseXML and
 * connectionError when the QuickBooks request processor (QBXMLRP2) threw instead of answering.
 *
 * Sources (facts only; wording is ours):
 * - 0x80040400 / 0x80040401 / 0x80040402: Intuit's WCWebService sample constants and the consolibyte
 *   qbXML FAQ (shared/reference/qbwc-protocol.md §3.7, qbxml.md §2.2); message text from the qbwc gem fixture.
 * - 0x80040408: johnballantyne/qbws#9. 0x8004040D: quickbooks-php SQL/Errors.php ("ticket parameter is
 *   invalid"). 0x80040416: Intuit "Making your application robust". 0x80040420: Conductor errors doc.
 * - The other 0x8004040x–0x8004042x codes: the QuickBooks SDK error list as quoted verbatim by public
 *   integrations (flagged "(meaning per QuickBooks SDK documentation)" in developerMessage).
 * - 0x80040154: the standard Windows COM code REGDB_E_CLASSNOTREG.
 * Anything else falls back to a generic, unverified classification.
 */
import { developerMessage, given, INTEGRATED_APP_PROPERTIES, OPEN_QUICKBOOKS_STEPS } from './text';
import { classificationOf, ruleFactory, type RuleOptions } from './rule';
import type { Basis, Category, Classification, Rule } from './types';

// The request processor threw before (or instead of) processing: nothing was applied, unless said otherwise.
const rule = ruleFactory({ type: 'INTEGRATION_CONNECTION_ERROR', basis: 'unverified' });
const h = (category: Category, basis: Basis, meaning: string, advice: string, user: string, opts: RuleOptions = {}): Rule =>
  rule(category, meaning, advice, user, { ...opts, basis });

const WAIT_FOR_BOOKKEEPER = { retryable: true, retryAfterSeconds: 300 } as const;

const CONNECTION_ADVICE =
  'QuickBooks-side condition only the bookkeeper can fix; keep the request queued and retry on a later Web Connector run (do not alert on it).';

const HRESULT_RULES: ReadonlyMap<string, Rule> = new Map<string, Rule>([
  [
    '0x80040400',
    h(
      'invalid_request',
      'intuit',
      'QuickBooks found an error when parsing the provided XML text stream (qbXML parse error)',
      'Check element order against the qbXML schema (order matters), missing required elements, XML escaping (& < >), the <?qbxml version="…"?> instruction, and elements not supported by that version. QuickBooks processed nothing.',
      "The app sent QuickBooks a request it could not read, so nothing was changed in QuickBooks. This is a problem in the app, not in your data; please contact the app's support team.",
      { type: 'INVALID_REQUEST_ERROR' },
    ),
  ],
  [
    '0x80040401',
    h(
      'connection',
      'intuit',
      'Could not access QuickBooks',
      `QuickBooks not running, no company file open, a modal dialog, or a broken install. ${CONNECTION_ADVICE}`,
      `The Web Connector could not reach QuickBooks. ${OPEN_QUICKBOOKS_STEPS}`,
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x80040402',
    h(
      'qb_internal',
      'intuit',
      'Unexpected error in the QuickBooks request processor',
      'See qbsdklog.txt on the QuickBooks PC. Treat the outcome of an in-flight write as unknown and verify before resending.',
      'QuickBooks ran into an unexpected problem. Restart QuickBooks and the Web Connector, then click Update Selected in the Web Connector.',
      { ...WAIT_FOR_BOOKKEEPER, notApplied: undefined },
    ),
  ],
  [
    '0x80040403',
    h(
      'connection',
      'sdk',
      'Could not open the specified QuickBooks company data file',
      `Check the company file path returned from authenticate (authRet[1]). ${CONNECTION_ADVICE}`,
      'QuickBooks could not open your company file. Make sure you can open the file in QuickBooks yourself and that nobody has it open in single-user mode on another computer, then try again.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x80040408',
    h(
      'connection',
      'observed',
      'Could not start QuickBooks',
      `Usually QuickBooks is not installed/started for this Windows user, or a dialog blocks start-up. ${CONNECTION_ADVICE}`,
      'The Web Connector could not start QuickBooks. Open QuickBooks yourself, sign in to the right company file, close any pop-up windows, and click Update Selected in the Web Connector.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x8004040A',
    h(
      'connection',
      'sdk',
      'A QuickBooks company data file is already open and it is different from the one requested',
      `Only one company file can be accessed at a time; return "" from authenticate to use the open file. ${CONNECTION_ADVICE}`,
      'A different company file is open in QuickBooks. Open the company file this app is connected to and try again; if you use several company files, leave QuickBooks open with no company file so the Web Connector can open the right one.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x8004040D',
    h(
      'connection',
      'observed',
      'The ticket parameter is invalid: the QuickBooks session is no longer valid',
      'QuickBooks was closed or restarted during the session; the request was not processed. Retry on the next Web Connector session.',
      'The connection to QuickBooks was interrupted, for example because QuickBooks was closed or restarted. Keep QuickBooks open; the Web Connector will reconnect on its next update.',
      { retryable: true, retryAfterSeconds: 60 },
    ),
  ],
  [
    '0x80040410',
    h(
      'connection',
      'sdk',
      'The QuickBooks company data file is currently open in a mode other than the one specified by the application',
      `Single-user vs multi-user mismatch. ${CONNECTION_ADVICE}`,
      'Your company file is open in a different mode (single-user or multi-user) than the Web Connector asked for. Switch the mode from the File menu in QuickBooks, or close and reopen the company file, then try again.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x80040414',
    h(
      'connection',
      'sdk',
      'A modal dialog box is showing in the QuickBooks user interface; the application cannot access QuickBooks until it is dismissed',
      `The most common cause of unattended failures. ${CONNECTION_ADVICE}`,
      'A window or message is open in QuickBooks and is blocking the Web Connector. Close all pop-up windows in QuickBooks, then click Update Selected in the Web Connector.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x80040416',
    h(
      'connection',
      'intuit',
      'If QuickBooks is not running, the company data file name must be supplied to BeginSession',
      `QuickBooks is not running and no company file path was given: return the full .QBW path from authenticate (authRet[1]) or have the bookkeeper open QuickBooks. ${CONNECTION_ADVICE}`,
      'QuickBooks is not running, so the Web Connector does not know which company file to open. Open QuickBooks with your company file, then click Update Selected in the Web Connector.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x80040417',
    h(
      'connection',
      'sdk',
      'QuickBooks is running with no company data file open, and no company file name was supplied to BeginSession',
      `Return the full .QBW path from authenticate (authRet[1]) or have the bookkeeper open the file. ${CONNECTION_ADVICE}`,
      'QuickBooks is open but no company file is, so the Web Connector does not know which one to use. Open your company file in QuickBooks, then click Update Selected in the Web Connector.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x80040418',
    h(
      'permission',
      'sdk',
      'This application has not accessed this QuickBooks company data file before; only the QuickBooks administrator can grant first-time access',
      'First-time authorization needs the QuickBooks Admin user at the QuickBooks PC. Do not retry until the bookkeeper has granted access.',
      'This app has not been allowed into this company file yet, and only the QuickBooks Admin user can allow it the first time. Sign in to QuickBooks as Admin with the company file open, click Update Selected in the Web Connector, and choose to allow access when QuickBooks asks.',
    ),
  ],
  [
    '0x8004041A',
    h(
      'permission',
      'sdk',
      'This application does not have permission to access this QuickBooks company data file',
      'The QuickBooks administrator must grant access in Integrated Applications preferences. Do not retry until then.',
      `QuickBooks does not allow this app to access your company file. Sign in to QuickBooks as Admin, go to ${INTEGRATED_APP_PROPERTIES}, allow access, then click OK and try again.`,
    ),
  ],
  [
    '0x8004041B',
    h(
      'locked',
      'sdk',
      'Unable to lock the information needed to give this application access to the company data file; try again later',
      'Transient lock inside QuickBooks; retry later.',
      'QuickBooks was busy and could not give the Web Connector access just now. You do not need to do anything; it will be tried again automatically in about a minute.',
      { retryable: true, retryAfterSeconds: 60 },
    ),
  ],
  [
    '0x8004041C',
    h(
      'qb_internal',
      'sdk',
      'An internal QuickBooks error occurred while trying to access the company data file',
      'See qbsdklog.txt on the QuickBooks PC; treat an in-flight write as unknown outcome.',
      'QuickBooks had an internal problem opening your company file. Restart QuickBooks, open the company file and try again; if it keeps happening, check the file with File > Utilities > Verify Data in QuickBooks.',
      { ...WAIT_FOR_BOOKKEEPER, notApplied: undefined },
    ),
  ],
  [
    '0x8004041D',
    h(
      'permission',
      'sdk',
      'This application is not allowed to log into this QuickBooks company data file automatically',
      'Unattended (auto-login) access must be granted by the QuickBooks administrator in Integrated Applications preferences.',
      `QuickBooks does not let this app sign in on its own. Sign in to QuickBooks as Admin, go to ${INTEGRATED_APP_PROPERTIES}, tick the option that allows the application to log in automatically, then click OK and try again.`,
    ),
  ],
  [
    '0x8004041E',
    h(
      'permission',
      'sdk',
      "This application's certificate has expired; the user must log into QuickBooks and choose Allow Always to keep automatic login",
      'Needs the bookkeeper at the QuickBooks PC to re-confirm access.',
      'QuickBooks needs you to confirm access for this app again. Open QuickBooks and your company file, click Update Selected in the Web Connector, and choose to always allow access when QuickBooks asks.',
    ),
  ],
  [
    '0x8004041F',
    h(
      'feature_unavailable',
      'sdk',
      'QuickBooks Basic cannot accept XML requests; QuickBooks Pro, Premier (2002 or later) or another SDK-capable edition is required',
      'This QuickBooks edition cannot be integrated.',
      'Your edition of QuickBooks cannot work with the Web Connector. You need QuickBooks Pro, Premier or Enterprise.',
    ),
  ],
  [
    '0x80040420',
    h(
      'permission',
      'observed',
      'The QuickBooks user has denied access',
      'The bookkeeper denied (or revoked) access for this application; only they can re-authorize it.',
      `QuickBooks is set to deny this app access. Sign in to QuickBooks as Admin, go to ${INTEGRATED_APP_PROPERTIES}, allow access and tick the option that allows it to log in automatically, then click OK and try again.`,
    ),
  ],
  [
    '0x80040422',
    h(
      'connection',
      'sdk',
      'This application requires single-user file access mode and another application is already sharing data with this company data file',
      CONNECTION_ADVICE,
      'QuickBooks needs the company file in single-user mode, but another program or person is using it. Close the other programs or ask other users to close the file, then try again.',
      WAIT_FOR_BOOKKEEPER,
    ),
  ],
  [
    '0x80040423',
    h(
      'unsupported_version',
      'sdk',
      'The requested qbXML version is not supported or is unknown',
      'Pick the request version from the HCP SupportedQBXMLVersion list (or qbXMLMajorVers/qbXMLMinorVers) instead of a fixed one. Nothing was processed.',
      "Your version of QuickBooks is older than this request needs. Update QuickBooks to the latest release, or contact the app's support team.",
      { type: 'INVALID_REQUEST_ERROR' },
    ),
  ],
  [
    '0x80040424',
    h(
      'connection',
      'sdk',
      'QuickBooks did not finish its initialization; try again later',
      'Transient; retry shortly.',
      'QuickBooks is still starting up. Wait a minute; the Web Connector will try again automatically.',
      { retryable: true, retryAfterSeconds: 60 },
    ),
  ],
  [
    '0x80040154',
    h(
      'connection',
      'observed',
      'REGDB_E_CLASSNOTREG (Windows COM: class not registered): the QuickBooks request processor (QBXMLRP2) is not registered on this PC',
      'QuickBooks / its SDK components are missing or broken (or a 32/64-bit mismatch).',
      'Parts of QuickBooks that the Web Connector needs are missing on this computer. Repair or reinstall QuickBooks Desktop, then try again.',
    ),
  ],
]);

/** Every HRESULT with a specific rule (normalised form, e.g. '0x80040400'). */
export const KNOWN_HRESULTS: readonly string[] = [...HRESULT_RULES.keys()];

const GENERIC_QB_HRESULT = h(
  'unknown',
  'unverified',
  'HRESULT in the QuickBooks SDK range (0x8004xxxx) that this classifier does not know',
  'Read the message text; treat the outcome of an in-flight write as unknown until verified.',
  `QuickBooks reported a problem the Web Connector could not handle. ${OPEN_QUICKBOOKS_STEPS.replace(/\.$/, '')}; if it keeps happening, contact support.`,
  { notApplied: undefined },
);

const GENERIC_OTHER_HRESULT: Rule = {
  ...GENERIC_QB_HRESULT,
  meaning: 'Failure HRESULT outside the QuickBooks SDK range that this classifier does not know (Windows/COM/.NET error)',
};

const INVALID_HRESULT: Rule = {
  ...GENERIC_QB_HRESULT,
  meaning: 'The hresult value could not be parsed as an HRESULT',
  advice: 'Check how the hresult parameter was read; treat the outcome of an in-flight write as unknown.',
};

const OK_RULE: Rule = {
  category: 'ok',
  type: null,
  severity: 'info',
  retryable: false,
  notApplied: false,
  meaning: 'No error HRESULT (empty or success code): the request processor returned a response',
  advice: 'Classify the qbXML statusCode in the response instead.',
  user: 'QuickBooks completed your request.',
  basis: 'intuit',
};

// ---------------------------------------------------------------------------------------------
// Normalisation
// ---------------------------------------------------------------------------------------------

const PREFIXED_HEX = /^0x([0-9a-f]{1,8})$/i;
const EIGHT_HEX = /^[0-9a-f]{8}$/i;
const DECIMAL = /^[+-]?\d{1,10}$/;
const BARE_HEX_WITH_LETTER = /^(?=[0-9a-f]*[a-f])[0-9a-f]{1,8}$/i;
const TWO_POW_32 = 4294967296;

function toUnsigned(n: number): number | undefined {
  if (!Number.isSafeInteger(n) || n < -2147483648 || n >= TWO_POW_32) return undefined;
  return n < 0 ? n + TWO_POW_32 : n;
}

/**
 * Normalises an HRESULT to `0x%08X` (uppercase hex digits, lowercase `0x`): accepts '0x80040400',
 * '80040400' (eight digits are read as hex), '8004040d', '-2147220480' (signed decimal, as .NET/COM
 * report it), '2147746816' and numbers. Returns undefined for blank or unparseable input.
 */
export function normalizeHresult(value: string | number): string | undefined {
  let n: number | undefined;
  if (typeof value === 'number') {
    n = toUnsigned(value);
  } else if (typeof value === 'string') {
    const t = value.trim();
    if (t === '') return undefined;
    let m: RegExpExecArray | null;
    if ((m = PREFIXED_HEX.exec(t)) !== null && m[1] !== undefined) n = Number.parseInt(m[1], 16);
    else if (EIGHT_HEX.test(t)) n = Number.parseInt(t, 16);
    else if (DECIMAL.test(t)) n = toUnsigned(Number.parseInt(t, 10));
    else if (BARE_HEX_WITH_LETTER.test(t)) n = Number.parseInt(t, 16);
  }
  if (n === undefined) return undefined;
  return `0x${n.toString(16).toUpperCase().padStart(8, '0')}`;
}

function ruleFor(hex: string): Rule {
  const known = HRESULT_RULES.get(hex);
  if (known) return known;
  // Severity bit clear: a success code (S_OK, S_FALSE…), not an error.
  if (hex.charCodeAt(2) < 0x38 /* first hex digit < '8' */) return OK_RULE;
  return hex.startsWith('0x8004') ? GENERIC_QB_HRESULT : GENERIC_OTHER_HRESULT;
}

export interface HresultInput {
  hresult: string;
  message?: string;
}

export function classifyHresult(input: HresultInput): Classification {
  const rawCode = typeof input.hresult === 'string' ? input.hresult.trim() : String(input.hresult ?? '');
  const msg = given(input.message);
  const hex = normalizeHresult(input.hresult);

  let rule: Rule;
  let code: string;
  if (rawCode === '') {
    rule = OK_RULE;
    code = 'HRESULT_NONE';
  } else if (hex === undefined) {
    rule = INVALID_HRESULT;
    code = 'HRESULT_INVALID';
  } else {
    rule = ruleFor(hex);
    code = `HRESULT_${hex}`;
  }

  const out = classificationOf(code, 'hresult', rawCode, rule);
  const shown =
    hex === undefined
      ? rawCode === ''
        ? '(none)'
        : `"${rawCode}"`
      : hex.toLowerCase() === rawCode.toLowerCase()
        ? hex
        : `${hex} (given as "${rawCode}")`;
  out.developerMessage = developerMessage(`QuickBooks HRESULT ${shown}`, msg, rule, out);
  return out;
}
