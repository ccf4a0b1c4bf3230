/** The connection's requests by status, with what can be done about each. */
import {
  Caption1,
  Card,
  Checkbox,
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
import { useState } from 'react';
import type { CallOutput } from '../../client/types';
import { EmptyState, ErrorNotice, Loading } from '../../components/Feedback';
import { Tabs } from '../../components/Tabs';
import type { RequestStatus } from '../../data/keys';
import { useRequests } from '../../data/queries';
import { formatDateTime, fromNow } from '../../lib/format';
import { maskMessage } from '../../lib/mask';
import { requestLabel, requestStatusLabel } from '../../lib/words';
import { RequestActions } from './request-actions';

type Counts = CallOutput<'getOverview'>['connections'][number]['queue'];
type Filter = RequestStatus | 'all';

const FILTERS: { value: Filter; label: string; count?: keyof Counts; empty: string }[] = [
  { value: 'queued', label: 'Waiting', count: 'queued', empty: 'Nothing is waiting to go to QuickBooks.' },
  { value: 'sent', label: 'In QuickBooks', count: 'sent', empty: 'QuickBooks is not working on anything right now.' },
  { value: 'error', label: 'Failed', count: 'error', empty: 'No request failed.' },
  { value: 'unknown_outcome', label: 'Outcome unknown', count: 'unknown_outcome', empty: 'Every change sent to QuickBooks has a known outcome.' },
  { value: 'done', label: 'Done', empty: 'No request has been done yet.' },
  { value: 'cancelled', label: 'Cancelled', empty: 'No request was cancelled.' },
  { value: 'all', label: 'All', empty: 'No requests yet. Your other apps queue them; they show here as they arrive.' },
];

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalM },
  head: { display: 'flex', justifyContent: 'space-between', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'center' },
  stack: { display: 'flex', flexDirection: 'column', alignItems: 'flex-start', gap: tokens.spacingVerticalXXS },
  secondary: { color: tokens.colorNeutralForeground3 },
  bad: { color: tokens.colorPaletteRedForeground1 },
  unknownHelp: { maxWidth: '60rem' },
  panel: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

export function QueuePanel(props: {
  instanceId: string;
  counts: Counts | undefined;
  onShowRequest: (id: string) => void;
  showPersonal: boolean;
  onShowPersonal: (show: boolean) => void;
}) {
  const styles = useStyles();
  const [filter, setFilter] = useState<Filter>(props.counts && props.counts.error > 0 ? 'error' : 'queued');
  const requests = useRequests(props.instanceId, filter);
  const current = FILTERS.find((f) => f.value === filter) ?? FILTERS[0];
  const message = (text: string) => (props.showPersonal ? text : maskMessage(text));
  return (
    <Card className={styles.card}>
      <div className={styles.head}>
        <Tabs
          label="Requests by status"
          items={FILTERS.map((f) => {
            const n = f.count && props.counts ? props.counts[f.count] : 0;
            return { value: f.value, label: n ? `${f.label} (${n})` : f.label };
          })}
          selected={filter}
          onSelect={setFilter}
          idPrefix="queue-filter"
        />
        <Checkbox label="Show personal data" checked={props.showPersonal} onChange={(_, d) => props.onShowPersonal(d.checked === true)} />
      </div>
      <div role="tabpanel" aria-labelledby={`queue-filter-${filter}`} className={styles.panel}>
      {filter === 'unknown_outcome' && (
        <Text className={styles.unknownHelp}>
          These changes reached QuickBooks, but its answer never came back, so it is not known whether they were made. “Check in QuickBooks” asks
          QuickBooks at the next sync; “Give up” stops asking (check in QuickBooks yourself before sending the change again).
        </Text>
      )}
      {requests.isPending && <Loading label="Loading requests…" />}
      {requests.error && <ErrorNotice error={requests.error} title="Could not load the requests" onRetry={() => void requests.refetch()} />}
      {requests.data && requests.data.data.length === 0 && <EmptyState title={current?.empty ?? ''} />}
      {requests.data && requests.data.data.length > 0 && (
        <Table aria-label={`${current?.label ?? ''} requests`} size="small">
          <TableHeader>
            <TableRow>
              <TableHeaderCell>Request</TableHeaderCell>
              <TableHeaderCell>Queued</TableHeaderCell>
              <TableHeaderCell>Status</TableHeaderCell>
              <TableHeaderCell>Actions</TableHeaderCell>
            </TableRow>
          </TableHeader>
          <TableBody>
            {requests.data.data.map((r) => {
              const problem = r.error?.userFacingMessage ?? r.statusMessage ?? r.hresultMessage;
              return (
                <TableRow key={r.requestId} data-request={r.requestId} data-status={r.status}>
                  <TableCell>
                    <div className={styles.stack}>
                      <Link as="button" onClick={() => props.onShowRequest(r.requestId)}>
                        {requestLabel(r)}
                      </Link>
                      <Caption1 className={styles.secondary}>
                        {r.kind === 'write' ? 'Changes QuickBooks' : 'Reads from QuickBooks'}
                        {r.attempts > 1 ? ` · sent ${r.attempts} times` : ''}
                        {r.recordCount > 0 ? ` · ${r.recordCount.toLocaleString()} records` : ''}
                      </Caption1>
                    </div>
                  </TableCell>
                  <TableCell>
                    <time dateTime={r.timestamp} title={formatDateTime(r.timestamp)}>
                      {fromNow(r.timestamp)}
                    </time>
                  </TableCell>
                  <TableCell>
                    <div className={styles.stack}>
                      <span className={r.status === 'error' ? styles.bad : undefined}>{requestStatusLabel(r.status)}</span>
                      {problem && r.status !== 'done' && <Caption1>{message(problem)}</Caption1>}
                    </div>
                  </TableCell>
                  <TableCell>
                    <RequestActions request={r} />
                  </TableCell>
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      )}
      </div>
    </Card>
  );
}
