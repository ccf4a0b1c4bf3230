/**
 * The HCP response: what QBWC sends in strHCPResponse on the first sendRequestXML of a
 * session — the HostQuery, CompanyQuery and PreferencesQuery results. We keep what
 * drives behaviour: the product, the qbXML versions it accepts, the country, and the
 * company's identity (name and QBWC's FileID data extension under our OwnerID).
 */
import type { HostInfo } from '../store/types';
import { type XmlElement, child, childText, childrenNamed, parseXml } from '../xml/tree';

function msgs(root: XmlElement): XmlElement | undefined {
  return root.name === 'QBXML' ? child(root, 'QBXMLMsgsRs') : undefined;
}

/** A GUID as "{UPPER-CASE}", however it was written (braces or not, any case). */
export function normalizeGuid(value: string): string {
  return value.trim().replace(/^\{?/, '{').replace(/\}?$/, '}').toUpperCase();
}

/** Parses strHCPResponse; throws XmlSyntaxError on malformed input. */
export function parseHcp(hcp: string, ownerId: string): HostInfo {
  const rs = msgs(parseXml(hcp));
  const host = child(child(rs, 'HostQueryRs'), 'HostRet');
  const company = child(child(rs, 'CompanyQueryRs'), 'CompanyRet');
  const auto = childText(host, 'IsAutomaticLogin');
  const owner = normalizeGuid(ownerId);
  const fileIdExt = childrenNamed(company, 'DataExtRet').find(
    (d) => normalizeGuid(childText(d, 'OwnerID') ?? '') === owner && childText(d, 'DataExtName') === 'FileID',
  );
  return {
    productName: childText(host, 'ProductName'),
    majorVersion: childText(host, 'MajorVersion'),
    minorVersion: childText(host, 'MinorVersion'),
    country: childText(host, 'Country'),
    supportedVersions: childrenNamed(host, 'SupportedQBXMLVersion').map((e) => e.text.trim()),
    isAutomaticLogin: auto === undefined ? undefined : auto === 'true',
    fileMode: childText(host, 'QBFileMode'),
    companyName: childText(company, 'CompanyName'),
    fileId: fileIdExt ? (childText(fileIdExt, 'DataExtValue') ?? '').trim() : undefined,
  };
}
