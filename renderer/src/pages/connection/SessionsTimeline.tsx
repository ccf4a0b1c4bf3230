/**
 * Web Connector sessions, newest first, as a timeline. Opening one lists its calls from
 * the event log: when each happened, how long after the one before, and how it went.
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
import { actionLabel, resultLabel, sessionStatusLabel, sessionWentWrong } from '../../lib/words';

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
  calls: { paddingLeft: tokens.spacingHorizontalXXL, marginTop: tokens.spacingVerticalS, boxSizing: 'border-box' },
});

function summary(s: Session): string {
  const work = s.requestsDone + s.requestsFailed === 0 ? 'no requests' : `${plural(s.requestsDone, 'request')} done, ${s.requestsFailed} failed`;
  const took = s.endedAt ? `took ${formatDuration(Date.parse(s.endedAt) - Date.parse(s.timestamp))}` : 'still running';
  return `${sessionStatusLabel(s.status)} · ${work} · ${took}`;
}

function SessionCalls({ instanceId, sessionId, onShowRequest }: { instanceId: string; sessionId: string; onShowRequest: (id: string) => void }) {
  const styles = useStyles();
  const calls = useSessionCalls(instanceId, sessionId);
  if (calls.isPending) return <Loading label="Loading this session's calls…" />;
  if (calls.error) return <ErrorNotice error={calls.error} title="Could not load this session's calls" onRetry={() => void calls.refetch()} />;
  if (calls.data.data.length === 0) return <Text>Nothing was recorded for this session.</Text>;
  const rows = calls.data.data;
  return (
    <div className={styles.calls}>
    <Table size="small" aria-label="Calls in this session">
      <TableHeader>
        <TableRow>
          <TableHeaderCell>Time</TableHeaderCell>
          <TableHeaderCell>After</TableHeaderCell>
          <TableHeaderCell>What happened</TableHeaderCell>
          <TableHeaderCell>Outcome</TableHeaderCell>
        </TableRow>
      </TableHeader>
      <TableBody>
        {rows.map((e, index) => {
          const previous = rows[index - 1];
          const failed = /error|refused|rejected|failed/i.test(`${e.action} ${e.result ?? ''}`);
          return (
            <TableRow key={e.logId}>
              <TableCell>
                <time dateTime={e.timestamp}>{formatTime(e.timestamp)}</time>
              </TableCell>
              <TableCell>{previous ? `+${formatDuration(Date.parse(e.timestamp) - Date.parse(previous.timestamp))}` : '–'}</TableCell>
              <TableCell>
                <div className={styles.line}>
                  <span>{actionLabel(e.action)}</span>
                  {e.detail && <Caption1 className={styles.secondary}>{e.detail}</Caption1>}
                </div>
              </TableCell>
              <TableCell>
                <span className={failed ? styles.bad : undefined}>{resultLabel(e.action, e.result) || '–'}</span>
                {e.requestId && (
                  <Button appearance="transparent" size="small" onClick={() => onShowRequest(e.requestId as string)}>
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
