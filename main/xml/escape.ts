/** XML escaping for text content and attribute values. */

const TEXT_SPECIAL = /[&<>\r]/;
const TEXT_REPLACE = /[&<>\r]/g;
const ATTR_SPECIAL = /[&<>"\t\n\r]/;
const ATTR_REPLACE = /[&<>"\t\n\r]/g;

const REPLACEMENTS: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  '\t': '&#9;',
  '\n': '&#10;',
  // A literal CR would be normalised away by the receiving parser; a reference keeps it.
  '\r': '&#13;',
};

const replace = (ch: string): string => REPLACEMENTS[ch] as string;

export function escapeText(value: string): string {
  return TEXT_SPECIAL.test(value) ? value.replace(TEXT_REPLACE, replace) : value;
}

export function escapeAttribute(value: string): string {
  return ATTR_SPECIAL.test(value) ? value.replace(ATTR_REPLACE, replace) : value;
}
