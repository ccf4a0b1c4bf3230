/**
 * The changes a cloud app never took (dead letters: every retry over about three days
 * failed), each with the app's last answer, and sending them again — one, or all.
 */
import {
  Button,
  Caption1,
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
import { ArrowRepeatAll20Regular } from '@fluentui/react-icons';
import { ErrorNotice, Loading } from '../../components/Feedback';
import { keys, prefixes } from '../../data/keys';
import { DEAD_LETTERS_SHOWN, useCallMutation, useDeadLetters } from '../../data/queries';
import { formatDateTime, fromNow, plural } from '../../lib/format';
import { eventTypeLabel } from '../../lib/words';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  head: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  stack: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start' },
  secondary: { color: tokens.colorNeutralForeground3, overflowWrap: 'anywhere' },
});

/** The receiver's last answer ("HTTP 500"), or what went wrong when none came. */
const lastAnswer = (d: { lastStatusCode: number | null; lastError: string | null }) =>
  d.lastError ?? (d.lastStatusCode !== null ? `HTTP ${d.lastStatusCode}` : 'No answer');

export function DeadLetters({ instanceId, destinationId, destinationName, count }: { instanceId: string; destinationId: string; destinationName: string; count: number }) {
  const styles = useStyles();
  const dead = useDeadLetters(instanceId, destinationId, count);
  const refresh = () => [keys.destinations(instanceId), prefixes.deliveries(instanceId)];
  const replay = useCallMutation('replayDelivery', refresh);
  const replayAll = useCallMutation('replayDeadDeliveries', refresh);
  const headingId = `dead-${destinationId}`;
  const rows = dead.data?.data ?? [];
  return (
    <section className={styles.section} aria-labelledby={headingId}>
      <div className={styles.head}>
        <Text as="h4" id={headingId} weight="semibold">
          Failed for good ({count.toLocaleString()})
        </Text>
        <Button
          icon={<ArrowRepeatAll20Regular />}
          onClick={() => replayAll.run({ params: { instanceId }, query: { destinationId } })}
          aria-label={`Send all again: ${plural(count, 'failed change')} to ${destinationName}`}
        >
          Send all again
        </Button>
      </div>
      <Text>
        The app did not take these changes, though they were tried for about three days. Once the app works again, send them again: the app gets each
        with the same event id, so it can tell one it already has.
      </Text>
      {replayAll.data && <Text role="status">{plural(replayAll.data.replayed, 'change')} sent again.</Text>}
      {replayAll.error && <ErrorNotice error={replayAll.error} title="Could not send them again" />}
      {replay.error && <ErrorNotice error={replay.error} title="Could not send it again" />}
      {dead.isPending && <Loading label="Loading the changes that failed…" />}
      {dead.error && <ErrorNotice error={dead.error} title="Could not load the changes that failed" onRetry={() => void dead.refetch()} />}
      {rows.length > 0 && (
        <Table size="small" aria-label={`Changes ${destinationName} did not take`}>
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Change</TableHeaderCell>
              <TableHeaderCell>Tries</TableHeaderCell>
              <TableHeaderCell>The app's last answer</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {rows.map((d) => (
              <TableRow key={d.eventId} data-delivery={d.eventId}>
                <TableCell>
                  <div className={styles.stack}>
                    <span>{eventTypeLabel(d.eventType)}</span>
                    <Caption1 className={styles.secondary}>
                      <time dateTime={d.timestamp} title={formatDateTime(d.timestamp)}>
                        {fromNow(d.timestamp)}
                      </time>
                    </Caption1>
                  </div>
                </TableCell>
                <TableCell>{d.attempts}</TableCell>
                <TableCell>
                  <span className={styles.secondary}>{lastAnswer(d)}</span>
                </TableCell>
                <TableCell>
                  <Button size="small" onClick={() => replay.run({ params: { eventId: d.eventId } })} aria-label={`Send again: ${eventTypeLabel(d.eventType)} of ${formatDateTime(d.timestamp)}`}>
                    Send again
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      )}
      {count > DEAD_LETTERS_SHOWN && <Caption1>The newest {DEAD_LETTERS_SHOWN} are listed; “Send all again” sends every one.</Caption1>}
    </section>
  );
}
