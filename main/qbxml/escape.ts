import { escapeText } from '../xml/escape';

const NON_ASCII = /[^\u0000-\u007F]/u;
const NON_ASCII_ALL = /[^\u0000-\u007F]/gu;

/**
 * Text for qbXML sent to QuickBooks: XML-escaped, and every non-ASCII character as a
 * numeric character reference — QuickBooks reads ISO-8859-1 and turns other bytes into
 * question marks ("Décor" fails, "D&#233;cor" works).
 */
export function escapeQbxmlText(value: string, alreadyEscaped = false): string {
  const s = alreadyEscaped ? value : escapeText(value);
  return NON_ASCII.test(s) ? s.replace(NON_ASCII_ALL, (ch) => `&#${ch.codePointAt(0)};`) : s;
}
