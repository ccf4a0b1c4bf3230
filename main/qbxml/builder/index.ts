/**
 * qbXML request builder (JSON → qbXML) and raw-request checker.
 *
 * JSON conventions are those of schema/generated/types.ts. Decisions the types leave open:
 * - Paths are dotted from the Rq's content with 0-based array indices:
 *   "InvoiceAdd.InvoiceLineAdd[1].Quantity"; "" is the request itself.
 * - A repeated choice (invoice lines and line groups) is one array per name; the builder
 *   writes all of the first name, then all of the next, in schema order.
 * - `undefined` means absent. `null` on a leaf sends an empty element (which clears the
 *   field in a …Mod) where the type allows it (not INTTYPE, GUIDTYPE or an enum without "").
 * - AMTTYPE is always written with two decimals ("100" → "100.00"); PRICE/QUAN/PERCENT
 *   keep the decimals given (at most 5); decimal strings may have extra trailing zeros
 *   ("1.500" for an amount is exact, so "1.50"); leading zeros and "+" are dropped.
 *   Numbers are read through their shortest spelling (String(n)), never arithmetic.
 * - A GUID without braces gets them; INTTYPE accepts integer strings.
 * - DATETIMETYPE with "Z" or an offset (and optional fractional seconds) is converted to
 *   wall time in `timeZone`, without offset; without an offset it is sent as given
 *   (fraction dropped). See ../datetime.ts for the DST fall-back ambiguity.
 * - INTTYPE range facets the model lacks (MaxReturned ≥ 1, ExpirationMonth 1–12,
 *   DayOfMonthDue/DiscountDayOfMonth 1–31) are enforced (rule "range:1..12").
 * - Particles with maxOccurs="0" (ValueAdjustment's NewValue/ValueDifference) are refused.
 * - Editions (`notIn`) are not gated: the options carry no edition.
 */
export { type BuildOptions, type BuiltRequest, COMPANION_ATTRIBUTES, buildRequest } from './build';
export { checkRequestXml } from './check';
export { type BuildIssue, MAX_ISSUES, QbxmlBuildError } from './errors';
