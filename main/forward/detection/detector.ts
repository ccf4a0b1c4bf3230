/**
 * Change detection in QuickBooks Desktop (issue 18 §1). Per instance and watched type it
 * queues, when due, a changes query from the type's watermark (less an overlap), and per
 * kind (lists, transactions) a deleted-objects query; the queue sends them when the Web
 * Connector next connects. As QuickBooks answers, each page of records becomes change
 * events — queued in the outbox in the transaction that records the page's progress and
 * the records reported (main/store/watermarks.ts) — and a completed query moves its
 * type's watermark. Nothing is skipped: the watermark moves only once a query has
 * completed (QuickBooks doesn't return records in TimeModified order), and a restarted or
 * interrupted query is read again. Nothing is repeated: a record is reported once per
 * EditSequence, a deletion once.
 *
 * QuickBooks keeps deletions about 90 days: a type whose deletions were last checked
 * longer ago than that gets its ids compared instead (a reconcile), said in the event log.
 */
import type { DomainEvents } from '../../events';
import { conflict, notFound } from '../../errors';
import type { Logger } from '../../logger';
import type { RequestService } from '../../services/requests';
import type { Store } from '../../store';
import { encodeCursor } from '../../store/cursor';
import type { QueuedRequest } from '../../store/types';
import type { DetectionSettings, Watermark } from '../../store/watermarks';
import type { Outbox } from '../outbox';
import type { ChangeEvent } from '../payload';
import { type DetectableType, detectableType, idField, nameOf, type TypeKind } from './catalog';
import { CompanionWrites, observe, operationOf } from './changes';
import { instantOf, isoOf, later, queryFrom, wallOf } from './clock';
import { type ChangeDetectionResource, type ChangeDetectionRun, type ChangeDetectionUpdate, changeDetectionUpdateSchema, type QueryPurpose } from './contract';
import { changesQuery, deletedQuery, idsQuery } from './queries';

/** `source` of the requests detection queues (the request list and the event log show it). */
export const DETECTION_SOURCE = 'change-detection';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** How long QuickBooks keeps deletions (qbxml.md §4). */
export const DELETION_LOG_MS = 90 * DAY;
/** Past this since the last check, the deletion log may not reach back: compare ids instead. */
export const RECONCILE_AFTER_MS = 85 * DAY;
/** Records read, and turned into events, per transaction. */
const CHUNK = 500;
/** Writes of the companion completed a little before a query was queued may be what it finds. */
const WRITES_SLACK_MS = HOUR;

export interface DetectionTuning {
  /** Records per page of an iterated detection query; default 500. */
  pageSize: number;
  /** How often due runs are looked for; default 30 s. */
  tickMs: number;
}

export interface ChangeDetectionDeps {
  store: Store;
  requests: RequestService;
  outbox: Outbox;
  events: DomainEvents;
  now: () => number;
  /** The QuickBooks PC's zone: how its wall times are read. */
  timeZone: string;
  logger: Logger;
  tuning?: Partial<DetectionTuning>;
}

/** A record QuickBooks no longer has, as its deletion log (or its absence from the ids) tells. */
interface Gone {
  id: string;
  /** Its name when deleted (a merge left it the survivor's). */
  name: string | null;
  timeCreated: string | null;
  /** When it was deleted, at the latest (epoch ms). */
  deletedAt: number;
  lastUpdated: string;
  /** Created after the query's window began: report it even if it was never reported. */
  newSince: boolean;
}

/** The FromDeletedDate a deleted-objects query was sent with. */
function fromDeletedDate(request: QueuedRequest): string | null {
  const [item] = (request.requestJson ?? []) as { params?: { DeletedDateRangeFilter?: { FromDeletedDate?: string } } }[];
  return item?.params?.DeletedDateRangeFilter?.FromDeletedDate ?? null;
}

/** An instance's settings until they are set: off, with the contract's defaults. */
const DEFAULTS: ChangeDetectionUpdate = changeDetectionUpdateSchema.parse({ enabled: false });
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** The in-flight part of a watermark, cleared when its changes query ends. */
const NO_CHANGES_QUERY = { changesRequestId: null, changesKind: null, changesFrom: null, changesSeq: -1, changesMax: null } as const;

