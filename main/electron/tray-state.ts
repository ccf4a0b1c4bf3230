/**
 * The tray's state machine. The overview (getOverview) is the truth; domain events that
 * arrive between two overviews move the tray at once (a session starts, its progress, it
 * ends, pause) so the icon never lags behind Web Connector's own progress bar. Pure: the
 * glue feeds it and draws what `trayView` returns.
 */
import path from 'node:path';
import { PRODUCT_NAME } from '../companion';
import type { ConnectionOverview, ConnectionState, DomainEvent, Overview } from './status-types';

export type TrayIcon = 'idle' | 'syncing' | 'attention' | 'error' | 'paused';

/** assets/tray/tray-<icon>.png, with @1.5x and @2x beside it for high-DPI screens (scripts/make-icons.ts). */
export function trayIconFile(assetsDir: string, icon: TrayIcon): string {
  return path.join(assetsDir, 'tray', `tray-${icon}.png`);
}

export interface TrayView {
  icon: TrayIcon;
  /** The running sessions' progress, when the icon is `syncing`. */
  percent?: number;
  /** At most 127 characters: what Windows shows of a tray tooltip. */
  tooltip: string;
  /** One line per connection, for the tray menu. */
  lines: string[];
}

/** What a domain event told us about a connection since the last overview. */
type Live = { kind: 'running'; percent: number } | { kind: 'ended' };

export interface TrayModel {
  overview: Overview | null;
  /** Why the last overview could not be read; cleared by the next one that can. */
  failure: string | null;
  paused: boolean;
  live: Readonly<Record<string, Live>>;
}

export type TrayInput = { type: 'overview'; overview: Overview } | { type: 'overview.failed'; message: string } | DomainEvent;

export const INITIAL_TRAY_MODEL: TrayModel = { overview: null, failure: null, paused: false, live: {} };

export function reduceTray(model: TrayModel, input: TrayInput): TrayModel {
  switch (input.type) {
    case 'overview':
      return { overview: input.overview, failure: null, paused: input.overview.paused, live: {} };
    case 'overview.failed':
      return { ...model, failure: input.message };
    case 'settings.changed':
      return { ...model, paused: input.data.paused };
    case 'session.started':
      return withLive(model, input.data.instanceId, { kind: 'running', percent: 0 });
    case 'session.progress':
      return withLive(model, input.data.instanceId, { kind: 'running', percent: clampPercent(input.data.percent) });
    case 'session.ended':
      return input.data.instanceId === null ? model : withLive(model, input.data.instanceId, { kind: 'ended' });
    default:
      return model;
  }
}

const withLive = (model: TrayModel, instanceId: string, live: Live): TrayModel => ({ ...model, live: { ...model.live, [instanceId]: live } });

const clampPercent = (p: number) => Math.max(0, Math.min(100, Math.round(p)));

interface ConnectionNow {
  name: string;
  state: ConnectionState;
  headline: string;
  percent: number | null;
}

/** A connection as it stands now: the overview's word, unless an event since says otherwise. */
function connectionNow(c: ConnectionOverview, live: Live | undefined): ConnectionNow {
  if (live?.kind === 'running') return { name: c.name, state: 'syncing', headline: `Syncing… ${live.percent}%`, percent: live.percent };
  // Ended since the overview said "syncing": how it went is in the next overview.
  if (live?.kind === 'ended' && c.state === 'syncing') return { name: c.name, state: 'idle', headline: 'Sync just finished', percent: null };
  return { name: c.name, state: c.state, headline: c.headline, percent: c.state === 'syncing' ? (c.progress?.percent ?? 0) : null };
}

const TOOLTIP_MAX = 127;

export function trayView(model: TrayModel): TrayView {
  const connections = (model.overview?.connections ?? []).map((c) => connectionNow(c, model.live[c.instanceId]));
  const lines = connections.map((c) => `${c.name}: ${c.headline}`);
  const having = (state: ConnectionState) => connections.filter((c) => c.state === state);
  const errors = having('error');
  const attention = having('attention');
  const syncing = having('syncing');

  let view: Omit<TrayView, 'lines'>;
  if (model.paused) view = { icon: 'paused', tooltip: 'Syncing is paused' };
  else if (model.failure !== null) view = { icon: 'error', tooltip: `Can't read the sync status: ${model.failure}` };
  else if (errors.length > 0) view = { icon: 'error', tooltip: summary(errors, 'have a problem') };
  else if (attention.length > 0) view = { icon: 'attention', tooltip: summary(attention, 'need you') };
  else if (syncing.length > 0) {
    const percent = Math.round(syncing.reduce((sum, c) => sum + (c.percent ?? 0), 0) / syncing.length);
    const what = syncing.length === 1 ? (syncing[0] as ConnectionNow).name : `${syncing.length} connections`;
    view = { icon: 'syncing', percent, tooltip: `Syncing ${what}… ${percent}%` };
  } else if (model.overview === null) view = { icon: 'idle', tooltip: 'Starting…' };
  else if (connections.length === 0) view = { icon: 'idle', tooltip: 'No connections yet: open it to add one' };
  else if (connections.length === 1) view = { icon: 'idle', tooltip: lines[0] as string };
  else view = { icon: 'idle', tooltip: 'Nothing needs you' };
  return { ...view, tooltip: truncate(`${PRODUCT_NAME} — ${view.tooltip}`, TOOLTIP_MAX), lines };
}

/** One connection: its own words; several: how many. */
function summary(connections: ConnectionNow[], verb: string): string {
  const [only] = connections;
  return connections.length === 1 && only ? `${only.name}: ${only.headline}` : `${connections.length} connections ${verb}`;
}

function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
