/**
 * What the Web Connector shows the bookkeeper (getLastError and closeConnection appear
 * in its Status column and log). Plain language, with the next step; no codes alone.
 */
import type { SessionStatus } from '../store/types';

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const messages = {
  summary(done: number, failed: number): string {
    if (done === 0 && failed === 0) return 'Done. There was nothing to send.';
    if (failed === 0) return `Done. ${plural(done, 'request', 'requests')} completed.`;
    return `Done with problems: ${done} completed, ${failed} failed. Open QBWC Companion to see what went wrong.`;
  },
  /** The session closed with a request sent and never answered. */
  unanswered(query: boolean, done: number, failed: number): string {
    const before = done + failed > 0 ? `${messages.summary(done, failed)} ` : '';
    return query
      ? `${before}The last request got no answer from QuickBooks; it will be sent again at the next update.`
      : `${before}The last change got no answer from QuickBooks. QBWC Companion will check whether it was saved before sending anything again.`;
  },
  allDone(done: number, failed: number): string {
    return messages.summary(done, failed);
  },
  unknownTicket(): string {
    return 'This update session is not known to QBWC Companion (it may have restarted). Nothing was lost; click Update Selected in the Web Connector to start again.';
  },
  expired(): string {
    return 'This update session was idle for too long and was ended. Nothing was lost; click Update Selected in the Web Connector to start again.';
  },
  interrupted(): string {
    return 'QBWC Companion restarted during this update. Nothing was lost; click Update Selected in the Web Connector to start again.';
  },
  abandoned(): string {
    return 'The Web Connector started a new update before finishing this one (it may have been closed or crashed). Nothing was lost; the new update carries on.';
  },
  sessionEnded(): string {
    return 'This update session has already ended. Click Update Selected in the Web Connector to start a new one.';
  },
  instanceDeleted(): string {
    return 'This connection was removed from QBWC Companion. Remove the application from the Web Connector too.';
  },
  locked(minutes: number): string {
    return `Too many wrong passwords for this user. Wait ${plural(Math.max(1, minutes), 'minute', 'minutes')}, then check the password in the Web Connector against the one in QBWC Companion.`;
  },
  interactiveRejected(): string {
    return 'The update was stopped because the confirmation page was declined. Run the update again when you are ready.';
  },
  forStatus(status: SessionStatus): string {
    switch (status) {
      case 'rejected':
        return 'The Web Connector password for this application does not match QBWC Companion. In the Web Connector, click the Password field for this application and enter the password shown in QBWC Companion.';
      case 'no_work':
        return 'No data exchange required: there is nothing waiting to be sent to QuickBooks.';
      case 'busy':
        return 'Another update for this company is still running. The Web Connector will try again later.';
      case 'paused':
        return 'Syncing is paused in QBWC Companion (or it is outside this connection\'s sync window). Nothing waiting is lost; resume syncing in QBWC Companion.';
      case 'expired':
        return messages.expired();
      case 'interrupted':
        return messages.interrupted();
      case 'abandoned':
        return messages.abandoned();
      case 'wrong_company':
        return 'The company file open in QuickBooks is not the one this connection uses. Nothing was sent.';
      case 'closed':
      case 'active':
        return 'OK';
    }
  },
};
