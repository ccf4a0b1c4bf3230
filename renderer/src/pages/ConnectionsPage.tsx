/** Every company connection as a row a bookkeeper understands, and the one thing to do. */
import {
  Button,
  Caption1,
  Link,
  makeStyles,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { Add20Regular } from '@fluentui/react-icons';
import type { CallOutput } from '../client/types';
import { EmptyState, ErrorNotice, Loading } from '../components/Feedback';
import { PageTitle } from '../components/PageTitle';
import { headlineBesideLight, StatusLight } from '../components/StatusLight';
import { useOverview } from '../data/queries';
import { formatDateTime, formatEvery, formatSyncWindow, fromNow, plural } from '../lib/format';
import { sessionStatusLabel } from '../lib/words';
import { href } from '../routing';

type Connection = CallOutput<'getOverview'>['connections'][number];

const useStyles = makeStyles({
  table: { backgroundColor: tokens.colorNeutralBackground1, borderRadius: tokens.borderRadiusMedium },
  // The one thing to do gets the room a sentence needs.
  narrow: { width: '15%' },
  cell: { paddingTop: tokens.spacingVerticalS, paddingBottom: tokens.spacingVerticalS, verticalAlign: 'top' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  secondary: { color: tokens.colorNeutralForeground3 },
  action: { color: tokens.colorNeutralForeground1 },
  warning: { color: tokens.colorStatusWarningForeground3, fontWeight: tokens.fontWeightSemibold },
});

/** "12 requests done, 1 failed", "Nothing to do", "Password refused". */
function lastSyncResult(c: Connection): string {
  const s = c.lastSession;
  if (!s) return '';
  if (s.endedAt === null) return 'Running now';
  // Without any request, how the session went: nothing to do, paused, password refused…
  const counts =
    s.requestsDone + s.requestsFailed === 0 ? sessionStatusLabel(s.status) : `${plural(s.requestsDone, 'request')} done${s.requestsFailed ? `, ${s.requestsFailed} failed` : ''}`;
  return s.lastError ? `${counts}. ${s.lastError}` : counts;
}

function waiting(c: Connection): string {
  const parts = [];
  const waitingNow = c.queue.queued + c.queue.sent;
  parts.push(waitingNow === 0 ? 'Nothing waiting' : `${plural(waitingNow, 'request')} waiting`);
  if (c.queue.error) parts.push(`${c.queue.error} failed today`);
  if (c.queue.unknown_outcome) parts.push(`${c.queue.unknown_outcome} to check`);
  return parts.join(' · ');
}

function NextRun({ c }: { c: Connection }) {
  const styles = useStyles();
  return (
    <div className={styles.stack}>
      <span>
        {c.nextExpectedAt ? (
          <time dateTime={c.nextExpectedAt} title={formatDateTime(c.nextExpectedAt)}>
            {fromNow(c.nextExpectedAt)}
          </time>
        ) : (
          'After the first connection'
        )}
      </span>
      {c.overdueMinutes !== null && c.overdueMinutes > 0 && <span className={styles.warning}>Late by {plural(c.overdueMinutes, 'minute')}</span>}
      <Caption1 className={styles.secondary}>
        Runs {formatEvery(c.frequencyInMinutes)}
        {c.syncWindow ? `, only ${formatSyncWindow(c.syncWindow)}` : ''}
      </Caption1>
    </div>
  );
}

export function ConnectionsPage() {
  const styles = useStyles();
  const overview = useOverview();
  const add = (
    <Button as="a" href={href.add()} appearance="primary" icon={<Add20Regular />}>
      Add a connection
    </Button>
  );
  return (
    <>
      <PageTitle title="Connections" actions={overview.data && overview.data.connections.length > 0 ? add : undefined} />
      {overview.isPending && <Loading label="Loading your connections…" />}
      {overview.error && <ErrorNotice error={overview.error} title="Could not load your connections" onRetry={() => void overview.refetch()} />}
      {overview.data && overview.data.connections.length === 0 && (
        <EmptyState title="No connections yet" action={add}>
          Add your first QuickBooks company: QBWC Companion gives you a file for QuickBooks Web Connector and a password, and walks you through the rest.
        </EmptyState>
      )}
      {overview.data && overview.data.connections.length > 0 && (
        <Table className={styles.table} aria-label="Connections">
          <TableHeader>
            <TableRow>
              <TableHeaderCell className={styles.narrow}>Status</TableHeaderCell>
              <TableHeaderCell className={styles.narrow}>Connection</TableHeaderCell>
              <TableHeaderCell className={styles.narrow}>Last sync</TableHeaderCell>
              <TableHeaderCell className={styles.narrow}>Next sync</TableHeaderCell>
              <TableHeaderCell className={styles.narrow}>Requests</TableHeaderCell>
              <TableHeaderCell>What to do</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {overview.data.connections.map((c) => (
              <TableRow key={c.instanceId} data-connection={c.instanceId}>
                <TableCell className={styles.cell}>
                  <div className={styles.stack}>
                    <StatusLight state={c.state} percent={c.progress?.percent} />
                    <Caption1 className={styles.secondary}>{headlineBesideLight(c)}</Caption1>
                  </div>
                </TableCell>
                <TableCell className={styles.cell}>
                  <div className={styles.stack}>
                    <Link href={href.connection(c.instanceId)}>{c.name}</Link>
                    <Caption1 className={styles.secondary}>{c.company?.name ?? c.company?.path ?? 'Company not seen yet'}</Caption1>
                  </div>
                </TableCell>
                <TableCell className={styles.cell}>
                  {c.lastSession ? (
                    <div className={styles.stack}>
                      <time dateTime={c.lastSession.startedAt} title={formatDateTime(c.lastSession.startedAt)}>
                        {fromNow(c.lastSession.startedAt)}
                      </time>
                      <Caption1 className={styles.secondary}>{lastSyncResult(c)}</Caption1>
                    </div>
                  ) : (
                    'Never'
                  )}
                </TableCell>
                <TableCell className={styles.cell}>
                  <NextRun c={c} />
                </TableCell>
                <TableCell className={styles.cell}>{waiting(c)}</TableCell>
                <TableCell className={styles.cell}>
                  <Text className={styles.action}>{c.action ?? 'Nothing to do'}</Text>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
    </>
  );
}
