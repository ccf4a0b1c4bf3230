/**
 * Web Connector sessions, newest first, as a timeline. Opening one lists its calls from
 * the event log with the requests it sent merged in: when each happened, how long after
 * the one before, how long a request took in QuickBooks, and how it went.
 */
import {
  Button,
  Caption1,
  Card,
  makeStyles,
  mergeClasses,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ChevronDown20Regular, ChevronRight20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import type { CallOutput } from '../../client/types';
import { EmptyState, ErrorNotice, Loading } from '../../components/Feedback';
import { useSessionCalls, useSessions } from '../../data/queries';
import { formatDateTime, formatDuration, formatTime, plural } from '../../lib/format';
import type { SessionRequest, TimelineRow } from '../../data/session-timeline';
import { actionLabel, requestLabel, requestStatusLabel, resultLabel, sessionStatusLabel, sessionWentWrong } from '../../lib/words';

type Session = CallOutput<'listSessions'>['data'][number];

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalS },
  list: { listStyle: 'none', margin: 0, padding: 0, borderLeft: `2px solid ${tokens.colorNeutralStroke2}`, marginLeft: tokens.spacingHorizontalS },
  item: { position: 'relative', paddingLeft: tokens.spacingHorizontalL, paddingBottom: tokens.spacingVerticalS },
  dot: {
    position: 'absolute',
    left: '-7px',
    top: '12px',
    width: '12px',
    height: '12px',
    borderRadius: '50%',
    backgroundColor: tokens.colorStatusSuccessForeground1,
    border: `2px solid ${tokens.colorNeutralBackground1}`,
  },
  dotBad: { backgroundColor: tokens.colorPaletteRedForeground1 },
  dotRunning: { backgroundColor: tokens.colorBrandForeground1 },
  toggle: { justifyContent: 'flex-start', textAlign: 'left', width: '100%', minHeight: '44px', fontWeight: tokens.fontWeightRegular },
  line: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', overflowWrap: 'anywhere', minWidth: 0 },
  bad: { color: tokens.colorPaletteRedForeground1 },
  secondary: { color: tokens.colorNeutralForeground3 },
  // Fluent's table shares its width equally: the times need little, what happened and how it went the rest.
  timeColumn: { width: '7.5rem' },
  afterColumn: { width: '5rem' },
  calls: { paddingLeft: tokens.spacingHorizontalXXL, marginTop: tokens.spacingVerticalS, boxSizing: 'border-box' },
});

function summary(s: Session): string {
  const work = s.requestsDone + s.requestsFailed === 0 ? 'no requests' : `${plural(s.requestsDone, 'request')} done, ${s.requestsFailed} failed`;
  const took = s.endedAt ? `took ${formatDuration(Date.parse(s.endedAt) - Date.parse(s.timestamp))}` : 'still running';
  return `${sessionStatusLabel(s.status)} · ${work} · ${took}`;
}

/** How a request sent in this session ended: "Done at 10:00:02 · 0.4 s in QuickBooks". */
function requestOutcome(r: SessionRequest): string {
  const status = requestStatusLabel(r.status);
  if (!r.sentAt || !r.completedAt) return status;
  return `${status} at ${formatTime(r.completedAt)} · ${formatDuration(Date.parse(r.completedAt) - Date.parse(r.sentAt))} in QuickBooks`;
}

/** What a row of the timeline says happened, and its outcome: a call, or a request going to QuickBooks. */
function describe(row: TimelineRow): { what: string; detail: string | null; outcome: string; failed: boolean } {
  if (row.kind === 'sent') {
    const r = row.request;
    return { what: `Sent to QuickBooks: ${requestLabel(r)}`, detail: null, outcome: requestOutcome(r), failed: r.status === 'error' || r.status === 'unknown_outcome' };
  }
  const { event: e, request: r } = row;
  return {
    what: r ? `${actionLabel(e.action)}: ${requestLabel(r)}` : actionLabel(e.action),
    detail: e.detail,
    outcome: resultLabel(e.action, e.result) || '–',
    failed: /error|refused|rejected|failed/i.test(`${e.action} ${e.result ?? ''}`),
  };
}

