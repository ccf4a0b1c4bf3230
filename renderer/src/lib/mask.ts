/**
 * Personal data in qbXML and its JSON form — people's and companies' names, addresses,
 * phone numbers, e-mail addresses, notes — hidden until the bookkeeper asks to see it.
 * Someone looking over a shoulder, or a screenshot sent to support, should not carry a
 * customer list. Conservative on purpose: a reference's FullName may name a person, so
 * every FullName is hidden.
 */

export const MASK = '•••••';

/** qbXML element names whose text is personal data. */
const PERSONAL_ELEMENTS: ReadonlySet<string> = new Set([
  'Name',
  'FullName',
  'CompanyName',
  'Salutation',
  'FirstName',
  'MiddleName',
  'LastName',
  'Suffix',
  'JobTitle',
  'Contact',
  'AltContact',
  'Addr1',
  'Addr2',
  'Addr3',
  'Addr4',
  'Addr5',
  'City',
  'State',
  'PostalCode',
  'Country',
  'Note',
  'Notes',
  'Phone',
  'AltPhone',
  'Mobile',
  'Pager',
  'Fax',
  'Email',
  'Cc',
  'Memo',
  'PrintAs',
  'AccountNumber',
  'CreditCardNumber',
  'ResaleNumber',
  'SSN',
  'BirthDate',
  'ContactName',
  'ContactValue', // an additional contact's phone or e-mail
  'DataExtValue', // a custom field: could hold anything
]);

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const names = [...PERSONAL_ELEMENTS].map(escapeRegExp).join('|');
/** A leaf element with text or CDATA: <Name>Pine Street Bakery</Name>, <Phone attr="…">…</Phone>. */
const PERSONAL_LEAF = new RegExp(`<(${names})(\\s[^>]*)?>(?:[^<]|<!\\[CDATA\\[[\\s\\S]*?\\]\\]>)+</\\1\\s*>`, 'g');
/** QuickBooks quotes the offending value in its messages: The name "Pine Street Bakery" of the list element is already in use. */
const QUOTED = /"[^"]*"/g;
const QUOTED_XML = /&quot;.*?&quot;/g;
const STATUS_MESSAGE = /statusMessage="([^"]*)"/g;

/** A message from QuickBooks with the values it quotes replaced by MASK. */
export function maskMessage(message: string): string {
  return message.replace(QUOTED, `"${MASK}"`);
}

/** qbXML with the text of personal elements, and values quoted in status messages, replaced by MASK. */
export function maskXml(xml: string): string {
  return xml
    .replace(PERSONAL_LEAF, (_, name: string, attrs: string | undefined) => `<${name}${attrs ?? ''}>${MASK}</${name}>`)
    .replace(STATUS_MESSAGE, (_, message: string) => `statusMessage="${message.replace(QUOTED_XML, `&quot;${MASK}&quot;`)}"`);
}

/** The JSON form (qbXML names as keys): every value under a personal key replaced by MASK. */
export function maskJson(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskJson);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    // The parsed response writes attributes with an "@": {"@statusMessage": "…"}.
    const name = key.startsWith('@') ? key.slice(1) : key;
    if (PERSONAL_ELEMENTS.has(name)) out[key] = maskAll(child);
    else if (name === 'statusMessage' && typeof child === 'string') out[key] = maskMessage(child);
    else out[key] = maskJson(child);
  }
  return out;
}

function maskAll(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskAll);
  if (value !== null && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskAll(v)]));
  return value === null || value === undefined || value === '' ? value : MASK;
}
