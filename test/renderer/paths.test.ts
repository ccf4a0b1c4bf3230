/** The REST transport's requests, built from the generated route table. */
import { describe, expect, it } from 'vitest';
import { planRequest } from '../../renderer/src/client/paths';
import { routes } from '../../renderer/src/contract/routes.gen';

describe('planRequest', () => {
  it('fills path parameters, encoding anything that would leave its segment', () => {
    expect(planRequest(routes.getInstance, { params: { instanceId: 'abc' } })).toEqual({ method: 'GET', url: '/api/v1/instances/abc' });
    expect(planRequest(routes.getRequest, { params: { requestId: 'a/b?c#d e' } }).url).toBe('/api/v1/requests/a%2Fb%3Fc%23d%20e');
    expect(planRequest(routes.getMetric, { params: { instanceId: 'i1', metricId: 'requests_failed' } }).url).toBe('/api/v1/instances/i1/metrics/requests_failed');
  });

  it('refuses a call missing a path parameter instead of calling a wrong path', () => {
    expect(() => planRequest(routes.getInstance, {})).toThrow(/missing path parameter "instanceId"/);
    expect(() => planRequest(routes.getInstance, { params: { instanceId: '' } })).toThrow(/instanceId/);
  });

  it('sends the query as search parameters, leaving out what is not given', () => {
    const plan = planRequest(routes.listEvents, {
      params: { instanceId: 'i1' },
      query: { action: 'session.*', fromTime: '2026-01-01T00:00:00Z', limit: 200, cursor: undefined, toTime: null, q: '' },
    });
    expect(plan.url).toBe('/api/v1/instances/i1/events?action=session.*&fromTime=2026-01-01T00%3A00%3A00Z&limit=200');
    expect(plan.body).toBeUndefined();
    expect(planRequest(routes.listRequests, { params: { instanceId: 'i1' }, query: { status: 'error', limit: 50 } }).url).toBe(
      '/api/v1/instances/i1/requests?status=error&limit=50',
    );
    expect(() => planRequest(routes.listRequests, { params: { instanceId: 'i1' }, query: { status: ['a'] } })).toThrow(TypeError);
  });

  it('sends the body as JSON with the operation\'s method', () => {
    expect(planRequest(routes.updateSettings, { body: { paused: true } })).toEqual({ method: 'PATCH', url: '/api/v1/settings', body: '{"paused":true}' });
    expect(planRequest(routes.createInstance, { body: { name: 'Pine', username: 'pine' } })).toMatchObject({ method: 'POST', url: '/api/v1/instances' });
    expect(planRequest(routes.deleteInstance, { params: { instanceId: 'i1' } })).toEqual({ method: 'DELETE', url: '/api/v1/instances/i1' });
  });
});
