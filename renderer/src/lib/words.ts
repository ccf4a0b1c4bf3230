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
  'delivery.attempt': 'Webhook sent',
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

/** An event's result in words where the code is known (a login's outcome, a session's end). */
export function resultLabel(action: string, result: string | null): string {
  if (result === null) return '';
  if (action === 'session.authenticate') return LOGIN_RESULTS[result] ?? result;
  if (action === 'session.started') return `qbXML ${result}`;
  if (action.startsWith('session.')) return SESSION_STATUS[result] ?? result;
  if (action.startsWith('request.')) return REQUEST_STATUS[result] ?? result;
  return result;
}

/** The action filters of the event log: a prefix each ("session.*"). */
export const ACTION_FILTERS = [
  { value: '', label: 'Everything' },
  { value: 'session.*', label: 'Web Connector sessions' },
  { value: 'request.*', label: 'Requests' },
  { value: 'company.*', label: 'Company files' },
  { value: 'instance.*', label: 'Connection changes' },
  { value: 'delivery.*', label: 'Webhooks' },
] as const;
