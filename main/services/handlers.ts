/** The implementation of every contract operation, shared by REST, IPC and the CLI. */
import type { OperationHandlers } from '../contract/operations';
import { validateQwc } from '../qwc/validate';
import type { Settings } from '../settings';
import type { DeliveryService } from './deliveries';
import type { HistoryService } from './history';
import type { InstanceService } from './instances';
import type { RequestService } from './requests';

export interface Services {
  instances: InstanceService;
  requests: RequestService;
  history: HistoryService;
  settings: Settings;
  deliveries: DeliveryService;
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
    enqueueRequest: (i) => s.requests.enqueue(i.instanceId, i.body),
    listRequests: (i) => s.requests.list(i.instanceId, i.status, i.limit, i.cursor),
    getRequest: (i) => s.requests.get(i.requestId),
    getRequestResponse: (i) => s.requests.responseChunks(i.requestId),
    listRecords: (i) => s.requests.records(i.requestId, i.limit, i.cursor),
    cancelRequest: (i) => s.requests.cancel(i.requestId),
    listSessions: (i) => s.history.sessions(i.instanceId, i.limit, i.cursor),
    listEvents: (i) => s.history.events(i.instanceId, i),
    getMetric: (i) => s.history.metric(i.instanceId, i.metricId, i.fromTime, i.toTime),
    listDeliveries: (i) => s.deliveries.list(i.instanceId, i.status, i.limit, i.cursor),
    replayDelivery: (i) => s.deliveries.replay(i.eventId),
    replayDeadDeliveries: (i) => s.deliveries.replayDead(i.instanceId),
    testDestination: (i) => s.deliveries.test(i.instanceId),
    getSettings: () => s.settings.get(),
    updateSettings: (i) => s.settings.update(i.body),
    validateQwc: (i) => validateQwc(i.body.qwc),
    getHealth: () => s.history.health(),
  };
}