export class ChangeDetection {
  private readonly tuning: DetectionTuning;
  private readonly unsubscribe: (() => void)[] = [];
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly deps: ChangeDetectionDeps) {
    this.tuning = { pageSize: deps.tuning?.pageSize ?? 500, tickMs: deps.tuning?.tickMs ?? 30_000 };
  }

  private get store(): Store {
    return this.deps.store;
  }

  private get timeZone(): string {
    return this.deps.timeZone;
  }

  // ---- settings (REST) ----

  get(instanceId: string): ChangeDetectionResource {
    this.requireInstance(instanceId);
    const s = this.store.watermarks.settings(instanceId);
    const settings = s ?? { ...DEFAULTS, lastRunAt: null };
    const running = (w: Watermark): QueryPurpose[] => [
      ...(w.changesKind !== null ? [w.changesKind] : []),
      ...(w.deletedRequestId !== null ? (['deleted'] as const) : []),
      ...(w.reconcileRequestId !== null ? (['reconcile'] as const) : []),
    ];
    return {
      instanceId,
      enabled: settings.enabled,
      types: settings.types,
      startMode: settings.startMode,
      intervalMinutes: settings.intervalMinutes,
      lastRunAt: iso(settings.lastRunAt),
      nextRunAt: settings.enabled ? iso(settings.lastRunAt === null ? this.deps.now() : settings.lastRunAt + settings.intervalMinutes * MINUTE) : null,
      watermarks: this.store.watermarks.watermarks(instanceId).map((w) => ({
        type: w.type,
        started: w.startedAt !== null,
        changedSince: w.changedSince,
        deletionsCheckedAt: iso(w.deletionsCheckedAt) as string,
        running: running(w),
      })),
    };
  }

  update(instanceId: string, input: ChangeDetectionUpdate): ChangeDetectionResource {
    const now = this.deps.now();
    this.store.transaction(() => {
      this.requireInstance(instanceId);
      const lastRunAt = this.store.watermarks.settings(instanceId)?.lastRunAt ?? null;
      this.store.watermarks.putSettings({ instanceId, ...input, types: [...new Set(input.types)], lastRunAt, updatedAt: now });
      this.log(instanceId, 'detection.settings', input.enabled ? 'on' : 'off', `${input.types.length} types, every ${input.intervalMinutes} min, start: ${input.startMode}`);
    });
    return this.get(instanceId);
  }

  /** Queues a run now (what is still waiting for QuickBooks is not queued again). */
  run(instanceId: string): ChangeDetectionRun {
    return this.store.transaction(() => {
      this.requireInstance(instanceId);
      const s = this.store.watermarks.settings(instanceId);
      if (!s?.enabled) {
        throw conflict('detection_disabled', 'Change detection is off for this instance: turn it on first (PUT /instances/{instanceId}/change-detection with "enabled": true).', 'enabled');
      }
      return { queued: this.plan(s, this.deps.now()) };
    });
  }

  private requireInstance(instanceId: string): void {
    if (!this.store.instances.get(instanceId)) throw notFound('instance', instanceId, 'instanceId');
  }

  // ---- running ----

  /** Settles what QuickBooks answered while the companion was down, then follows answers and the clock until `stop`. */
  start(): void {
    if (this.timer) return;
    this.safely(() => this.settleAll());
    this.unsubscribe.push(
      this.deps.events.on('request.completed', ({ requestId }) => this.safely(() => this.settle(requestId))),
      this.deps.events.on('request.cancelled', ({ requestId }) => this.safely(() => this.settle(requestId))),
      // Queued now, the due queries go out in the session that just began.
      this.deps.events.on('session.started', () => this.safely(() => this.queueDue())),
    );
    this.timer = setInterval(() => this.safely(() => this.queueDue()), this.tuning.tickMs);
    this.timer.unref();
  }

  stop(): void {
    for (const off of this.unsubscribe.splice(0)) off();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  private safely(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.deps.logger.error('Change detection failed', { error: err instanceof Error ? (err.stack ?? err.message) : String(err) });
    }
  }

  /** Queues a run for every instance whose interval has passed. */
  queueDue(): void {
    const now = this.deps.now();
    for (const s of this.store.watermarks.enabled()) {
      if (s.lastRunAt !== null && now - s.lastRunAt < s.intervalMinutes * MINUTE) continue;
      this.store.transaction(() => this.plan(s, now));
    }
  }

  /** Settles every detection request in flight (after a restart, nothing was lost). */
  settleAll(): void {
    const ids = new Set<string>();
    for (const w of this.store.watermarks.inFlight()) {
      for (const id of [w.changesRequestId, w.deletedRequestId, w.reconcileRequestId]) if (id !== null) ids.add(id);
    }
    for (const id of ids) this.settle(id);
  }

  /** Turns what QuickBooks answered to a detection request into events; a no-op for other requests. */
  settle(requestId: string): void {
    const [first, ...rest] = this.store.watermarks.byRequest(requestId);
    if (!first) return;
    const request = this.store.requests.get(requestId);
    if (first.changesRequestId === requestId) this.settleChanges(first, request);
    else if (first.reconcileRequestId === requestId) this.settleReconcile(first, request);
    else this.settleDeleted([first, ...rest], request);
  }

  // ---- planning ----

  private plan(s: DetectionSettings, now: number): ChangeDetectionRun['queued'] {
    const queued: ChangeDetectionRun['queued'] = [];
    const deletions: Record<TypeKind, Watermark[]> = { list: [], txn: [] };
    for (const name of s.types) {
      const t = detectableType(name);
      if (!t) continue;
      const w = this.watermarkFor(s.instanceId, name, now);
      if (w.changesRequestId === null) queued.push(this.queueChanges(s, t, w, now));
      if (w.startedAt === null || w.deletedRequestId !== null || w.reconcileRequestId !== null) continue;
      if (now - w.deletionsCheckedAt > RECONCILE_AFTER_MS) queued.push(this.queueReconcile(t, w, now));
      else deletions[t.kind].push(w);
    }
    for (const kind of ['list', 'txn'] as const) {
      const rows = deletions[kind];
      if (rows.length === 0) continue;
      // One query for the kind, from the earliest watermark among its types (unknown: the whole log).
      // A type's first check starts from its changes watermark (where its first run's records end): from
      // the whole log, a record created since and deleted before this check could not be told from one
      // deleted before detection started, and would go unreported.
      const marks = rows.map((w) => w.deletedSince ?? w.changedSince);
      const earliest = marks.includes(null) ? null : marks.reduce((a, b) => (instantOf(b as string, this.timeZone) < instantOf(a as string, this.timeZone) ? b : a));
      const types = rows.map((w) => w.type);
      const requestId = this.enqueue(s.instanceId, deletedQuery(kind, types, earliest === null ? null : queryFrom(earliest, this.timeZone)));
      for (const w of rows) this.store.watermarks.updateWatermarkOf(s.instanceId, w.type, { deletedRequestId: requestId, deletedBasis: w.changedSince, updatedAt: now });
      queued.push({ requestId, types, purpose: 'deleted' });
    }
    this.store.watermarks.setLastRunAt(s.instanceId, now);
    return queued;
  }

  private watermarkFor(instanceId: string, type: string, now: number): Watermark {
    const existing = this.store.watermarks.watermark(instanceId, type);
    if (existing) return existing;
    const w: Watermark = {
      instanceId,
      type,
      changedSince: null,
      deletedSince: null,
      startedAt: null,
      checkedAt: null,
      // Deletions before detection started are none of its business.
      deletionsCheckedAt: now,
      ...NO_CHANGES_QUERY,
      deletedRequestId: null,
      deletedBasis: null,
      reconcileRequestId: null,
      updatedAt: now,
    };
    this.store.watermarks.insertWatermark(w);
    return w;
  }

  private queueChanges(s: DetectionSettings, t: DetectableType, w: Watermark, now: number): ChangeDetectionRun['queued'][number] {
    const kind = w.startedAt === null ? (s.startMode === 'snapshot' ? 'snapshot' : 'baseline') : 'changes';
    const from = kind === 'changes' && w.changedSince !== null ? queryFrom(w.changedSince, this.timeZone) : null;
    const input = kind === 'baseline' ? idsQuery(t, this.tuning.pageSize) : changesQuery(t, from, this.tuning.pageSize);
    const requestId = this.enqueue(s.instanceId, input);
    this.store.watermarks.updateWatermarkOf(s.instanceId, t.name, { ...NO_CHANGES_QUERY, changesRequestId: requestId, changesKind: kind, changesFrom: from, updatedAt: now });
    return { requestId, types: [t.name], purpose: kind };
  }

  private queueReconcile(t: DetectableType, w: Watermark, now: number): ChangeDetectionRun['queued'][number] {
    const requestId = this.enqueue(w.instanceId, idsQuery(t, this.tuning.pageSize));
    this.store.watermarks.updateWatermarkOf(w.instanceId, t.name, { reconcileRequestId: requestId, deletedBasis: w.changedSince, updatedAt: now });
    const days = Math.floor((now - w.deletionsCheckedAt) / DAY);
    this.log(
      w.instanceId,
      'detection.reconcile',
      'queued',
      `${t.name}: deletions were last checked ${days} days ago and QuickBooks keeps them about 90 days, so every id is compared instead (${requestId})`,
      requestId,
    );
    return { requestId, types: [t.name], purpose: 'reconcile' };
  }

  private enqueue(instanceId: string, input: Parameters<RequestService['enqueue']>[1]): string {
    return this.deps.requests.enqueue(instanceId, input, DETECTION_SOURCE).requestId;
  }

  // ---- settling ----

  private settleChanges(w: Watermark, request: QueuedRequest | undefined): void {
    if (!request) return this.endChanges(w, null);
    if (request.status === 'queued' || request.status === 'sent' || request.status === 'done') this.consumePages(w, request, w.changesSeq);
    if (request.status === 'done') {
      // A restarted iteration updated records already read in place: read them all again (reported versions are skipped).
      if ((request.iterator?.restarts ?? 0) > 0) this.consumePages(w, request, -1);
      this.endChanges(w, request);
    } else if (request.status !== 'queued' && request.status !== 'sent') {
      this.endChanges(w, request);
    }
  }

  /** Turns the records not yet read into events, a chunk per transaction with the progress it made. */
  private consumePages(w: Watermark, request: QueuedRequest, fromSeq: number): void {
    const t = detectableType(w.type) as DetectableType;
    const writes = new CompanionWrites(this.store.watermarks.companionWrites(w.instanceId, (w.checkedAt ?? request.createdAt) - WRITES_SLACK_MS));
    let after = fromSeq;
    for (let more = true; more; ) {
      more = this.store.transaction(() => {
        const current = this.store.watermarks.watermark(w.instanceId, w.type);
        if (!current || current.changesRequestId !== request.id) return false;
        const page = this.store.records.page(request.seq, CHUNK, after >= 0 ? encodeCursor(after, '') : null);
        const last = page.records[page.records.length - 1];
        if (!last) return false;
        const run = { kind: current.changesKind ?? 'changes', from: current.changesFrom, timeZone: this.timeZone };
        const now = this.deps.now();
        const events: ChangeEvent[] = [];
        let max = current.changesMax;
        for (const r of page.records) {
          if (r.name !== `${t.name}Ret`) continue;
          const data = r.data as Record<string, unknown>;
          const o = observe(t, data);
          if (!o) continue;
          if (o.timeModified !== null) max = later(max, wallOf(o.timeModified), this.timeZone);
          const known = this.store.watermarks.record(w.instanceId, t.name, o.id);
          const operation = operationOf(o, known, run);
          if (operation === null) continue;
          this.store.watermarks.putRecord({
            instanceId: w.instanceId,
            type: t.name,
            recordId: o.id,
            editSequence: o.editSequence,
            name: o.name,
            timeCreated: o.timeCreated,
            voided: o.voided,
            seenAt: now,
            deletedAt: null,
          });
          // A baseline only learns what exists.
          if (run.kind === 'baseline') continue;
          events.push({
            name: t.name,
            id: o.id,
            operation,
            lastUpdated: o.timeModified !== null ? isoOf(o.timeModified, this.timeZone) : new Date(now).toISOString(),
            origin: writes.originOf(o, operation),
            record: data,
          });
        }
        this.deps.outbox.enqueue(w.instanceId, events);
        after = last.seq;
        this.store.watermarks.updateWatermarkOf(w.instanceId, w.type, { changesSeq: Math.max(after, current.changesSeq), changesMax: max, updatedAt: now });
        return page.nextCursor !== null;
      });
    }
  }

  /** The changes query ended: done moves the watermark; anything else leaves it, to be asked again. */
  private endChanges(w: Watermark, request: QueuedRequest | null): void {
    this.store.transaction(() => {
      const current = this.store.watermarks.watermark(w.instanceId, w.type);
      if (!current || current.changesRequestId !== w.changesRequestId) return;
      const now = this.deps.now();
      if (request?.status !== 'done') {
        this.store.watermarks.updateWatermarkOf(w.instanceId, w.type, { ...NO_CHANGES_QUERY, updatedAt: now });
        this.failed(w.instanceId, `${w.type} changes`, request, w.changesRequestId as string);
        return;
      }
      this.store.watermarks.updateWatermarkOf(w.instanceId, w.type, {
        ...NO_CHANGES_QUERY,
        changedSince: later(current.changedSince, current.changesMax, this.timeZone),
        startedAt: current.startedAt ?? now,
        checkedAt: request.createdAt,
        updatedAt: now,
      });
    });
  }

  private settleDeleted(rows: Watermark[], request: QueuedRequest | undefined): void {
    if (request && (request.status === 'queued' || request.status === 'sent')) return;
    const instanceId = (rows[0] as Watermark).instanceId;
    const requestId = (rows[0] as Watermark).deletedRequestId as string;
    this.store.transaction(() => {
      const now = this.deps.now();
      const covered = new Map(rows.map((w) => [w.type, w]));
      if (request?.status !== 'done') {
        for (const w of rows) this.store.watermarks.updateWatermarkOf(instanceId, w.type, { deletedRequestId: null, deletedBasis: null, updatedAt: now });
        this.failed(instanceId, `${[...covered.keys()].join(', ')} deletions`, request ?? null, requestId);
        return;
      }
      const since = Math.min(...rows.map((w) => w.deletionsCheckedAt)) - WRITES_SLACK_MS;
      const writes = new CompanionWrites(this.store.watermarks.companionWrites(instanceId, since));
      // The next check starts from the changes watermark this one was queued with, not from the newest
      // deletion it read: a record created before that deletion, and not yet seen by a changes query
      // (one that is late or failed), may be deleted after it — and would then fall before the window.
      const deletedSince = new Map(rows.map((w) => [w.type, later(w.deletedSince, w.deletedBasis, this.timeZone)]));
      // A record never reported, created within the query's window, was created and deleted between two runs:
      // reported too. Older ones were deleted before detection started (or the query had no window).
      const from = fromDeletedDate(request);
      const events: ChangeEvent[] = [];
      for (const r of this.recordsOf(request)) {
        const d = r as Record<string, unknown>;
        const type = String(d.ListDelType ?? d.TxnDelType);
        const t = detectableType(type);
        const id = d.ListID ?? d.TxnID;
        const timeDeleted = d.TimeDeleted;
        if (!t || !covered.has(type) || typeof id !== 'string' || typeof timeDeleted !== 'string') continue;
        const timeCreated = typeof d.TimeCreated === 'string' ? d.TimeCreated : null;
        const event = this.removal(instanceId, t, writes, now, {
          id,
          name: nameOf(t.kind, d),
          timeCreated,
          deletedAt: instantOf(timeDeleted, this.timeZone),
          lastUpdated: isoOf(timeDeleted, this.timeZone),
          newSince: from !== null && timeCreated !== null && instantOf(timeCreated, this.timeZone) >= instantOf(from, this.timeZone),
        });
        if (event) events.push(event);
      }
      this.deps.outbox.enqueue(instanceId, events);
      // Deletions are known up to when QuickBooks was asked; a gap longer than its log is a reconcile.
      const askedAt = request.sentAt ?? request.createdAt;
      for (const w of rows) {
        this.store.watermarks.updateWatermarkOf(instanceId, w.type, { deletedRequestId: null, deletedBasis: null, deletedSince: deletedSince.get(w.type) ?? null, updatedAt: now });
        if (askedAt - w.deletionsCheckedAt > DELETION_LOG_MS && w.reconcileRequestId === null) {
          this.queueReconcile(detectableType(w.type) as DetectableType, w, now);
        } else {
          this.store.watermarks.updateWatermarkOf(instanceId, w.type, { deletionsCheckedAt: askedAt });
        }
      }
      // A deletion reported longer ago than QuickBooks keeps it can't be reported again.
      this.store.watermarks.pruneDeleted(instanceId, now - DELETION_LOG_MS - DAY);
    });
  }

  private settleReconcile(w: Watermark, request: QueuedRequest | undefined): void {
    if (request && (request.status === 'queued' || request.status === 'sent')) return;
    const requestId = w.reconcileRequestId as string;
    this.store.transaction(() => {
      const now = this.deps.now();
      if (request?.status !== 'done') {
        this.store.watermarks.updateWatermarkOf(w.instanceId, w.type, { reconcileRequestId: null, deletedBasis: null, updatedAt: now });
        this.failed(w.instanceId, `${w.type} reconcile`, request ?? null, requestId);
        return;
      }
      const t = detectableType(w.type) as DetectableType;
      const field = idField(t.kind);
      const present = new Set(this.recordsOf(request).map((r) => (r as Record<string, unknown>)[field]));
      const askedAt = request.sentAt ?? request.createdAt;
      const writes = new CompanionWrites(this.store.watermarks.companionWrites(w.instanceId, w.deletionsCheckedAt - WRITES_SLACK_MS));
      const events: ChangeEvent[] = [];
      // Only records known before the ids were asked for: one found since is not in the list, yet exists.
      for (const known of this.store.watermarks.liveSeenBefore(w.instanceId, t.name, askedAt)) {
        if (present.has(known.recordId)) continue;
        const event = this.removal(w.instanceId, t, writes, now, {
          id: known.recordId,
          name: known.name,
          timeCreated: known.timeCreated,
          deletedAt: askedAt,
          lastUpdated: new Date(request.completedAt ?? now).toISOString(),
          newSince: false,
        });
        if (event) events.push(event);
      }
      this.deps.outbox.enqueue(w.instanceId, events);
      this.store.watermarks.updateWatermarkOf(w.instanceId, w.type, {
        reconcileRequestId: null,
        deletedBasis: null,
        deletedSince: later(w.deletedSince, w.deletedBasis, this.timeZone),
        deletionsCheckedAt: askedAt,
        updatedAt: now,
      });
      this.log(
        w.instanceId,
        'detection.reconcile',
        'done',
        `${t.name}: compared ${present.size} ids with QuickBooks; ${events.length} no longer there, reported as ${events.length === 1 ? 'a deletion' : 'deletions'}`,
        requestId,
      );
    });
  }

  /**
   * Delete or Merge for a record QuickBooks no longer has; null when reported already, or
   * never reported and not `newSince`. Merged: by the companion (its ListMerge said so),
   * or in QuickBooks, which merges by renaming a list element to another's name — so
   * another element of that name, older than the deletion, is the survivor.
   */
  private removal(instanceId: string, t: DetectableType, writes: CompanionWrites, now: number, gone: Gone): ChangeEvent | null {
    const id = gone.id;
    const known = this.store.watermarks.record(instanceId, t.name, id);
    if (known ? known.deletedAt !== null : !gone.newSince) return null;
    // The deletion log's name first: a merge in QuickBooks renamed it to the survivor's.
    const name = gone.name ?? known?.name ?? null;
    this.store.watermarks.putRecord({
      instanceId,
      type: t.name,
      recordId: id,
      editSequence: known?.editSequence ?? null,
      name,
      timeCreated: known?.timeCreated ?? gone.timeCreated,
      voided: known?.voided ?? false,
      seenAt: now,
      deletedAt: now,
    });
    const lastUpdated = gone.lastUpdated;
    let survivor = writes.survivorOf(id);
    if (survivor === undefined && t.kind === 'list' && name !== null) {
      const namesake = this.store.watermarks.namesake(instanceId, t.name, name, id);
      if (namesake?.timeCreated && instantOf(namesake.timeCreated, this.timeZone) <= gone.deletedAt) survivor = namesake.recordId;
    }
    const origin = writes.removedBy(id);
    if (survivor !== undefined) return { name: t.name, id: survivor, operation: 'Merge', deletedId: id, lastUpdated, origin };
    return { name: t.name, id, operation: 'Delete', lastUpdated, origin };
  }

  /** Every record of a request's (complete) responses. */
  private recordsOf(request: QueuedRequest): unknown[] {
    const out: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = this.store.records.page(request.seq, CHUNK, cursor);
      for (const r of page.records) out.push(r.data);
      cursor = page.nextCursor;
    } while (cursor);
    return out;
  }

  private failed(instanceId: string, what: string, request: QueuedRequest | null, requestId: string): void {
    const why = request === null ? 'the request is gone' : (request.error?.developerMessage ?? request.statusMessage ?? request.status);
    this.log(instanceId, 'detection.failed', request?.status ?? 'missing', `${what}: ${why}; asked again at the next run`, requestId);
  }

  /** Everything detection does is logged here, so this is also where the UI learns that it changed. */
  private log(instanceId: string, action: string, result: string, detail: string, requestId: string | null = null): void {
    this.store.events.append({ clientId: instanceId, timestamp: this.deps.now(), user: 'companion', action, detail, result, sessionId: null, requestId });
    this.deps.events.emit('detection.changed', { instanceId });
  }
}
