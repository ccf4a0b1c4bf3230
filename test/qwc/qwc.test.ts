import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildQwc, type QwcFields } from '../../main/qwc/build';
import { validateQwc } from '../../main/qwc/validate';
import { child, parseXml } from '../../main/xml/tree';
import { fixture } from '../helpers';

const base: QwcFields = {
  AppName: 'QBWC Companion - Acme & Sons',
  AppID: '',
  AppURL: 'http://localhost:8520/qbwc',
  AppDescription: 'Connects "Acme & Sons" <QB>',
  AppSupport: 'http://localhost:8520/support',
  UserName: 'acme',
  OwnerID: '{57F3B9B1-86F1-4FCC-B1EE-566DE1813D20}',
  FileID: '{90A44FB5-33D9-4815-AC85-BC87A7E7D1EB}',
  QBType: 'QBFS',
  RunEveryNMinutes: 15,
  IsReadOnly: false,
  PersonalDataPref: 'pdpOptional',
  UnattendedModePref: 'umpOptional',
  AuthFlags: '0xF',
  Notify: false,
  AppDisplayName: 'Acme',
  AppUniqueName: 'qbwc-companion-1',
  CertURL: 'https://localhost:8520/cert',
  Style: 'Document',
};

describe('QWC validation against the real sample files', () => {
  it.each(['qwc_consolibyte_example.qwc', 'qwc_intuit_HTTPSWebService.qwc', 'qwc_intuit_WCECommSample_TestService_with_CertURL.qwc'])('accepts %s', (file) => {
    const result = validateQwc(fixture('qbwc', file));
    expect(result.errors).toEqual([]);
    expect(result.valid).toBe(true);
  });

  it('warns that the Intuit HTTPS sample serves AppSupport over plain http off localhost', () => {
    expect(validateQwc(fixture('qbwc', 'qwc_intuit_HTTPSWebService.qwc')).warnings.map((w) => w.code)).toContain('insecure_support');
  });
});

describe('QWC rules the Web Connector enforces', () => {
  const withField = (patch: Partial<Record<keyof QwcFields, unknown>>) => validateQwc(buildQwc({ ...base, ...patch } as QwcFields));
  it.each([
    ['http off localhost', { AppURL: 'http://books.example.com/qbwc', AppSupport: 'http://books.example.com/support' }, 'AppURL', 'QBWC1051'],
    ['an IP address as AppURL host', { AppURL: 'http://127.0.0.1:8520/qbwc', AppSupport: 'http://127.0.0.1:8520/s' }, 'AppURL', 'QBWC1001'],
    ['AppSupport on another host', { AppSupport: 'https://support.example.com/' }, 'AppSupport', 'QBWC1000'],
    ['a malformed OwnerID', { OwnerID: '57F3B9B1-86F1-4FCC-B1EE-566DE1813D20' }, 'OwnerID', 'invalid_guid'],
    ['an unknown QBType', { QBType: 'QBOE' }, 'QBType', 'invalid_value'],
    ['an unknown Style', { Style: 'REST' }, 'Style', 'invalid_value'],
    ['a zero interval', { RunEveryNMinutes: 0 }, 'RunEveryNMinutes', 'invalid_value'],
    ['bad AuthFlags', { AuthFlags: 'F' }, 'AuthFlags', 'invalid_value'],
    ['an empty UserName', { UserName: '' }, 'UserName', 'empty'],
  ])('refuses %s', (_label, patch, element, code) => {
    const r = withField(patch);
    expect(r.valid).toBe(false);
    expect(r.errors).toContainEqual(expect.objectContaining({ element, code }));
  });

  it('refuses a missing required element and a document that is not a QWC', () => {
    const noUser = buildQwc(base).replace(/<UserName>.*<\/UserName>\n/, '');
    expect(validateQwc(noUser).errors).toContainEqual(expect.objectContaining({ element: 'UserName', code: 'missing' }));
    expect(validateQwc('<QBXML/>').errors[0]?.code).toBe('wrong_root');
    expect(validateQwc('<QBWCXML>').errors[0]?.code).toBe('not_xml');
  });

  it('notes that the first Scheduler interval wins when both are given', () => {
    const both = buildQwc(base).replace('</Scheduler>', '<RunEveryNSeconds>30</RunEveryNSeconds></Scheduler>');
    expect(validateQwc(both).warnings.map((w) => w.code)).toContain('both_intervals');
  });

  it('builds every element the Guide defines, escaped, and round-trips values (property)', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !/[\u0000-\u001F\uFFFE\uFFFF]/.test(s) && s.trim() === s && s.length > 0), (name) => {
        const xml = buildQwc({ ...base, AppName: name, UserName: name });
        const root = parseXml(xml);
        expect(child(root, 'AppName')?.text).toBe(name);
        expect(child(root, 'UserName')?.text).toBe(name);
        expect(validateQwc(xml).valid).toBe(true);
      }),
      { numRuns: 200 },
    );
    const root = parseXml(buildQwc(base));
    expect(root.children.map((c) => c.name)).toEqual([
      'AppName', 'AppID', 'AppURL', 'AppDescription', 'AppSupport', 'UserName', 'OwnerID', 'FileID', 'QBType', 'Scheduler',
      'IsReadOnly', 'PersonalDataPref', 'UnattendedModePref', 'AuthFlags', 'Notify', 'AppDisplayName', 'AppUniqueName', 'CertURL', 'Style',
    ]);
    expect(buildQwc({ ...base, RunEveryNMinutes: undefined, RunEveryNSeconds: 30 })).toContain('<RunEveryNSeconds>30</RunEveryNSeconds>');
  });
});
