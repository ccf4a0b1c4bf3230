/** The companion's codes (session statuses, event actions, request statuses) in plain words. */

const SESSION_STATUS: Record<string, string> = {
  active: 'Running',
  closed: 'Finished',
  expired: 'Stopped answering',
  interrupted: 'Interrupted (the companion stopped)',
  abandoned: 'Cut short (Web Connector restarted)',
  rejected: 'Password refused',
  no_work: 'Nothing to do',
  busy: 'Busy, came back later',
  paused: 'Paused',
  wrong_company: 'Wrong company file',
  error: 'Failed',
};

export const sessionStatusLabel = (status: string): string => SESSION_STATUS[status] ?? status.replace(/_/g, ' ');

/** Whether a session's status is a problem worth colouring. */
export const sessionWentWrong = (status: string): boolean => ['expired', 'interrupted', 'abandoned', 'rejected', 'wrong_company', 'error'].includes(status);

const REQUEST_STATUS: Record<string, string> = {
  queued: 'Waiting',
  sent: 'In QuickBooks now',
  done: 'Done',
  error: 'Failed',
  cancelled: 'Cancelled',
  unknown_outcome: 'Outcome unknown',
};

export const requestStatusLabel = (status: string): string => REQUEST_STATUS[status] ?? status;

const ACTIONS: Record<string, string> = {
  'qbwc.clientVersion': 'Web Connector said its version',
  'session.authenticate': 'Web Connector signed in',
  'session.started': 'QuickBooks company opened',
  'session.connectionError': 'QuickBooks could not open the company file',
  'session.wrongCompany': 'Wrong company file refused',
  'session.hcpUnreadable': 'Company details unreadable',
  'session.interactive': 'Asked the bookkeeper',
  'session.closeConnection': 'Web Connector closed the session',
  'session.expired': 'Web Connector stopped answering',
  'session.interrupted': 'Session interrupted',
  'session.abandoned': 'Session cut short',
  'request.queued': 'Request queued',
  'request.done': 'Request done',
  'request.error': 'Request failed',
  'request.cancelled': 'Request cancelled',
  'request.retried': 'Request queued again',
  'request.unknown_outcome': 'Request outcome unknown',
  'request.recovered': 'Request taken back after the session ended',
  'request.outOfSequence': 'Request taken back (Web Connector asked again)',
  'request.reconcile': 'Asked QuickBooks whether a change was made',
  'request.queued_again': 'Request queued again',
  'response.unmatched': 'Answer for no known request',
  'company.changed': 'Company details changed',
  'company.forgotten': 'Company file forgotten',
  'instance.created': 'Connection added',
  'instance.updated': 'Connection changed',
  'instance.deleted': 'Connection deleted',
  'destination.created': 'Cloud app added',
  'destination.updated': 'Cloud app changed',
  'destination.deleted': 'Cloud app removed',
  'destination.disabled': 'Cloud app turned off: its address is gone',
  'delivery.attempt': 'Change sent to a cloud app',
  'detection.settings': 'Change detection set',
  'detection.reconcile': 'Every record compared with QuickBooks',
  'detection.failed': 'Looking for changes failed',
  'cloud.settings': 'Cloud link set',
  'cloud.recovered': 'Cloud link working again',
  'cloud.refused': 'The cloud refused the API key',
  'cloud.failed': 'Cloud link could not reach the cloud',
  'cloud.instance.refused': 'The cloud refused a connection',
  'cloud.request.pulled': 'Request received from the cloud',
  'cloud.request.refused': 'Request from the cloud refused',
};

export const actionLabel = (action: string): string => ACTIONS[action] ?? action;

const LOGIN_RESULTS: Record<string, string> = {
  active: 'Password OK, work to send',
  no_work: 'Password OK, nothing to send',
  paused: 'Password OK, syncing paused',
  busy: 'Busy with another session',
  rejected: 'Password refused',
  locked: 'Refused: too many wrong passwords',
};

/** How one attempt to send a change to a cloud app went (a destination's last delivery, `delivery.attempt`). */
const ATTEMPT_RESULTS: Record<string, string> = {
  delivered: 'Delivered',
  failed: 'Failed, will try again',
  dead: 'Failed for good',
  gone: 'Address gone (410): turned off',
  offline: 'No network here, will try again',
};

