/**
 * A local stand-in for a QBD Connect System API (seed 003) for the cloud link's tests:
 * express on 127.0.0.1, the paths of main/cloud/paths.ts (with the same overrides the
 * link is given), every body checked against seed 003's models, state kept as a service
 * would (upserts by id), and told how to answer: down (connections refused), 401, 429 with
 * Retry-After, 503.
 */
import { randomUUID } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { z } from 'zod';
import { metricSchema } from '../../main/contract/schemas';
import { cloudEventLogSchema, cloudInstanceSchema, cloudRequestSchema, cloudSessionSchema } from '../../main/cloud/models';
import { CLOUD_PATH_NAMES, CLOUD_PATHS, type CloudPathName, type PathOverrides } from '../../main/cloud/paths';

export const BASE_PATH = '/qbdconnect-api';

type Json = Record<string, unknown>;

export class FakeCloud {
  apiKey = 'qbdc-secret-key-5b7e0d31';
  /** When set, every call gets this answer instead. */
  answer: { status: number; headers?: Record<string, string> } | null = null;
  readonly instances = new Map<string, Json>();
  readonly sessions = new Map<string, Json>();
  readonly requests = new Map<string, Json>();
  /** By clientId and logId. */
  readonly eventLogs = new Map<string, Json>();
  /** Points by instanceId, metricId and timestamp. */
  readonly metrics = new Map<string, number>();
  /** Every id of every batch received, repeats included: what at-least-once sent. */
  readonly received = { sessions: [] as string[], requests: [] as string[], eventLogs: [] as string[] };
  /** Calls as "METHOD path → status", with when they came. */
  readonly calls: { at: number; line: string; path: string }[] = [];
  /** Bodies that did not match seed 003's models: should stay empty. */
  readonly invalid: string[] = [];
  private server: http.Server | null = null;
  port = 0;

  constructor(private readonly overrides: PathOverrides = {}) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}${BASE_PATH}`;
  }

  /** A request a cloud app queued for an instance; returns its id. */
  queue(instanceId: string, work: { qbxml: string } | Json): string {
    const requestId = randomUUID();
    this.requests.set(requestId, { requestId, instanceId, timestamp: new Date().toISOString(), status: 'queued', ...work });
    return requestId;
  }

  callsTo(name: CloudPathName): number {
    const template = (this.overrides[name] ?? CLOUD_PATHS[name].path).split('?')[0] as string;
    const path = new RegExp(`${template.replace(/\{\w+\}/g, '[^/]+')}$`);
    return this.calls.filter((c) => c.line.startsWith(`${CLOUD_PATHS[name].method} `) && path.test(c.path)).length;
  }

  /** Listens (again, on the same port once it has one). */
  async up(): Promise<this> {
    const app = express();
    app.use(express.json({ limit: '50mb' }));
    app.use((req, res, next) => {
      res.on('finish', () => this.calls.push({ at: Date.now(), line: `${req.method} ${req.path} → ${res.statusCode}`, path: req.path }));
      if (this.answer) return void res.status(this.answer.status).set(this.answer.headers ?? {}).json({ message: 'as told' });
      if (req.headers.authorization !== `Bearer ${this.apiKey}`) return void res.status(401).json({ message: 'Invalid API key' });
      if (!req.path.startsWith(`${BASE_PATH}/v1/`)) return void res.status(404).json({ message: 'no such version' });
      next();
    });
    const route = (name: CloudPathName) => `${BASE_PATH}/v1${(this.overrides[name] ?? CLOUD_PATHS[name].path).split('?')[0]!.replace(/\{(\w+)\}/g, ':$1')}`;
    const handlers: Record<CloudPathName, express.RequestHandler> = {
      createInstance: (req, res) => {
        const instance = this.check(cloudInstanceSchema, req.body, res);
        if (!instance) return;
        const id = instance.instanceId ?? randomUUID();
        if (this.instances.has(id)) return void res.status(409).json({ message: 'exists' });
        this.instances.set(id, { ...instance, instanceId: id });
        res.status(201).json(this.instances.get(id));
      },
      updateInstance: (req, res) => {
        const id = req.params.instanceId as string;
        if (!this.instances.has(id)) return void res.status(404).json({ message: 'no such instance' });
        const instance = this.check(cloudInstanceSchema, req.body, res);
        if (instance) res.json(this.instances.set(id, { ...instance, instanceId: id }).get(id));
      },
      deleteInstance: (req, res) => {
        if (!this.instances.delete(req.params.instanceId as string)) return void res.status(404).json({ message: 'no such instance' });
        res.status(204).end();
      },
      pushSessions: (req, res) => this.upsert(req, res, cloudSessionSchema, this.sessions, this.received.sessions, (s) => s.sessionId),
      pushRequests: (req, res) => this.upsert(req, res, cloudRequestSchema, this.requests, this.received.requests, (r) => r.requestId),
      pushEventLogs: (req, res) => this.upsert(req, res, cloudEventLogSchema, this.eventLogs, this.received.eventLogs, (e) => `${e.clientId}:${e.logId}`),
      pullRequests: (req, res) => {
        const { instanceId, status } = req.query;
        res.json([...this.requests.values()].filter((r) => r.instanceId === instanceId && r.status === status));
      },
      pushMetric: (req, res) => {
        const metric = this.check(metricSchema, req.body, res);
        if (!metric) return;
        if (metric.instanceId !== req.params.instanceId || metric.metricId !== req.params.metricId) return void this.refuse(res, 'path and body disagree');
        for (const p of metric.points) this.metrics.set(`${metric.instanceId}:${metric.metricId}:${p.timestamp}`, p.value);
        res.status(204).end();
      },
    };
    for (const name of CLOUD_PATH_NAMES) {
      const method = CLOUD_PATHS[name].method.toLowerCase() as 'get' | 'post' | 'put' | 'delete';
      app[method](route(name), handlers[name]);
    }
    const server = app.listen(this.port, '127.0.0.1');
    await new Promise<void>((resolve) => server.once('listening', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
    return this;
  }

  /** Stops listening: calls meet a refused connection. */
  async down(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }

  /** A metric's points as received, by timestamp. */
  metric(instanceId: string, metricId: string): Map<string, number> {
    const prefix = `${instanceId}:${metricId}:`;
    return new Map([...this.metrics].filter(([k]) => k.startsWith(prefix)).map(([k, v]) => [k.slice(prefix.length), v]));
  }

  private check<T extends z.ZodType>(schema: T, body: unknown, res: express.Response): z.infer<T> | undefined {
    const parsed = schema.safeParse(body);
    if (parsed.success) return parsed.data;
    this.refuse(res, z.prettifyError(parsed.error));
    return undefined;
  }

  private refuse(res: express.Response, why: string): void {
    this.invalid.push(why);
    res.status(400).json({ message: why });
  }

  /** A batch (a JSON array of the model), upserted by id: a batch sent twice changes nothing. */
  private upsert<T extends z.ZodType<Json>>(req: express.Request, res: express.Response, model: T, into: Map<string, Json>, ids: string[], idOf: (item: z.infer<T>) => string): void {
    const batch = this.check(z.array(model).min(1), req.body, res);
    if (!batch) return;
    for (const item of batch) {
      const id = idOf(item);
      into.set(id, { ...into.get(id), ...item });
      ids.push(id);
    }
    res.status(204).end();
  }
}
