/** Rendering helpers shared by the entity handlers. */
import { type XNode, leaf, node } from '../render';

/** `fields` plus a leaf for every default QuickBooks fills in when the request had none. */
export function withDefaults(fields: readonly XNode[], defaults: Record<string, string>): XNode[] {
  const present = new Set(fields.map((f) => f.name));
  return [...fields, ...Object.entries(defaults).filter(([k]) => !present.has(k)).map(([k, v]) => leaf(k, v))];
}

/**
 * The printable block QuickBooks derives from an address (BillAddress →
 * BillAddressBlock): the street lines, "City, State PostalCode", the country; at most five.
 */
export function addressBlock(fields: readonly XNode[], addressName: string): XNode[] {
  const address = fields.find((f) => f.name === addressName)?.children;
  if (!address) return [];
  const part = (name: string): string => address.find((a) => a.name === name)?.text?.trim() ?? '';
  const region = [part('State'), part('PostalCode')].filter(Boolean).join(' ');
  const lines = [
    ...['Addr1', 'Addr2', 'Addr3', 'Addr4', 'Addr5'].map(part),
    [part('City'), region].filter(Boolean).join(', '),
    part('Country'),
  ].filter(Boolean);
  if (lines.length === 0) return [];
  return [node(`${addressName}Block`, lines.slice(0, 5).map((text, i) => leaf(`Addr${i + 1}`, text)))];
}