export const attemptResultLabel = (result: string): string => ATTEMPT_RESULTS[result] ?? result;

/** The results of the other companion actions (on, off, refused…). */
const OTHER_RESULTS: Record<string, string> = {
  ok: 'OK',
  on: 'Turned on',
  off: 'Turned off',
  queued: 'Queued',
  done: 'Done',
  refused: 'Refused',
  incomplete: 'Settings missing',
  gone: 'Address gone (410)',
};

/** An event's result in words where the code is known (a login's outcome, a session's end). */
export function resultLabel(action: string, result: string | null): string {
  if (result === null) return '';
  if (action === 'session.authenticate') return LOGIN_RESULTS[result] ?? result;
  if (action === 'session.started') return `qbXML ${result}`;
  if (action.startsWith('session.')) return SESSION_STATUS[result] ?? result;
  if (action.startsWith('request.')) return REQUEST_STATUS[result] ?? result;
  if (action === 'delivery.attempt' || action === 'cloud.failed') return ATTEMPT_RESULTS[result] ?? OTHER_RESULTS[result] ?? result;
  // A failed detection query's result is the request's status.
  if (action === 'detection.failed') return REQUEST_STATUS[result] ?? result;
  return OTHER_RESULTS[result] ?? result;
}

/** The action filters of the event log: a prefix each ("session.*"). */
export const ACTION_FILTERS = [
  { value: '', label: 'Everything' },
  { value: 'session.*', label: 'Web Connector sessions' },
  { value: 'request.*', label: 'Requests' },
  { value: 'company.*', label: 'Company files' },
  { value: 'instance.*', label: 'Connection changes' },
  { value: 'delivery.*', label: 'Changes sent to cloud apps' },
  { value: 'destination.*', label: 'Cloud app settings' },
  { value: 'detection.*', label: 'Change detection' },
  { value: 'cloud.*', label: 'Cloud link' },
] as const;

/** The request the Add-a-connection check queues: recognised by its idempotency key, so it is named in words wherever it shows. */
export const CONNECTION_CHECK_KEY = 'connection-check';

/** What a request is, in the words the queue and the timeline show. */
export const requestLabel = (r: { types: readonly string[]; idempotencyKey: string | null }): string =>
  r.idempotencyKey === CONNECTION_CHECK_KEY ? 'Connection check (reads the company name)' : r.types.join(', ') || 'Request';

export interface RecordType {
  /** The qbXML name the API uses ("ReceivePayment"). */
  name: string;
  kind: 'list' | 'txn';
  one: string;
  many: string;
}

/**
 * The kinds of QuickBooks records change detection watches and cloud apps receive, in words.
 * The same list as main/forward/detection/catalog.ts (test/renderer/words.test.ts checks it):
 * the UI can't import that module, which reads the qbXML schema from disk.
 */
