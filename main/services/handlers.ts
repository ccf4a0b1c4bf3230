/** The implementation of every contract operation, shared by REST, IPC and the CLI. */
import type { OperationHandlers, OperationOutput } from '../contract/operations';
import { validateQwc } from '../qwc/validate';
import type { BrowserSessions } from '../api/browser-sessions';
import type { ChangeDetection } from '../forward/detection/detector';
import type { CloudLink } from '../cloud/link';
import type { FollowUps } from '../queue/follow-ups';
import type { Settings } from '../settings';
import type { DeliveryService } from './deliveries';
import type { DestinationService } from './destinations';
import type { HistoryService } from './history';
import type { InstanceService } from './instances';
import type { OverviewService } from './overview';
import type { RequestService } from './requests';

export interface Services {
  instances: InstanceService;
  requests: RequestService;
  history: HistoryService;
  settings: Settings;
  deliveries: DeliveryService;
  destinations: DestinationService;
  overview: OverviewService;
  followUps: FollowUps;
  logins: BrowserSessions;
  /** Where a browser on this computer reaches the companion's pages, e.g. http://localhost:8520. */
  pagesUrl: () => string;
  /** How this companion runs (getEnvironment). */
  environment: () => OperationOutput<'getEnvironment'>;
  detection: ChangeDetection;
  cloud: CloudLink;
}

export function createHandlers(s: Services): OperationHandlers {
  return {
    listInstances: () => ({ data: s.instances.list() }),
    createInstance: (i) => s.instances.create(i.body),
    getInstance: (i) => s.instances.toResource(s.instances.require(i.instanceId)),
    replaceInstance: (i) => s.instances.replace(i.instanceId, i.body),
    updateInstance: (i) => s.instances.update(i.instanceId, i.body),
    deleteInstance: (i) => s.instances.delete(i.instanceId),
    forgetCompany: (i) => s.instances.forgetCompany(i.instanceId),
    getInstanceQwc: (i) => s.instances.qwc(i.instanceId),
    openQwcInWebConnector: (i) => s.instances.openQwc(i.instanceId),
    enqueueRequest: (i) => s.requests.enqueue(i.instanceId, i.body),
    listRequests: (i) => s.requests.list(i.instanceId, { status: i.status, sessionId: i.sessionId }, i.limit, i.cursor),
    getRequest: (i) => s.requests.get(i.requestId),
    getRequestResponse: (i) => s.requests.responseChunks(i.requestId),
    listRecords: (i) => s.requests.records(i.requestId, i.limit, i.cursor),
    cancelRequest: (i) => s.requests.cancel(i.requestId),
    retryRequest: (i) => s.requests.retry(i.requestId),
    reconcileRequest: (i) => s.requests.reconcile(i.requestId, s.followUps),
    listSessions: (i) => s.history.sessions(i.instanceId, i.limit, i.cursor),
    listEvents: (i) => s.history.events(i),
    listAllEvents: (i) => s.history.events(i),
    exportEvents: (i) => s.history.eventsCsv(i),
    getMetric: (i) => s.history.metric(i.instanceId, i.metricId, i.fromTime, i.toTime, i.destinationId),
    listDeliveries: (i) => s.deliveries.list(i.instanceId, { status: i.status, destinationId: i.destinationId }, i.limit, i.cursor),
    replayDelivery: (i) => s.deliveries.replay(i.eventId),
    replayDeadDeliveries: (i) => s.deliveries.replayDead(i.instanceId, i.destinationId),
    listDestinations: (i) => s.destinations.list(i.instanceId),
    createDestination: (i) => s.destinations.create(i.instanceId, i.body),
    getDestination: (i) => s.destinations.get(i.instanceId, i.destinationId),
    updateDestination: (i) => s.destinations.update(i.instanceId, i.destinationId, i.body),
    deleteDestination: (i) => s.destinations.delete(i.instanceId, i.destinationId),
    testDestination: (i) => s.deliveries.test(i.instanceId, i.destinationId),
    getOverview: () => s.overview.overview(),
    createLoginCode: () => {
      const { code, expiresAt } = s.logins.mintCode();
      return { url: `${s.pagesUrl()}/login?code=${code}`, expiresAt: new Date(expiresAt).toISOString() };
    },
    getSettings: () => s.settings.get(),
    updateSettings: (i) => s.settings.update(i.body),
    validateQwc: (i) => validateQwc(i.body.qwc),
    getEnvironment: () => s.environment(),
    getHealth: () => s.history.health(),
    getChangeDetection: (i) => s.detection.get(i.instanceId),
    updateChangeDetection: (i) => s.detection.update(i.instanceId, i.body),
    runChangeDetection: (i) => s.detection.run(i.instanceId),
    getCloudLink: () => s.cloud.status(),
    updateCloudLink: (i) => s.cloud.update(i.body),
    syncCloudLinkNow: () => s.cloud.syncNow(),
  };
}
