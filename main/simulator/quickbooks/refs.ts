/**
 * Resolving references (`<CustomerRef><ListID>…</ListID></CustomerRef>`, `<FullName>`)
 * the way QuickBooks does: ListID wins when both are given, names match without regard
 * to case, a malformed ListID is status 3000 and a missing record 3140.
 */
import type { XmlElement } from '../../xml/tree';
import { value } from './context';
import { isWellFormedId } from './ids';
import { type Status, invalidObjectId, invalidReference } from './status';
import type { CompanyState, RefListKind, RefListRecord } from './types';

export interface Resolved {
  ListID: string;
  FullName: string;
}

export const sameName = (a: string, b: string): boolean => a.toLowerCase() === b.toLowerCase();

/** A reference aggregate: a …Ref element holding only ListID and/or FullName. */
export function isReference(el: XmlElement): boolean {
  return el.name.endsWith('Ref') && el.children.every((c) => c.name === 'ListID' || c.name === 'FullName');
}

/** What an error message calls the reference: its FullName, else its ListID. */
export function refText(ref: XmlElement): string {
  return (value(ref, 'FullName') ?? value(ref, 'ListID') ?? '').trim();
}

/** Finds the record a reference points to, or the status QuickBooks gives when none. */
export function pick<T extends { ListID: string }>(
  records: readonly T[],
  ref: XmlElement,
  nameOf: (r: T) => string,
  onMissing: () => Status,
): T | Status {
  const id = value(ref, 'ListID')?.trim();
  if (id !== undefined) {
    if (!isWellFormedId(id)) return invalidObjectId(id, 'list id');
    return records.find((r) => r.ListID === id) ?? onMissing();
  }
  const name = value(ref, 'FullName');
  return (name !== undefined && records.find((r) => sameName(nameOf(r), name))) || onMissing();
}

export const isStatus = (x: object): x is Status => 'severity' in x;

/** Reference elements that point into one of the simulated reference lists. */
const REF_LISTS: Readonly<Record<string, RefListKind>> = {
  AccountRef: 'Account',
  ARAccountRef: 'Account',
  IncomeAccountRef: 'Account',
  ExpenseAccountRef: 'Account',
  COGSAccountRef: 'Account',
  AssetAccountRef: 'Account',
  OverrideItemAccountRef: 'Account',
  SalesTaxCodeRef: 'SalesTaxCode',
  CustomerSalesTaxCodeRef: 'SalesTaxCode',
  TemplateRef: 'Template',
  TermsRef: 'StandardTerms',
};

const LIST_WORDING: Readonly<Record<RefListKind, string>> = {
  Account: 'Account',
  SalesTaxCode: 'SalesTaxCode',
  Template: 'Template',
  StandardTerms: 'Terms',
};

export function resolveRefList(state: CompanyState, kind: RefListKind, ref: XmlElement, where: string): RefListRecord | Status {
  const list = state.refLists.filter((r) => r.kind === kind);
  return pick(list, ref, (r) => r.Name, () => invalidReference(LIST_WORDING[kind], refText(ref), where));
}

/**
 * Resolves any reference that is stored as given (accounts, tax codes, templates,
 * terms). A reference into a list the simulated company does not have (classes, sales
 * reps, price levels…) is invalid, as it would be in a company file without that record.
 */
export function resolveAnyRef(state: CompanyState, ref: XmlElement, where: string): Resolved | Status {
  const kind = REF_LISTS[ref.name];
  if (!kind) return invalidReference(ref.name.replace(/Ref$/, ''), refText(ref), where);
  const found = resolveRefList(state, kind, ref, where);
  return isStatus(found) ? found : { ListID: found.ListID, FullName: found.Name };
}
