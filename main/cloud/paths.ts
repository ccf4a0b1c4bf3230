/**
 * Where the cloud link calls the QBD Connect System API (seed 003), relative to
 * `{baseUrl}/{version}` — e.g. http://localhost:8081/qbdconnect-api/v1/instances. Every
 * path is here, once; the link's settings (`paths`) may override any of them.
 *
 * Shown by seed 003:
 *   POST   /instances                    register an instance (the Instance model)
 *   PUT    /instances/{instanceId}       update it (the link sends the whole Instance)
 *   DELETE /instances/{instanceId}       an instance deleted here
 *   GET    /instances/{instanceId}/metrics/{metricId}?fromTime&toTime   (read; see pushMetric)
 *
 * Chosen here, as seed 003 shows the model but no path:
 *   POST /sessions, POST /requests, POST /eventlogs — a batch (JSON array) of Session,
 *     Request or EventLog models, which the service upserts by sessionId, requestId and
 *     (clientId, logId): pushing is at-least-once, so a batch sent twice must be harmless.
 *     Top-level plural collections, as the API's others are (/customers, /instances,
 *     /subscriptions, /users); the intro names "sessions, and requests" as its resources.
 *   GET /requests?instanceId={instanceId}&status=queued — the requests a cloud app queued for
 *     an instance, filtered by query parameters as GET /instances?customerId= is.
 *   POST /instances/{instanceId}/metrics/{metricId} — a metric's points (the companion's
 *     metric resource), beside the GET seed 003 shows at the same path; upserted by point time.
 */
export const CLOUD_PATHS = {
  createInstance: { method: 'POST', path: '/instances' },
  updateInstance: { method: 'PUT', path: '/instances/{instanceId}' },
  deleteInstance: { method: 'DELETE', path: '/instances/{instanceId}' },
  pushSessions: { method: 'POST', path: '/sessions' },
  pushRequests: { method: 'POST', path: '/requests' },
  pushEventLogs: { method: 'POST', path: '/eventlogs' },
  pullRequests: { method: 'GET', path: '/requests?instanceId={instanceId}&status=queued' },
  pushMetric: { method: 'POST', path: '/instances/{instanceId}/metrics/{metricId}' },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; path: string }>;

export type CloudPathName = keyof typeof CLOUD_PATHS;
export const CLOUD_PATH_NAMES = Object.keys(CLOUD_PATHS) as CloudPathName[];

/** Overrides of the table (the link's `paths` setting). */
export type PathOverrides = Partial<Record<CloudPathName, string>>;

/** A path as configured, its {placeholders} filled in (each value URI-encoded). */
export function cloudPath(name: CloudPathName, overrides: PathOverrides, params: Record<string, string> = {}): string {
  const template = overrides[name] ?? CLOUD_PATHS[name].path;
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in params ? encodeURIComponent(params[key] as string) : whole));
}
