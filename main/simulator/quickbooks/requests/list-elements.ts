/** The list elements the simulator keeps, by qbXML list type (ListDelType, ListMergeType). */
import type { CompanyState, CustomerRecord, ItemRecord } from '../types';

export type ListElementRecord = CustomerRecord | ItemRecord;

/** The records of a list type, or undefined for a type the simulator does not keep. */
export function elementsOf(state: CompanyState, type: string): ListElementRecord[] | undefined {
  if (type === 'Customer') return state.customers;
  if (type === 'ItemService' || type === 'ItemNonInventory' || type === 'ItemInventory') return state.items;
  return undefined;
}

/** The element of that type with that ListID (item types share one list). */
export function findElement(state: CompanyState, type: string, listId: string): ListElementRecord | undefined {
  return elementsOf(state, type)?.find((e) => e.ListID === listId && (!('type' in e) || e.type === type));
}
