/**
 * Keeps the tray and the notifications up to date: reads the overview at start, once a
 * minute (headlines say "5 minutes ago"; the watchdog measures silence) and shortly after
 * any event that changes it, and passes every domain event to the tray's state machine and
 * the notification planner. No Electron here: the glue gives it `render` and `notify`.
 */
import type { DomainEventName } from '../events';
import type { Logger } from '../logger';
import { NotificationPlanner, type PlannedNotification } from './notifications';
import type { DomainEvent, Overview } from './status-types';
import { INITIAL_TRAY_MODEL, reduceTray, type TrayInput, type TrayView, trayView } from './tray-state';

export interface StatusMonitorDeps {
  loadOverview(): Promise<Overview>;
  /** Subscribes to every domain event; returns the unsubscribe. */
  subscribe(listener: (event: DomainEvent) => void): () => void;
  render(view: TrayView, paused: boolean): void;
  notify(notification: PlannedNotification): void;
  logger: Logger;
  now?: () => number;
  planner?: NotificationPlanner;
}

/** Events after which the overview says something new (progress alone moves the tray itself). */
const CHANGES_OVERVIEW: ReadonlySet<DomainEventName> = new Set([
  'session.started',
  'session.ended',
  'request.completed',
  'request.cancelled',
  'instance.changed',
  'settings.changed',
]);

/** A session's events come in bursts: one read of the overview after the burst. */
export const REFRESH_DELAY_MS = 1_000;
export const PERIODIC_REFRESH_MS = 60_000;
export const NOTIFICATION_TICK_MS = 5_000;

export class StatusMonitor {
  private model = INITIAL_TRAY_MODEL;
  private readonly planner: NotificationPlanner;
  private readonly now: () => number;
  private unsubscribe: (() => void) | null = null;
  private readonly intervals: NodeJS.Timeout[] = [];
  private pendingRefresh: NodeJS.Timeout | null = null;
  private inFlight: Promise<void> | null = null;
  /** Something changed while a read was under way: read again when it is done. */
  private stale = false;
  private failureLogged = false;

  constructor(private readonly deps: StatusMonitorDeps) {
    this.planner = deps.planner ?? new NotificationPlanner();
    this.now = deps.now ?? Date.now;
  }

  start(): void {
    this.unsubscribe = this.deps.subscribe((event) => this.onEvent(event));
    this.intervals.push(setInterval(() => void this.refresh(), PERIODIC_REFRESH_MS));
    this.intervals.push(setInterval(() => this.notifyAll(this.planner.tick(this.now())), NOTIFICATION_TICK_MS));
    this.render();
    void this.refresh();
  }

  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = null;
    for (const t of this.intervals.splice(0)) clearInterval(t);
    if (this.pendingRefresh) clearTimeout(this.pendingRefresh);
    this.pendingRefresh = null;
  }

  get paused(): boolean {
    return this.model.paused;
  }

  get view(): TrayView {
    return trayView(this.model);
  }

  /** Reads the overview now; a read already under way is followed by one more. */
  refresh(): Promise<void> {
    if (this.inFlight) {
      this.stale = true;
      return this.inFlight;
    }
    this.inFlight = this.readOverview().finally(() => {
      this.inFlight = null;
      if (this.stale) {
        this.stale = false;
        void this.refresh();
      }
    });
    return this.inFlight;
  }

  private async readOverview(): Promise<void> {
    let overview: Overview;
    try {
      overview = await this.deps.loadOverview();
    } catch (err) {
      if (!this.failureLogged) this.deps.logger.error('The tray could not read the overview', { error: err instanceof Error ? err.message : String(err) });
      this.failureLogged = true;
      this.apply({ type: 'overview.failed', message: err instanceof Error ? err.message : String(err) });
      return;
    }
    this.failureLogged = false;
    this.apply({ type: 'overview', overview });
    this.notifyAll(this.planner.overview(overview, this.now()));
  }

  private onEvent(event: DomainEvent): void {
    this.apply(event);
    this.notifyAll(this.planner.event(event, this.now()));
    if (CHANGES_OVERVIEW.has(event.type) && !this.pendingRefresh) {
      this.pendingRefresh = setTimeout(() => {
        this.pendingRefresh = null;
        void this.refresh();
      }, REFRESH_DELAY_MS);
    }
  }

  private apply(input: TrayInput): void {
    this.model = reduceTray(this.model, input);
    this.render();
  }

  private render(): void {
    this.deps.render(trayView(this.model), this.model.paused);
  }

  private notifyAll(notifications: PlannedNotification[]): void {
    for (const n of notifications) this.deps.notify(n);
  }
}
