/**
 * A connection's state as a light: an icon whose shape and colour differ per state, and
 * the state in words beside it — never colour alone.
 */
import { makeStyles, tokens } from '@fluentui/react-components';
import {
  ArrowSyncCircle20Filled,
  CheckmarkCircle20Filled,
  Clock20Filled,
  ErrorCircle20Filled,
  PauseCircle20Filled,
  Warning20Filled,
} from '@fluentui/react-icons';
import type { CallOutput } from '../client/types';

export type ConnectionState = CallOutput<'getOverview'>['connections'][number]['state'];

const useStyles = makeStyles({
  light: { display: 'inline-flex', alignItems: 'center', gap: tokens.spacingHorizontalXS, whiteSpace: 'nowrap', fontWeight: tokens.fontWeightSemibold },
  new: { color: tokens.colorBrandForeground1 },
  idle: { color: tokens.colorStatusSuccessForeground1 },
  syncing: { color: tokens.colorBrandForeground1 },
  attention: { color: tokens.colorStatusWarningForeground3 },
  error: { color: tokens.colorStatusDangerForeground1 },
  paused: { color: tokens.colorNeutralForeground3 },
  label: { color: tokens.colorNeutralForeground1 },
});

export const STATE_LABELS: Record<ConnectionState, string> = {
  new: 'Not connected yet',
  idle: 'OK',
  syncing: 'Syncing',
  attention: 'Needs you',
  error: 'Problem',
  paused: 'Paused',
};

const ICONS = {
  new: Clock20Filled,
  idle: CheckmarkCircle20Filled,
  syncing: ArrowSyncCircle20Filled,
  attention: Warning20Filled,
  error: ErrorCircle20Filled,
  paused: PauseCircle20Filled,
} as const;

/**
 * The overview's headline, unless the light already says it: while syncing, the light
 * carries the live percent (progress events update it) and the headline would lag behind.
 */
export const headlineBesideLight = (c: { state: ConnectionState; headline: string }): string | null => (c.state === 'syncing' ? null : c.headline);

/**
 * `label` replaces the connection's words when the light tells of something else (a cloud
 * app, the cloud link) in the same colours and shapes.
 */
export function StatusLight({ state, percent, label: own }: { state: ConnectionState; percent?: number | null; label?: string }) {
  const styles = useStyles();
  const Icon = ICONS[state];
  const label = own ?? (state === 'syncing' && percent != null ? `${STATE_LABELS.syncing} ${percent}%` : STATE_LABELS[state]);
  return (
    <span className={styles.light} data-state={state}>
      <Icon className={styles[state]} aria-hidden />
      <span className={styles.label}>{label}</span>
    </span>
  );
}