export const RECORD_TYPES: readonly RecordType[] = [
  { name: 'Customer', kind: 'list', one: 'Customer', many: 'Customers' },
  { name: 'Vendor', kind: 'list', one: 'Vendor', many: 'Vendors' },
  { name: 'Employee', kind: 'list', one: 'Employee', many: 'Employees' },
  { name: 'Account', kind: 'list', one: 'Account', many: 'Accounts' },
  { name: 'ItemService', kind: 'list', one: 'Service item', many: 'Service items' },
  { name: 'ItemNonInventory', kind: 'list', one: 'Non-inventory item', many: 'Non-inventory items' },
  { name: 'ItemOtherCharge', kind: 'list', one: 'Other charge item', many: 'Other charge items' },
  { name: 'ItemInventory', kind: 'list', one: 'Inventory item', many: 'Inventory items' },
  { name: 'ItemInventoryAssembly', kind: 'list', one: 'Inventory assembly', many: 'Inventory assemblies' },
  { name: 'ItemFixedAsset', kind: 'list', one: 'Fixed asset item', many: 'Fixed asset items' },
  { name: 'ItemSubtotal', kind: 'list', one: 'Subtotal item', many: 'Subtotal items' },
  { name: 'ItemDiscount', kind: 'list', one: 'Discount item', many: 'Discount items' },
  { name: 'ItemPayment', kind: 'list', one: 'Payment item', many: 'Payment items' },
  { name: 'ItemSalesTax', kind: 'list', one: 'Sales tax item', many: 'Sales tax items' },
  { name: 'ItemSalesTaxGroup', kind: 'list', one: 'Sales tax group', many: 'Sales tax groups' },
  { name: 'ItemGroup', kind: 'list', one: 'Group item', many: 'Group items' },
  { name: 'Invoice', kind: 'txn', one: 'Invoice', many: 'Invoices' },
  { name: 'Bill', kind: 'txn', one: 'Bill', many: 'Bills' },
  { name: 'ReceivePayment', kind: 'txn', one: 'Customer payment', many: 'Customer payments' },
  { name: 'SalesReceipt', kind: 'txn', one: 'Sales receipt', many: 'Sales receipts' },
  { name: 'CreditMemo', kind: 'txn', one: 'Credit memo', many: 'Credit memos' },
  { name: 'Estimate', kind: 'txn', one: 'Estimate', many: 'Estimates' },
  { name: 'PurchaseOrder', kind: 'txn', one: 'Purchase order', many: 'Purchase orders' },
  { name: 'JournalEntry', kind: 'txn', one: 'Journal entry', many: 'Journal entries' },
  { name: 'Deposit', kind: 'txn', one: 'Deposit', many: 'Deposits' },
  { name: 'Check', kind: 'txn', one: 'Check', many: 'Checks' },
  { name: 'BillPaymentCheck', kind: 'txn', one: 'Bill payment by check', many: 'Bill payments by check' },
];

const RECORD_TYPE_BY_NAME = new Map(RECORD_TYPES.map((t) => [t.name, t]));

/** "Customer payments" for "ReceivePayment"; an unknown name as it is. */
export const recordTypesLabel = (name: string): string => RECORD_TYPE_BY_NAME.get(name)?.many ?? name;

/** "Customers, Invoices"; none at all means every kind. */
export function recordTypesList(names: readonly string[]): string {
  if (names.length === 0 || names.length === RECORD_TYPES.length) return 'All kinds of records';
  return names.map(recordTypesLabel).join(', ');
}

const OPERATIONS: Record<string, string> = { Create: 'added', Update: 'changed', Delete: 'deleted', Merge: 'merged', Void: 'voided' };

/** A webhook's event type in words: "Customer.Update" is "Customer changed"; the test event is named as such. */
export function eventTypeLabel(eventType: string): string {
  const [name = '', operation = ''] = eventType.split('.');
  if (name === 'CompanionTest') return 'Test event';
  return `${RECORD_TYPE_BY_NAME.get(name)?.one ?? name} ${OPERATIONS[operation] ?? operation}`;
}

/** A destination's payload formats, each with what it is for. */
export const PAYLOAD_FORMATS = [
  {
    value: 'legacy',
    label: 'QuickBooks Online webhooks',
    hint: 'What QuickBooks Online sends: which records changed; the app then reads each one back. Most apps made for QuickBooks Online take this.',
  },
  {
    value: 'cloudevents',
    label: 'CloudEvents',
    hint: "QuickBooks Online's newer webhook format: one event per change (for example qbd.customer.updated.v1).",
  },
  {
    value: 'full',
    label: 'Full records',
    hint: 'CloudEvents that carry the whole record, for apps that cannot ask QuickBooks for it.',
  },
] as const;

export type PayloadFormat = (typeof PAYLOAD_FORMATS)[number]['value'];

export const payloadFormatLabel = (format: string): string => PAYLOAD_FORMATS.find((f) => f.value === format)?.label ?? format;

/** What change detection's queries waiting for QuickBooks do. */
const QUERY_PURPOSES: Record<string, string> = {
  snapshot: 'reading every record once',
  baseline: 'learning which records there are',
  changes: 'looking for changes',
  deleted: 'looking for deletions',
  reconcile: 'comparing every record',
};

export const queryPurposeLabel = (purpose: string): string => QUERY_PURPOSES[purpose] ?? purpose;

/** The cloud link's state in words. */
export const CLOUD_STATES: Record<string, string> = {
  off: 'Off',
  ok: 'In step',
  retrying: 'Trying again',
  offline: 'No network',
  refused: 'API key refused',
};
