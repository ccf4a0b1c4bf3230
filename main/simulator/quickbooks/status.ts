/**
 * Response statuses. Codes and wording come from real QuickBooks output or Intuit's
 * status-code table (shared/reference/qbxml.md §2.2 and qbxml/samples); where no real
 * wording was found the text says so or says it is the simulator talking.
 */

export type Severity = 'Info' | 'Warn' | 'Error';

export interface Status {
  code: number;
  severity: Severity;
  message: string;
}

export const OK: Status = { code: 0, severity: 'Info', message: 'Status OK' };

/** Info, not an error: the query matched nothing (flowlink item_inventory_query_rs_empty). */
export const NO_MATCH: Status = { code: 1, severity: 'Info', message: 'A query request did not find a matching object in QuickBooks' };

/** Skipped because an earlier request of the set failed under stopOnError (QbSync fixture). */
export const NOT_PROCESSED: Status = { code: 3231, severity: 'Error', message: 'The request has not been processed.' };

const error = (code: number, message: string): Status => ({ code, severity: 'Error', message });

/** Intuit table, 500: an ID lookup found only some of the IDs (a warning; data still returned). */
export const partialResult = (missing: string): Status => ({
  code: 500,
  severity: 'Warn',
  message: `The query request has not been fully completed. There was a required element ("${missing}") that could not be found in QuickBooks.`,
});

/** Intuit table, 1060. */
export const invalidRequestId = (id: string): Status =>
  error(1060, `The request ID "${id}" is invalid, possibly too long. (The maximum is 50 characters.)`);

/**
 * 1030 is Intuit's "Unsupported message: This request is not supported by this
 * implementation"; here the implementation is the simulator, and the text says so.
 */
export const notImplemented = (what: string): Status =>
  error(1030, `This request is not supported by this implementation: the QuickBooks simulator does not implement ${what}.`);

/** Intuit table, 3000 ("The given object ID … in the field … is invalid."). */
export const invalidObjectId = (id: string, field: 'list id' | 'txn id'): Status =>
  error(3000, `The given object ID "${id}" in the field "${field}" is invalid.`);

/** Real text (quickbooks-sync fixture) for a colon in a list name. */
export const colonInName = (name: string, field: string): Status =>
  error(
    3090,
    `There was an error when storing "${name}" in the "${field}" field.QuickBooks error message: Names in this list cannot contain a colon.The colon is a special character used to indicate a parent/child relationship.`,
  );

export const nameInUse = (name: string): Status => error(3100, `The name "${name}" of the list element is already in use.`);

/** Real text (builderprime help, qbwc gem fixtures): a ListID/TxnID that does not exist. */
export const objectNotFound = (id: string): Status => error(3120, `Object "${id}" specified in the request cannot be found.`);

/**
 * Real text (flowlink sales_order_add_rs_invalid_record_ref): `list` is what the
 * reference points into ("Customer", "Item"), `where` the object holding it ("Invoice",
 * "Invoice line").
 */
export const invalidReference = (list: string, value: string, where: string): Status =>
  error(
    3140,
    `There is an invalid reference to QuickBooks ${list} "${value}" in the ${where}.  QuickBooks error message: Invalid argument.  The specified record does not exist in the list.`,
  );

/** 3160 "cannot delete" (§2.2, third-party docs); the wording is the simulator's. */
export const cannotDelete = (type: string, name: string): Status =>
  error(3160, `The ${type} "${name}" cannot be deleted because it has sub-elements or is used in transactions.`);

/** Like 3160: the merged-away element is deleted, and can't be; the wording is the simulator's. */
export const cannotMerge = (type: string, name: string, why: string): Status => error(3160, `The ${type} "${name}" cannot be merged: ${why}.`);

/** A business rule QuickBooks enforces beyond the schema; the wording is the simulator's. */
export const missingElement = (element: string, object: string): Status =>
  error(3150, `The "${element}" element is required to add an ${object}.`);

/** Real text, including the trailing space (flowlink spec/persistence/object_spec.rb). */
export const staleEditSequence = (editSequence: string): Status =>
  error(3200, `The provided edit sequence "${editSequence}" is out-of-date. `);

/**
 * 3391 with this text is what QuickBooks answered for an unknown iteratorID in
 * consolibyte/quickbooks-php#183; it is not in Intuit's published table.
 */
export const invalidIterator = (iteratorId: string): Status => error(3391, `The iteratorID "${iteratorId}" is not valid.`);
