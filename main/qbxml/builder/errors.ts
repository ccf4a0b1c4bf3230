/** Problems found while building or checking a qbXML request. */

export interface BuildIssue {
  /** Where, relative to the request's params: "InvoiceAdd.InvoiceLineAdd[1].Quantity"; "" for the request itself. */
  path: string;
  /**
   * What rule failed: "required", "unknown_field", "unknown_request", "max_length:41",
   * "enum", "type:AMTTYPE" (also "type:object", "type:value"), "choice", "max_occurs",
   * "order", "text", "xml_char", "companion_attribute", "since:15.0".
   */
  rule: string;
  /** A plain-English sentence naming the field and the rule. */
  message: string;
}

/** Most issues collected for one request before giving up. */
export const MAX_ISSUES = 20;

export class QbxmlBuildError extends Error {
  readonly issues: BuildIssue[];

  constructor(type: string, issues: BuildIssue[]) {
    super(summarize(type, issues));
    this.name = 'QbxmlBuildError';
    this.issues = issues;
  }
}

function summarize(type: string, issues: readonly BuildIssue[]): string {
  const shown = issues.slice(0, 3).map((i) => `${i.message.replace(/\.$/, '')} [${i.rule}]`);
  const more = issues.length > 3 ? ` (and ${issues.length - 3} more ${issues.length - 3 === 1 ? 'problem' : 'problems'})` : '';
  const head = issues.length === 1 ? `Invalid ${type}` : `Invalid ${type}: ${issues.length >= MAX_ISSUES ? `${MAX_ISSUES}+` : issues.length} problems`;
  return `${head}: ${shown.join('; ')}${more}.`;
}
