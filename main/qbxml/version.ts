/**
 * qbXML version negotiation. QuickBooks lists what it accepts in HostRet's
 * SupportedQBXMLVersion (the HCP response of the first sendRequestXML); we send the
 * highest version both sides know. A QuickBooks 2014 lists up to 13.0 and must never
 * be sent 16.0. Pre-2008 non-US editions list prefixed versions such as "CA3.0".
 */

/** The newest qbXML this companion's schema knows. */
export const COMPANION_QBXML_VERSION = '16.0';
/** Used when QuickBooks told us nothing (e.g. a session resumed without its HCP). */
export const FALLBACK_QBXML_VERSION = '13.0';

export interface QbxmlVersion {
  prefix: string;
  major: number;
  minor: number;
  text: string;
}

export function parseQbxmlVersion(text: string): QbxmlVersion | null {
  const m = /^([A-Z]{2})?(\d{1,3})\.(\d{1,3})$/.exec(text.trim());
  if (!m) return null;
  return { prefix: m[1] ?? '', major: Number(m[2]), minor: Number(m[3]), text: text.trim() };
}

export function compareVersions(a: QbxmlVersion, b: QbxmlVersion): number {
  return a.major - b.major || a.minor - b.minor;
}

const OURS = parseQbxmlVersion(COMPANION_QBXML_VERSION) as QbxmlVersion;

export interface NegotiationInput {
  /** SupportedQBXMLVersion values from the HCP, if the HCP was received. */
  supported?: readonly string[];
  /** HostRet/Country or the qbXMLCountry parameter. */
  country?: string | null;
  /** qbXMLMajorVers / qbXMLMinorVers from sendRequestXML. */
  major?: number;
  minor?: number;
}

/** The version to stamp on requests: the highest both QuickBooks and we support. */
export function negotiateVersion(input: NegotiationInput): string {
  const candidates = (input.supported ?? []).map(parseQbxmlVersion).filter((v): v is QbxmlVersion => v !== null);
  if (candidates.length > 0) {
    // Unprefixed (US-style) versions first; a prefixed list only matters for old non-US hosts.
    const plain = candidates.filter((v) => v.prefix === '');
    const country = (input.country ?? '').toUpperCase();
    const pool = plain.length > 0 ? plain : candidates.filter((v) => v.prefix === country);
    const usable = (pool.length > 0 ? pool : candidates).filter((v) => compareVersions(v, OURS) <= 0);
    const best = usable.sort(compareVersions).pop();
    if (best) return best.text;
  }
  if (input.major && input.major > 0) {
    const theirs: QbxmlVersion = { prefix: '', major: input.major, minor: input.minor ?? 0, text: '' };
    const v = compareVersions(theirs, OURS) <= 0 ? theirs : OURS;
    return `${v.major}.${v.minor}`;
  }
  return FALLBACK_QBXML_VERSION;
}

/** True if `version` is at least `since` (both "X.Y", prefixes ignored). */
export function versionAtLeast(version: string, since: string): boolean {
  const a = parseQbxmlVersion(version);
  const b = parseQbxmlVersion(since);
  if (!a || !b) return true;
  return compareVersions(a, b) >= 0;
}
