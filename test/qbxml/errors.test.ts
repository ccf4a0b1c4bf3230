import { describe, expect, it } from 'vitest';
import {
  CATEGORIES,
  type Classification,
  classifyHresult,
  classifyQbwcCode,
  classifyQbwcLogLine,
  classifyStatus,
  KNOWN_HRESULTS,
  KNOWN_QBWC_CODES,
  KNOWN_STATUS_CODES,
  normalizeHresult,
} from '../../main/qbxml/errors';

// ---------------------------------------------------------------------------------------------
// Helpers
// ---------------------------------------------------------------------------------------------

const JARGON = /QBWC|HRESULT|0x[0-9a-f]|qbXML|statusCode|EditSequence|ListID|TxnID|SOAP|stack ?trace|exception|\bQB\b|e\.g\./i;
const IMPERATIVE =
  /(^|[.;!?]\s+)(Make|Open|Close|Check|Remove|Add|Restart|Type|Tick|Sign|Ask|Wait|Keep|Fix|Use|Read|Repair|Turn|Change|Select|Click|Please)\b/;

function sentenceCount(text: string): number {
  return (text.match(/[.!?]["')]?(?=\s|$)/g) ?? []).length;
}

/** The bookkeeper-facing contract: 1–3 plain sentences, addressed to the reader, no jargon or markup. */
function expectBookkeeperText(c: Classification): void {
  const u = c.userFacingMessage;
  expect(u.length, c.code).toBeGreaterThan(20);
  expect(sentenceCount(u), `${c.code}: ${u}`).toBeGreaterThanOrEqual(1);
  expect(sentenceCount(u), `${c.code}: ${u}`).toBeLessThanOrEqual(3);
  expect(u, c.code).not.toMatch(JARGON);
  expect(u, c.code).not.toContain('<');
  expect(u, c.code).toMatch(/QuickBooks|Web Connector/);
  expect(/\b(you|your|yourself)\b/i.test(u) || IMPERATIVE.test(u), `${c.code} not addressed to the reader: ${u}`).toBe(true);
}

/** Shape invariants every classification must satisfy. */
function expectWellFormed(c: Classification): void {
  expect(CATEGORIES).toContain(c.category);
  expect(['info', 'warning', 'error']).toContain(c.severity);
  if (c.severity === 'error') expect(c.type, c.code).not.toBeNull();
  if (c.severity === 'info') expect(c.type, c.code).toBeNull();
  if (!c.retryable) expect(c.retryAfterSeconds, c.code).toBeUndefined();
  if (c.retryAfterSeconds !== undefined) expect(c.retryAfterSeconds).toBeGreaterThanOrEqual(0);
  // A success can never be "not applied"; only errors may claim it.
  if (c.notApplied === true) expect(c.severity).toBe('error');
  expect(c.developerMessage).toContain(`category: ${c.category}`);
  expectBookkeeperText(c);
}

// Status attribute values copied from shared/reference/qbxml/samples/error_status_snippets.xml
// (entity-decoded), plus the qbwc gem fixtures (3120, 500). Kept as literals: the samples folder
// lives outside the repo.
const SAMPLE_3180 =
  'There was an error when saving a Customer list, element "Newcastle Tenants Federation". QuickBooks error message: This list has been modified by another user.';
const SAMPLE_3090 =
  'There was an error when storing "Incorrect : Name" in the "customer name" field.QuickBooks error message: Names in this list cannot contain a colon.The colon is a special character used to indicate a parent/child relationship.';
const SAMPLE_3231 = 'The request has not been processed.';
const SAMPLE_3140 =
  'There is an invalid reference to QuickBooks Customer "Joe Smith" in the SalesOrder.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.';
const SAMPLE_1 = 'A query request did not find a matching object in QuickBooks';
const SAMPLE_3200 = 'The provided edit sequence "1416315972" is out-of-date. ';
const SAMPLE_3120 =
  'Object "8000001B-1405768916" specified in the request cannot be found.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.';
const SAMPLE_500 =
  'The query request has not been fully completed. There was a required element ("bleech") that could not be found in QuickBooks.';

// ---------------------------------------------------------------------------------------------
// qbXML status codes
// ---------------------------------------------------------------------------------------------

describe('classifyStatus: real response samples', () => {
  it('3180 "modified by another user" is a retryable lock, not applied', () => {
    const c = classifyStatus({ statusCode: '3180', statusSeverity: 'Error', statusMessage: SAMPLE_3180, requestType: 'CustomerAddRq' });
    expect(c).toMatchObject({
      code: 'QB_STATUS_3180',
      source: 'qbxml_status',
      rawCode: '3180',
      severity: 'error',
      type: 'INTEGRATION_ERROR',
      category: 'locked',
      retryable: true,
      retryAfterSeconds: 60,
      notApplied: true,
    });
    expect(c.developerMessage).toContain(SAMPLE_3180);
    expect(c.developerMessage).toContain('3180');
    expect(c.developerMessage).toContain('CustomerAddRq');
    expectWellFormed(c);
  });

  it('3090 (colon in a name) is a non-retryable data error and shows QuickBooks\' own reason', () => {
    const c = classifyStatus({ statusCode: '3090', statusSeverity: 'Error', statusMessage: SAMPLE_3090 });
    expect(c).toMatchObject({ category: 'invalid_value', type: 'INTEGRATION_ERROR', retryable: false, notApplied: true });
    expect(c.userFacingMessage).toContain('Names in this list cannot contain a colon.');
    expect(c.userFacingMessage).not.toContain('parent/child'); // only the first sentence of the reason
    expect(c.developerMessage).toContain(SAMPLE_3090);
    expectWellFormed(c);
  });

  it('3231 (skipped under stopOnError) is retryable and definitely not applied', () => {
    const c = classifyStatus({ statusCode: '3231', statusSeverity: 'Error', statusMessage: SAMPLE_3231, requestType: 'CustomerQueryRq' });
    expect(c).toMatchObject({ category: 'not_processed', retryable: true, notApplied: true, severity: 'error' });
    expect(c.developerMessage).toContain(SAMPLE_3231);
    expectWellFormed(c);
  });

  it('3140 is an invalid reference and names the missing customer for the bookkeeper', () => {
    const c = classifyStatus({ statusCode: '3140', statusSeverity: 'Error', statusMessage: SAMPLE_3140, requestType: 'SalesOrderAddRq' });
    expect(c).toMatchObject({ category: 'invalid_reference', type: 'INTEGRATION_ERROR', retryable: false, notApplied: true });
    expect(c.userFacingMessage).toContain('customer "Joe Smith"');
    expect(c.userFacingMessage).not.toContain('Invalid argument');
    expect(c.developerMessage).toContain(SAMPLE_3140);
    expectWellFormed(c);
  });

  it('1 (no match) is an empty result, not an error', () => {
    const c = classifyStatus({ statusCode: '1', statusSeverity: 'Info', statusMessage: SAMPLE_1, requestType: 'ItemInventoryQueryRq' });
    expect(c).toMatchObject({ code: 'QB_STATUS_1', category: 'no_match', type: null, severity: 'info', retryable: false });
    expect(c.notApplied).not.toBe(true);
    expectWellFormed(c);
  });

  it('3200 stale EditSequence is retryable after re-reading the record', () => {
    const c = classifyStatus({ statusCode: '3200', statusSeverity: 'Error', statusMessage: SAMPLE_3200, requestType: 'ItemInventoryModRq' });
    expect(c).toMatchObject({ category: 'stale_edit_sequence', type: 'INTEGRATION_ERROR', retryable: true, notApplied: true });
    expect(c.developerMessage).toContain('QuickBooks status 3200 (Error)');
    expect(c.developerMessage).toContain(SAMPLE_3200.trim());
    expect(c.developerMessage).toMatch(/Re-read the record.*EditSequence/);
    expectWellFormed(c);
  });

  it('0 / Status OK', () => {
    const c = classifyStatus({ statusCode: '0', statusSeverity: 'Info', statusMessage: 'Status OK' });
    expect(c).toMatchObject({ code: 'QB_STATUS_OK', category: 'ok', type: null, severity: 'info', retryable: false, notApplied: false });
    expectWellFormed(c);
  });

  it('qbwc gem fixtures: 3120 not found, 500 partial warning', () => {
    const notFound = classifyStatus({ statusCode: '3120', statusSeverity: 'Error', statusMessage: SAMPLE_3120 });
    expect(notFound).toMatchObject({ category: 'not_found', type: 'INTEGRATION_ERROR', retryable: false });
    const partial = classifyStatus({ statusCode: '500', statusSeverity: 'Warn', statusMessage: SAMPLE_500 });
    expect(partial).toMatchObject({ category: 'partial', severity: 'warning', type: null, retryable: false });
    expect(partial.notApplied).not.toBe(true);
    expectWellFormed(notFound);
    expectWellFormed(partial);
  });
});

type Expect = Partial<Pick<Classification, 'category' | 'type' | 'severity' | 'retryable' | 'notApplied'>>;
const E = 'INTEGRATION_ERROR' as const;
const ICE = 'INTEGRATION_CONNECTION_ERROR' as const;
const IRE = 'INVALID_REQUEST_ERROR' as const;

/** Every status code the reference documents, with the behaviour the brief asks for. */
const DOCUMENTED_STATUS: Array<[number, Expect]> = [
  [0, { category: 'ok', type: null, severity: 'info', retryable: false }],
  [1, { category: 'no_match', type: null, severity: 'info', retryable: false }],
  [500, { category: 'partial', type: null, severity: 'warning', retryable: false }],
  [501, { category: 'warning', type: null, severity: 'warning' }],
  [510, { category: 'warning', type: null, severity: 'warning' }],
  [530, { category: 'warning', type: null, severity: 'warning' }],
  [531, { category: 'warning', type: null, severity: 'warning' }],
  [550, { category: 'warning', type: null, severity: 'warning', notApplied: false }],
  [560, { category: 'warning', type: null, severity: 'warning' }],
  [570, { category: 'warning', type: null, severity: 'warning' }],
  [600, { category: 'warning', type: null, severity: 'warning' }],
  [1000, { category: 'qb_internal', severity: 'error', retryable: true }],
  [1010, { category: 'unavailable', severity: 'error', retryable: true }],
  [1030, { category: 'unsupported_request', type: IRE, retryable: false }],
  [1060, { category: 'invalid_request', type: IRE, retryable: false, notApplied: true }],
  [3000, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3010, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3020, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3030, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3031, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3040, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3070, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3090, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3100, { category: 'duplicate_name', type: E, retryable: false, notApplied: true }],
  [3120, { category: 'not_found', type: E, retryable: false, notApplied: true }],
  [3140, { category: 'invalid_reference', type: E, retryable: false, notApplied: true }],
  [3150, { category: 'invalid_request', type: IRE, retryable: false, notApplied: true }],
  [3160, { category: 'cannot_delete', retryable: false }],
  [3161, { category: 'closing_date', retryable: false }],
  [3170, { category: 'locked', retryable: true, notApplied: true }],
  [3171, { category: 'closing_date', retryable: false }],
  [3175, { category: 'locked', retryable: true, notApplied: true }],
  [3176, { category: 'locked', retryable: true, notApplied: true }],
  [3180, { category: 'locked', retryable: true, notApplied: true }],
  [3200, { category: 'stale_edit_sequence', retryable: true, notApplied: true }],
  [3210, { category: 'invalid_value', type: E, retryable: false, notApplied: true }],
  [3220, { category: 'permission', type: ICE, retryable: false }],
  [3231, { category: 'not_processed', retryable: true, notApplied: true }],
  [3250, { category: 'feature_unavailable', type: ICE, retryable: false }],
  [3260, { category: 'permission', type: ICE, retryable: false }],
  [3261, { category: 'permission', type: ICE, retryable: false }],
  [3262, { category: 'feature_unavailable', type: ICE, retryable: false }],
  [3263, { category: 'permission', type: ICE, retryable: false }],
  [3264, { category: 'feature_unavailable', type: ICE, retryable: false }],
];

describe('classifyStatus: every documented code', () => {
  it.each(DOCUMENTED_STATUS)('status %i', (code, expected) => {
    const c = classifyStatus({ statusCode: code });
    expect(c).toMatchObject(expected);
    expect(c.code).toBe(code === 0 ? 'QB_STATUS_OK' : `QB_STATUS_${code}`);
    expect(c.rawCode).toBe(String(code));
    expect(c.developerMessage).toContain(`QuickBooks status ${code} `);
    expectWellFormed(c);
  });

  it('has a specific rule for each documented code (none of them falls back to a range)', () => {
    for (const [code] of DOCUMENTED_STATUS) expect(KNOWN_STATUS_CODES).toContain(code);
  });

  it('every table entry is well formed and non-retryable data errors never carry a wait', () => {
    for (const code of KNOWN_STATUS_CODES) expectWellFormed(classifyStatus({ statusCode: code }));
  });

  it('locks suggest waiting about a minute; 1000/1010 also suggest a wait', () => {
    for (const code of [3170, 3175, 3176, 3180]) expect(classifyStatus({ statusCode: code }).retryAfterSeconds).toBe(60);
    for (const code of [1000, 1010]) expect(classifyStatus({ statusCode: code }).retryAfterSeconds).toBeGreaterThan(0);
  });

  it('feature / permission errors tell the bookkeeper where in QuickBooks to change it', () => {
    expect(classifyStatus({ statusCode: 3250 }).userFacingMessage).toContain('Edit > Preferences');
    const personal = classifyStatus({ statusCode: 3261 }).userFacingMessage;
    expect(personal).toContain('Edit > Preferences > Integrated Applications > Company Preferences');
    expect(personal).toContain('Properties');
    expect(personal).toMatch(/personal data/);
    expect(classifyStatus({ statusCode: 3260 }).userFacingMessage).toContain('Integrated Applications');
  });

  it('codes known only from third-party docs say so in the developerMessage', () => {
    expect(classifyStatus({ statusCode: 3175 }).developerMessage).toMatch(/third-party/);
    expect(classifyStatus({ statusCode: 3200 }).developerMessage).not.toMatch(/third-party/);
  });
});

describe('classifyStatus: range fallback for unknown codes', () => {
  const cases: Array<[number, Expect]> = [
    [2, { severity: 'info', type: null, category: 'info', retryable: false }],
    [777, { severity: 'warning', type: null, category: 'warning', retryable: false }],
    [1500, { severity: 'error', type: E, category: 'general_error', retryable: false }],
    [2500, { severity: 'error', category: 'unsupported_request', retryable: false }],
    [3050, { severity: 'error', type: E, category: 'invalid_value', retryable: false, notApplied: true }],
    [9001, { severity: 'error', type: E, category: 'unknown', retryable: false }],
    [9150, { severity: 'error', category: 'macro', retryable: false }],
    [12000, { severity: 'error', category: 'unknown', retryable: false }],
    [-5, { severity: 'error', category: 'unknown', retryable: false }],
  ];
  it.each(cases)('status %i', (code, expected) => {
    const c = classifyStatus({ statusCode: code });
    expect(c).toMatchObject(expected);
    expect(c.code).toBe(`QB_STATUS_${code}`);
    expectWellFormed(c);
  });

  it('9001 is reported as undocumented instead of getting an invented meaning, even with a message', () => {
    const c = classifyStatus({ statusCode: 9001, statusSeverity: 'Error', statusMessage: 'Something odd happened.' });
    expect(c.developerMessage).toContain('Something odd happened.');
    expect(c.developerMessage).toMatch(/not documented/);
    expect(c.notApplied).toBeUndefined(); // outcome of a write is unknown
  });
});

describe('classifyStatus: statusSeverity and input handling', () => {
  it('statusSeverity "Warn" on a 3xxx code wins over the range', () => {
    const c = classifyStatus({ statusCode: 3210, statusSeverity: 'Warn', statusMessage: 'Some warning text.' });
    expect(c.severity).toBe('warning');
    expect(c.type).toBeNull();
    expect(c.retryable).toBe(false);
    expect(c.notApplied).not.toBe(true);
    expect(c.developerMessage).toContain('(Warn)');
    expect(c.developerMessage).toMatch(/overrides/);
    expectWellFormed(c);
  });

  it('severity words are case-insensitive ("warning", "WARN")', () => {
    expect(classifyStatus({ statusCode: 3100, statusSeverity: 'warning' }).severity).toBe('warning');
    expect(classifyStatus({ statusCode: 3100, statusSeverity: 'WARN' }).severity).toBe('warning');
  });

  it('statusSeverity "Info" on an error code also wins', () => {
    const c = classifyStatus({ statusCode: 3210, statusSeverity: 'Info' });
    expect(c).toMatchObject({ severity: 'info', type: null, retryable: false });
  });

  it('statusSeverity "Error" on a warning code makes it an error', () => {
    const c = classifyStatus({ statusCode: 500, statusSeverity: 'Error' });
    expect(c).toMatchObject({ severity: 'error', type: E, retryable: false });
    expect(c.notApplied).toBeUndefined();
    expectWellFormed(c);
  });

  it('an agreeing or unknown statusSeverity changes nothing', () => {
    const plain = classifyStatus({ statusCode: 3180 });
    expect(classifyStatus({ statusCode: 3180, statusSeverity: 'Error' })).toMatchObject({ severity: plain.severity, type: plain.type, retryable: plain.retryable });
    expect(classifyStatus({ statusCode: 3180, statusSeverity: 'Bogus' })).toMatchObject({ severity: 'error', retryable: true });
  });

  it('accepts numbers and numeric strings alike', () => {
    const a = classifyStatus({ statusCode: 3200 });
    const b = classifyStatus({ statusCode: ' 3200 ' });
    expect(b).toMatchObject({ code: a.code, category: a.category, retryable: a.retryable });
    expect(b.rawCode).toBe('3200');
  });

  it('a non-numeric statusCode is classified as unknown, not thrown', () => {
    const c = classifyStatus({ statusCode: 'abc' });
    expect(c).toMatchObject({ code: 'QB_STATUS_INVALID', category: 'unknown', severity: 'error', retryable: false, rawCode: 'abc' });
    expectWellFormed(c);
  });

  it('3170/3180 with a non-lock QuickBooks reason are not retried', () => {
    const c = classifyStatus({
      statusCode: 3180,
      statusSeverity: 'Error',
      statusMessage: 'There was an error when saving a Invoice. QuickBooks error message: The credit limit for this customer has been exceeded.',
    });
    expect(c).toMatchObject({ category: 'save_failed', retryable: false, notApplied: true });
    expect(c.retryAfterSeconds).toBeUndefined();
    expect(c.userFacingMessage).toContain('The credit limit for this customer has been exceeded.');
    expectWellFormed(c);
    // ...but lock wording keeps it retryable
    for (const text of ['QuickBooks error message: The internals could not be locked.', 'QuickBooks error message: The list element is in use.']) {
      expect(classifyStatus({ statusCode: 3170, statusMessage: `There was an error when modifying. ${text}` })).toMatchObject({ category: 'locked', retryable: true });
    }
  });

  it('3100 names the duplicate when QuickBooks quotes it', () => {
    const c = classifyStatus({ statusCode: 3100, statusMessage: 'The name "Acme Corp" of the list element is already in use.' });
    expect(c.userFacingMessage).toContain('"Acme Corp"');
    expectWellFormed(c);
  });

  it('never shows markup from QuickBooks text to the bookkeeper', () => {
    const c = classifyStatus({ statusCode: 3210, statusMessage: 'Bad value. QuickBooks error message: <Amount> is <b>bad</b>.' });
    expect(c.userFacingMessage).not.toContain('<');
    expect(c.developerMessage).toContain('<Amount> is <b>bad</b>.'); // verbatim for developers
  });
});

// ---------------------------------------------------------------------------------------------
// HRESULTs
// ---------------------------------------------------------------------------------------------

describe('normalizeHresult', () => {
  it.each([
    ['0x80040400', '0x80040400'],
    ['0X80040400', '0x80040400'],
    ['80040400', '0x80040400'], // eight digits without a prefix are hex
    ['-2147220480', '0x80040400'], // signed decimal as .NET reports it
    ['2147746816', '0x80040400'], // unsigned decimal
    ['0x8004040d', '0x8004040D'],
    ['8004040d', '0x8004040D'],
    [' 0x80040420 ', '0x80040420'],
    ['0x1', '0x00000001'],
  ])('%s → %s', (input, expected) => {
    expect(normalizeHresult(input)).toBe(expected);
  });

  it('accepts numbers', () => {
    expect(normalizeHresult(-2147220480)).toBe('0x80040400');
  });

  it('rejects blank and garbage', () => {
    for (const bad of ['', '   ', 'zzz', '0x123456789', '99999999999']) expect(normalizeHresult(bad)).toBeUndefined();
  });

  it('classification codes use the normalised form but keep the raw input', () => {
    for (const raw of ['0x80040400', '80040400', '-2147220480', '0x80040400'.toLowerCase()]) {
      const c = classifyHresult({ hresult: raw });
      expect(c.code).toBe('HRESULT_0x80040400');
      expect(c.rawCode).toBe(raw);
      expect(c.developerMessage).toContain('0x80040400');
      expect(c.developerMessage).toContain(raw);
    }
  });
});

const DOCUMENTED_HRESULTS: Array<[string, Expect]> = [
  ['0x80040400', { category: 'invalid_request', type: IRE, retryable: false, notApplied: true }],
  ['0x80040401', { category: 'connection', type: ICE, retryable: true, notApplied: true }],
  ['0x80040402', { category: 'qb_internal', type: ICE }],
  ['0x80040408', { category: 'connection', type: ICE, retryable: true, notApplied: true }],
  ['0x8004040A', { category: 'connection', type: ICE, notApplied: true }],
  ['0x8004040D', { category: 'connection', type: ICE, retryable: true, notApplied: true }],
  ['0x80040410', { category: 'connection', type: ICE }],
  ['0x80040414', { category: 'connection', type: ICE, retryable: true }],
  ['0x80040416', { category: 'connection', type: ICE, retryable: true, notApplied: true }],
  ['0x80040418', { category: 'permission', type: ICE, retryable: false }],
  ['0x8004041A', { category: 'permission', type: ICE, retryable: false }],
  ['0x8004041D', { category: 'permission', type: ICE, retryable: false }],
  ['0x80040420', { category: 'permission', type: ICE, retryable: false, notApplied: true }],
  ['0x80040422', { category: 'connection', type: ICE }],
  ['0x80040423', { category: 'unsupported_version', type: IRE, retryable: false }],
];

describe('classifyHresult', () => {
  it.each(DOCUMENTED_HRESULTS)('%s', (hex, expected) => {
    const c = classifyHresult({ hresult: hex });
    expect(c).toMatchObject({ ...expected, source: 'hresult', code: `HRESULT_${hex}`, severity: 'error' });
    expectWellFormed(c);
  });

  it('every table entry is well formed', () => {
    for (const hex of KNOWN_HRESULTS) expectWellFormed(classifyHresult({ hresult: hex }));
    for (const [hex] of DOCUMENTED_HRESULTS) expect(KNOWN_HRESULTS).toContain(hex);
  });

  it('the parse error keeps QuickBooks\' message verbatim and explains element order', () => {
    const message = 'QuickBooks found an error when parsing the provided XML text stream.';
    const c = classifyHresult({ hresult: '0x80040400', message });
    expect(c.developerMessage).toContain(message);
    expect(c.developerMessage).toMatch(/order/i);
    expect(c.userFacingMessage).toMatch(/nothing was changed/);
  });

  it('connection errors give the bookkeeper concrete steps', () => {
    expect(classifyHresult({ hresult: '0x80040401' }).userFacingMessage).toMatch(/QuickBooks is open/);
    expect(classifyHresult({ hresult: '0x80040414' }).userFacingMessage).toMatch(/pop-up/);
    expect(classifyHresult({ hresult: '0x8004040A' }).userFacingMessage).toMatch(/no company file/);
    expect(classifyHresult({ hresult: '0x80040420' }).userFacingMessage).toContain('Edit > Preferences > Integrated Applications');
    expect(classifyHresult({ hresult: '0x8004041D' }).userFacingMessage).toMatch(/log in automatically/);
  });

  it('codes taken from the SDK error list are labelled as such', () => {
    expect(classifyHresult({ hresult: '0x8004041A' }).developerMessage).toContain('(Meaning per QuickBooks SDK documentation.)');
    expect(classifyHresult({ hresult: '0x80040400' }).developerMessage).not.toContain('SDK documentation');
  });

  it('unknown failure HRESULTs fall back to a generic, outcome-unknown classification', () => {
    for (const hex of ['0x80040499', '0x80004005']) {
      const c = classifyHresult({ hresult: hex, message: 'Something failed.' });
      expect(c).toMatchObject({ category: 'unknown', severity: 'error', type: ICE, retryable: false });
      expect(c.notApplied).toBeUndefined();
      expect(c.developerMessage).toContain('Something failed.');
      expectWellFormed(c);
    }
  });

  it('empty and success HRESULTs are not errors', () => {
    expect(classifyHresult({ hresult: '' })).toMatchObject({ code: 'HRESULT_NONE', category: 'ok', type: null, severity: 'info' });
    expect(classifyHresult({ hresult: '0x00000000' })).toMatchObject({ category: 'ok', type: null });
  });

  it('unparseable input is classified, not thrown', () => {
    const c = classifyHresult({ hresult: 'not-a-code' });
    expect(c).toMatchObject({ code: 'HRESULT_INVALID', category: 'unknown', severity: 'error', rawCode: 'not-a-code' });
  });
});

// ---------------------------------------------------------------------------------------------
// QBWC codes
// ---------------------------------------------------------------------------------------------

const DOCUMENTED_QBWC: Array<[string, Expect]> = [
  ['QBWC1000', { category: 'configuration', type: ICE }],
  ['QBWC1001', { category: 'configuration', type: ICE }],
  ['QBWC1002', { category: 'configuration', type: ICE }],
  ['QBWC1003', { category: 'configuration', type: ICE }],
  ['QBWC1004', { category: 'configuration', type: ICE }],
  ['QBWC1007', { category: 'connection', type: ICE, retryable: true, notApplied: true }],
  ['QBWC1008', { category: 'connection', type: ICE, retryable: true, notApplied: true }],
  ['QBWC1010', { category: 'configuration', type: ICE, retryable: false }],
  ['QBWC1012', { category: 'web_service', type: 'INTERNAL_ERROR', retryable: true, notApplied: true }],
  ['QBWC1013', { category: 'connection', type: ICE, retryable: true, notApplied: true }],
  ['QBWC1033', { category: 'qbwc_local', type: ICE, retryable: false }],
  ['QBWC1036', { category: 'web_service', type: 'INTERNAL_ERROR' }],
  ['QBWC1037', { category: 'version', type: ICE, retryable: false }],
  ['QBWC1039', { category: 'configuration', type: ICE, retryable: false }],
  ['QBWC1040', { category: 'credentials', type: ICE, retryable: false }],
  ['QBWC1041', { category: 'web_service', notApplied: true }],
  ['QBWC1042', { category: 'web_service' }],
  ['QBWC1043', { category: 'web_service' }],
  ['QBWC1044', { category: 'web_service' }],
  ['QBWC1045', { category: 'web_service' }],
  ['QBWC1046', { category: 'web_service', type: 'INTERNAL_ERROR', retryable: false }],
  ['QBWC1048', { category: 'certificate', type: ICE, retryable: false }],
  ['QBWC1051', { category: 'configuration', type: ICE, retryable: false }],
  ['QBWC1085', { category: 'unknown', retryable: false }],
  ['QBWC2012', { category: 'web_service', type: 'INTERNAL_ERROR' }],
];

describe('classifyQbwcCode', () => {
  it.each(DOCUMENTED_QBWC)('%s', (code, expected) => {
    const c = classifyQbwcCode({ code });
    expect(c).toMatchObject({ ...expected, code, source: 'qbwc', rawCode: code });
    expect(c.developerMessage).toContain(code);
    expectWellFormed(c);
  });

  it('every table entry is well formed', () => {
    for (const code of KNOWN_QBWC_CODES) expectWellFormed(classifyQbwcCode({ code }));
    for (const [code] of DOCUMENTED_QBWC) expect(KNOWN_QBWC_CODES).toContain(code);
  });

  it('accepts "1012", "qbwc1012" and "QBWC1012"', () => {
    for (const raw of ['1012', 'qbwc1012', 'QBWC1012', ' QBWC 1012 ']) {
      const c = classifyQbwcCode({ code: raw });
      expect(c.code).toBe('QBWC1012');
      expect(c.category).toBe('web_service');
    }
  });

  it('QBWC1039: remove the old app from the Web Connector, then add the QWC again', () => {
    const c = classifyQbwcCode({ code: 'QBWC1039' });
    expect(c.userFacingMessage).toMatch(/Remove the old entry.*Web Connector.*\.qwc file again/);
    expect(c.developerMessage).toContain('Unique OwnerID/FileID pair value required');
  });

  it('certificate / https codes point the bookkeeper at the localhost QWC', () => {
    for (const code of ['QBWC1010', 'QBWC1048', 'QBWC1051']) {
      expect(classifyQbwcCode({ code }).userFacingMessage).toContain('http://localhost');
    }
  });

  it('QBWC1085 is honest about its unverified meaning', () => {
    const c = classifyQbwcCode({ code: 'QBWC1085' });
    expect(c.developerMessage).toMatch(/NOT verified|no authoritative/);
    expect(c.notApplied).toBeUndefined();
  });

  it('write safety: a failed receiveResponseXML (1042) leaves the outcome unknown, a failed sendRequestXML (1041) does not', () => {
    expect(classifyQbwcCode({ code: 'QBWC1042' }).notApplied).toBeUndefined();
    expect(classifyQbwcCode({ code: 'QBWC1041' }).notApplied).toBe(true);
  });

  it('UI notices are info, not errors', () => {
    expect(classifyQbwcCode({ code: 'QBWC1016' })).toMatchObject({ severity: 'info', type: null, category: 'ui' });
  });

  it('unknown and invalid codes are classified, not thrown', () => {
    expect(classifyQbwcCode({ code: 'QBWC1999' })).toMatchObject({ code: 'QBWC1999', category: 'unknown', severity: 'error' });
    expect(classifyQbwcCode({ code: 'hello' })).toMatchObject({ code: 'QBWC_INVALID', category: 'unknown', rawCode: 'hello' });
  });

  it('keeps the Web Connector message verbatim for developers', () => {
    const c = classifyQbwcCode({ code: 'QBWC1042', message: 'ReceiveResponseXML failed Error message: Response is not well-formed XML.' });
    expect(c.developerMessage).toContain('ReceiveResponseXML failed Error message: Response is not well-formed XML.');
    expect(c.userFacingMessage).not.toMatch(/XML/);
  });
});

describe('classifyQbwcLogLine', () => {
  // From shared/reference/qbwc/samples/capture_authenticateResponse_WCF_rejected_QBWC1012_IndexOutOfRange…txt
  const LINE_1012 =
    '20170705.06:31:00 UTC : QBWebConnector.SOAPWebService.do_authenticate() : QBWC1012: Authentication failed due to following error message.';

  it('finds and classifies the code in a real QWCLog line', () => {
    const c = classifyQbwcLogLine(LINE_1012);
    expect(c).not.toBeNull();
    expect(c).toMatchObject({ code: 'QBWC1012', source: 'qbwc', category: 'web_service' });
    expect(c!.developerMessage).toContain('Authentication failed due to following error message.');
  });

  it('only takes the rest of that line as the message (no stack trace leaks anywhere user-facing)', () => {
    const text = `${LINE_1012}\nIndex Out Of Range.\nMore info:\nStackTrace = в QBWebConnector.WebService.do_authenticate(String& ticket, String& companyFileName)\nSource = QBWebConnector`;
    const c = classifyQbwcLogLine(text)!;
    expect(c.code).toBe('QBWC1012');
    expect(c.developerMessage).not.toContain('StackTrace');
    expect(c.userFacingMessage).not.toMatch(/StackTrace|QBWebConnector|Index Out Of Range/);
  });

  it('handles status-column text with the code in the middle (quickbooks-js#26)', () => {
    const c = classifyQbwcLogLine('The application … service URL is not on a secure (https) server. QBWC1051: The new application was not added.');
    expect(c).toMatchObject({ code: 'QBWC1051', category: 'configuration' });
    expect(c!.developerMessage).toContain('The new application was not added.');
  });

  it('classifies the first code when there are several', () => {
    expect(classifyQbwcLogLine('QBWC1039: There was a problem adding the application. See also QBWC1012.')?.code).toBe('QBWC1039');
  });

  it('returns null for lines without a QBWC code', () => {
    for (const line of [
      '20130312.14:14:56 UTC : QBWebConnector.SOAPWebService.do_serverVersion() : *** Calling serverVersion().',
      '20190118.21:18:56 UTC : QBWebConnector.SOAPWebService.do_serverVersion() : Actual error received from web service for serverVersion call: <The underlying connecti[...]',
      '20220520.15:50:08 UTC : QBWebConnector.SOAPWebService.do_closeConnection() : Response received from application = Complete!',
      'QBWC10123 is not a code',
      '',
    ]) {
      expect(classifyQbwcLogLine(line)).toBeNull();
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Purity
// ---------------------------------------------------------------------------------------------

describe('purity', () => {
  it('returns equal, independent objects for equal input', () => {
    const a = classifyStatus({ statusCode: 3180, statusMessage: SAMPLE_3180 });
    const b = classifyStatus({ statusCode: 3180, statusMessage: SAMPLE_3180 });
    expect(a).toEqual(b);
    a.retryable = false;
    a.userFacingMessage = 'mutated';
    expect(classifyStatus({ statusCode: 3180, statusMessage: SAMPLE_3180 })).toEqual(b);
  });

  it('is fast enough for the hot path', () => {
    const start = performance.now();
    for (let i = 0; i < 20_000; i++) {
      classifyStatus({ statusCode: 3180, statusSeverity: 'Error', statusMessage: SAMPLE_3180 });
      classifyHresult({ hresult: '-2147220480' });
      classifyQbwcLogLine('QBWC1012: Authentication failed due to following error message.');
    }
    expect(performance.now() - start).toBeLessThan(5_000);
  });
});