function SessionCalls({ instanceId, sessionId, onShowRequest }: { instanceId: string; sessionId: string; onShowRequest: (id: string) => void }) {
  const styles = useStyles();
  const calls = useSessionCalls(instanceId, sessionId);
  if (calls.isPending) return <Loading label="Loading this session's calls…" />;
  if (calls.error) return <ErrorNotice error={calls.error} title="Could not load this session's calls" onRetry={() => void calls.refetch()} />;
  const { rows, cut } = calls.data;
  if (rows.length === 0) return <Text>Nothing was recorded for this session.</Text>;
  return (
    <div className={styles.calls}>
      {cut && <Caption1>A long session: its latest calls and requests are shown. The event log has all of them.</Caption1>}
      <Table size="small" aria-label="Calls in this session">
        <TableHeader>
          <TableRow>
            <TableHeaderCell className={styles.timeColumn}>Time</TableHeaderCell>
            <TableHeaderCell className={styles.afterColumn}>After</TableHeaderCell>
            <TableHeaderCell>What happened</TableHeaderCell>
            <TableHeaderCell>Outcome</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {rows.map((row, index) => {
            const previous = rows[index - 1];
            const { what, detail, outcome, failed } = describe(row);
            const requestId = row.kind === 'sent' ? row.request.requestId : row.event.requestId;
            return (
              <TableRow key={row.key} data-row={row.kind}>
                <TableCell>
                  <time dateTime={row.at}>{formatTime(row.at)}</time>
                </TableCell>
                <TableCell>{previous ? `+${formatDuration(Date.parse(row.at) - Date.parse(previous.at))}` : '–'}</TableCell>
                <TableCell>
                  <div className={styles.line}>
                    <span>{what}</span>
                    {detail && <Caption1 className={styles.secondary}>{detail}</Caption1>}
                  </div>
                </TableCell>
                <TableCell>
                  <span className={failed ? styles.bad : undefined}>{outcome}</span>
                  {requestId && (
                    <Button appearance="transparent" size="small" onClick={() => onShowRequest(requestId)}>
                      Show request
                    </Button>
                  )}
                </TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </div>
  );
}

export function SessionsTimeline({ instanceId, onShowRequest }: { instanceId: string; onShowRequest: (id: string) => void }) {
  const styles = useStyles();
  const sessions = useSessions(instanceId);
  const [open, setOpen] = useState<string | null>(null);
  return (
    <Card className={styles.card}>
      <Text as="h2" size={500} weight="semibold">
        Sessions
      </Text>
      {sessions.isPending && <Loading label="Loading sessions…" />}
      {sessions.error && <ErrorNotice error={sessions.error} title="Could not load the sessions" onRetry={() => void sessions.refetch()} />}
      {sessions.data && sessions.data.data.length === 0 && (
        <EmptyState title="No sessions yet">Each time Web Connector runs this connection, the session shows here with every call it made.</EmptyState>
      )}
      {sessions.data && sessions.data.data.length > 0 && (
        <ol className={styles.list} aria-label="Sessions, newest first">
          {sessions.data.data.map((s) => {
            const expanded = open === s.sessionId;
            const bad = sessionWentWrong(s.status) || s.requestsFailed > 0;
            return (
              <li key={s.sessionId} className={styles.item} data-session={s.sessionId} data-status={s.status}>
                <span className={mergeClasses(styles.dot, bad && styles.dotBad, s.status === 'active' && styles.dotRunning)} aria-hidden />
                <Button
                  appearance="subtle"
                  className={styles.toggle}
                  icon={expanded ? <ChevronDown20Regular /> : <ChevronRight20Regular />}
                  aria-expanded={expanded}
                  onClick={() => setOpen(expanded ? null : s.sessionId)}
                >
                  <span className={styles.line}>
                    <span>
                      <time dateTime={s.timestamp}>{formatDateTime(s.timestamp)}</time> — {summary(s)}
                    </span>
                    {s.lastError && <Caption1 className={styles.bad}>{s.lastError}</Caption1>}
                  </span>
                </Button>
                {expanded && <SessionCalls instanceId={instanceId} sessionId={s.sessionId} onShowRequest={onShowRequest} />}
              </li>
            );
          })}
        </ol>
      )}
    </Card>
  );
}
