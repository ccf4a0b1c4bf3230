/**
 * Checks a QWC file the way QuickBooks Web Connector does when it is added, so the
 * bookkeeper gets a clear message here instead of a QBWC error code there
 * (Programmer's Guide Table 4-1 and Appendix A).
 */
import { isIP } from 'node:net';
import { type XmlElement, parseXml } from '../xml/tree';

export interface QwcIssue {
  element: string;
  code: string;
  message: string;
}

export interface QwcValidation {
  valid: boolean;
  errors: QwcIssue[];
  warnings: QwcIssue[];
}

const GUID = /^\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\}$/;
/** Required elements; AppID and AppDescription may be empty but must be present. */
const REQUIRED = ['AppName', 'AppID', 'AppURL', 'AppDescription', 'AppSupport', 'UserName', 'OwnerID', 'FileID', 'QBType'];
const MAY_BE_EMPTY = new Set(['AppID', 'AppDescription']);
const ENUMS: Record<string, readonly string[]> = {
  QBType: ['QBFS', 'QBPOS'],
  PersonalDataPref: ['pdpNotNeeded', 'pdpOptional', 'pdpRequired'],
  UnattendedModePref: ['umpRequired', 'umpOptional'],
  Style: ['Document', 'DocWrapped', 'RPC'],
  IsReadOnly: ['true', 'false'],
  Notify: ['true', 'false'],
};

export const isLocalhost = (host: string): boolean => host.toLowerCase() === 'localhost';

function parseUrl(value: string): URL | null {
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** Bare host name of a URL, without IPv6 brackets. */
const hostOf = (url: URL): string => url.hostname.replace(/^\[|\]$/g, '');

export function validateQwcFields(fields: Record<string, string | undefined>): QwcValidation {
  const errors: QwcIssue[] = [];
  const warnings: QwcIssue[] = [];
  const err = (element: string, code: string, message: string) => errors.push({ element, code, message });

  for (const name of REQUIRED) {
    const value = fields[name];
    if (value === undefined) err(name, 'missing', `<${name}> is required.`);
    else if (!MAY_BE_EMPTY.has(name) && value.trim() === '') err(name, 'empty', `<${name}> must not be empty.`);
  }
  for (const [name, allowed] of Object.entries(ENUMS)) {
    const value = fields[name];
    if (value !== undefined && !allowed.includes(value.trim())) err(name, 'invalid_value', `<${name}> must be one of ${allowed.join(', ')}.`);
  }
  for (const name of ['OwnerID', 'FileID']) {
    const value = fields[name]?.trim();
    if (value && !GUID.test(value)) err(name, 'invalid_guid', `<${name}> must be a GUID like {6B063959-81B0-4622-85D6-F548C8CCB517}.`);
  }

  const appUrl = fields.AppURL ? parseUrl(fields.AppURL.trim()) : null;
  if (fields.AppURL?.trim() && !appUrl) err('AppURL', 'invalid_url', '<AppURL> must be an http:// or https:// URL.');
  if (appUrl) {
    if (isIP(hostOf(appUrl))) err('AppURL', 'QBWC1001', '<AppURL> must use a host name, not an IP address (use "localhost" on this PC).');
    if (appUrl.protocol === 'http:' && !isLocalhost(hostOf(appUrl))) {
      err('AppURL', 'QBWC1051', 'The Web Connector only accepts http:// for localhost; any other <AppURL> must be https://.');
    }
  }
  const support = fields.AppSupport ? parseUrl(fields.AppSupport.trim()) : null;
  if (fields.AppSupport?.trim() && !support) err('AppSupport', 'invalid_url', '<AppSupport> must be an http:// or https:// URL.');
  if (support) {
    if (isIP(hostOf(support))) err('AppSupport', 'QBWC1002', '<AppSupport> must use a host name, not an IP address.');
    if (appUrl && hostOf(support).toLowerCase() !== hostOf(appUrl).toLowerCase()) {
      err('AppSupport', 'QBWC1000', '<AppSupport> must be on the same host as <AppURL>.');
    }
  }
  if (fields.CertURL?.trim() && !parseUrl(fields.CertURL.trim())) err('CertURL', 'invalid_url', '<CertURL> must be a URL.');

  const minutes = fields.RunEveryNMinutes;
  const seconds = fields.RunEveryNSeconds;
  if (minutes !== undefined && !/^\s*[1-9]\d*\s*$/.test(minutes)) err('RunEveryNMinutes', 'invalid_value', '<RunEveryNMinutes> must be a whole number of minutes, at least 1.');
  if (seconds !== undefined && !/^\s*[1-9]\d*\s*$/.test(seconds)) err('RunEveryNSeconds', 'invalid_value', '<RunEveryNSeconds> must be a whole number of seconds, at least 1.');
  if (minutes !== undefined && seconds !== undefined) {
    warnings.push({ element: 'Scheduler', code: 'both_intervals', message: 'Both RunEveryNMinutes and RunEveryNSeconds are set; the Web Connector uses the first one.' });
  }
  const auth = fields.AuthFlags?.trim();
  if (auth !== undefined && !/^0x[0-9a-fA-F]{1,8}$/.test(auth)) err('AuthFlags', 'invalid_value', '<AuthFlags> must be hexadecimal like 0xF (0x1 SimpleStart, 0x2 Pro, 0x4 Premier, 0x8 Enterprise).');
  if ((fields.AppDescription ?? '').length > 80) {
    warnings.push({ element: 'AppDescription', code: 'long_description', message: 'Keep <AppDescription> under 80 characters; the Web Connector truncates it.' });
  }
  if (support && appUrl && support.protocol === 'http:' && !isLocalhost(hostOf(support))) {
    warnings.push({ element: 'AppSupport', code: 'insecure_support', message: '<AppSupport> is not https://; the Web Connector must be able to load it (HTTP 200).' });
  }
  return { valid: errors.length === 0, errors, warnings };
}

/** Parses and validates QWC text. */
export function validateQwc(xml: string): QwcValidation {
  let root: XmlElement;
  try {
    root = parseXml(xml);
  } catch (e) {
    return { valid: false, errors: [{ element: 'QBWCXML', code: 'not_xml', message: `The file is not well-formed XML: ${(e as Error).message}.` }], warnings: [] };
  }
  if (root.name !== 'QBWCXML') {
    return { valid: false, errors: [{ element: root.name, code: 'wrong_root', message: 'The root element must be <QBWCXML>.' }], warnings: [] };
  }
  const fields: Record<string, string | undefined> = {};
  for (const el of root.children) {
    if (el.name === 'Scheduler') {
      // The first interval wins, as in the Web Connector.
      for (const s of el.children) fields[s.name] ??= s.text;
    } else {
      fields[el.name] ??= el.text;
    }
  }
  return validateQwcFields(fields);
}
