/**
 * The event log of every connection: filtered on the server, paged with cursors as the
 * list nears its end, and virtualized, so a million rows scroll as smoothly as ten.
 */
import {
  Button,
  Field,
  Input,
  makeStyles,
  mergeClasses,
  SearchBox,
  Select,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload20Regular } from '@fluentui/react-icons';
import { type InfiniteData, useQueryClient } from '@tanstack/react-query';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState } from 'react';
import type { CallOutput } from '../client/types';
import { EmptyState, ErrorNotice, Loading } from '../components/Feedback';
import { PageTitle } from '../components/PageTitle';
import { useClient } from '../data/client-context';
import { type EventFilters, keys } from '../data/keys';
import { useEventLog, useOverview } from '../data/queries';
import { formatDateTimeSeconds, fromLocalInput } from '../lib/format';
import { useDebounced } from '../lib/use-debounced';
import { ACTION_FILTERS, actionLabel, resultLabel } from '../lib/words';
import { href, navigate } from '../routing';

type EventPage = CallOutput<'listAllEvents'>;
type LogEvent = EventPage['data'][number];

const ROW_HEIGHT = 40;
/** Fetch the next page when the list shows a row this close to the end of what is loaded. */
const PREFETCH_ROWS = 150;
/** Short: a search is answered within 200 ms of the last key, this wait included. */
const SEARCH_DEBOUNCE_MS = 100;

const useStyles = makeStyles({
  page: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  filters: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalM, alignItems: 'flex-end' },
  search: { minWidth: '16rem', flexGrow: 1 },
  status: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', minHeight: '32px', flexWrap: 'wrap' },
  table: {
    display: 'flex',
    flexDirection: 'column',
    // The rest of the window: the list scrolls inside, the page around it stays put.
    height: 'max(20rem, calc(100vh - 21rem))',
    backgroundColor: tokens.colorNeutralBackground1,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
  scroller: { flex: '1 1 0', overflow: 'auto', position: 'relative', outline: 'none', ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}` } },
  row: {
    display: 'grid',
    gridTemplateColumns: '12.5rem minmax(8rem, 1fr) minmax(12rem, 1.6fr) minmax(9rem, 1.3fr) minmax(10rem, 2.6fr)',
    alignItems: 'center',
    height: `${ROW_HEIGHT}px`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke3}`,
    paddingLeft: tokens.spacingHorizontalM,
    paddingRight: tokens.spacingHorizontalM,
    columnGap: tokens.spacingHorizontalM,
    boxSizing: 'border-box',
  },
  header: { fontWeight: tokens.fontWeightSemibold, borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke1}`, paddingRight: '28px' },
  cell: { overflow: 'hidden', textOverflow: 'ellipsis', whiteSpace: 'nowrap' },
  secondary: { color: tokens.colorNeutralForeground3 },
  body: { position: 'relative', width: '100%' },
  placed: { position: 'absolute', top: 0, left: 0, width: '100%' },
});

/** The loaded pages as one list without copying them (a million rows would be copied on every page). */
function rowsOf(data: InfiniteData<EventPage> | undefined) {
  const pages = data?.pages ?? [];
  const starts: number[] = [];
  let count = 0;
  for (const page of pages) {
    starts.push(count);
    count += page.data.length;
  }
  const at = (index: number): LogEvent | undefined => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((starts[mid] as number) <= index) lo = mid;
      else hi = mid - 1;
    }
    return pages[lo]?.data[index - (starts[lo] ?? 0)];
  };
  return { count, at };
}

export function EventLogPage({ instanceId }: { instanceId: string | null }) {
  const styles = useStyles();
  const client = useClient();
  const queryClient = useQueryClient();
  const overview = useOverview();
  const [action, setAction] = useState('');
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [search, setSearch] = useState('');
  const q = useDebounced(search.trim(), SEARCH_DEBOUNCE_MS);
  const filters: EventFilters = useMemo(
    () => ({ instanceId: instanceId ?? undefined, action: action || undefined, fromTime: fromLocalInput(from), toTime: fromLocalInput(to), q: q || undefined }),
    [instanceId, action, from, to, q],
  );
  const log = useEventLog(filters);
  const rows = useMemo(() => rowsOf(log.data), [log.data]);
  const names = useMemo(() => new Map(overview.data?.connections.map((c) => [c.instanceId, c.name])), [overview.data]);

  const scroller = useRef<HTMLDivElement>(null);
  const more = log.hasNextPage ? 1 : 0;
  const virtualizer = useVirtualizer({
    count: rows.count + more,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastShown = items[items.length - 1]?.index ?? 0;
  useEffect(() => {
    if (log.hasNextPage && !log.isFetchingNextPage && lastShown >= rows.count - PREFETCH_ROWS) void log.fetchNextPage();
  }, [lastShown, rows.count, log.hasNextPage, log.isFetchingNextPage, log.fetchNextPage]);
  // New filters: start at the top.
  useEffect(() => virtualizer.scrollToOffset(0), [filters, virtualizer]);

  const [exportError, setExportError] = useState<unknown>(null);
  const [exporting, setExporting] = useState(false);
  const exportCsv = async () => {
    if (exporting) return;
    setExportError(null);
    setExporting(true);
    try {
      const query = { instanceId: filters.instanceId, action: filters.action, fromTime: filters.fromTime, toTime: filters.toTime, q: filters.q };
      await client.saveFile('exportEvents', { query }, 'qbwc-companion-events.csv');
    } catch (err) {
      setExportError(err);
    } finally {
      setExporting(false);
    }
  };
  const showNewest = () => void queryClient.resetQueries({ queryKey: keys.events(filters), exact: true });
  const newEvents = log.isStale && !log.isFetching && (log.data?.pages.length ?? 0) > 1;
  const filtered = Boolean(filters.instanceId || filters.action || filters.fromTime || filters.toTime || filters.q);

  return (
    <div className={styles.page}>
      <PageTitle
        title="Event log"
        actions={
          <Button icon={<ArrowDownload20Regular />} onClick={() => void exportCsv()}>
            {exporting ? 'Exporting…' : 'Export CSV'}
          </Button>
        }
      />
      <div className={styles.filters} role="search" aria-label="Filter the event log">
        <Field label="Connection">
          <Select value={instanceId ?? ''} onChange={(_, d) => navigate(href.events(d.value || undefined))}>
            <option value="">All connections</option>
            {overview.data?.connections.map((c) => (
              <option key={c.instanceId} value={c.instanceId}>
                {c.name}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="What">
          <Select value={action} onChange={(_, d) => setAction(d.value)}>
            {ACTION_FILTERS.map((a) => (
              <option key={a.value} value={a.value}>
                {a.label}
              </option>
            ))}
          </Select>
        </Field>
        <Field label="From">
          <Input type="datetime-local" value={from} onChange={(_, d) => setFrom(d.value)} />
        </Field>
        <Field label="To">
          <Input type="datetime-local" value={to} onChange={(_, d) => setTo(d.value)} />
        </Field>
        <Field label="Search" className={styles.search}>
          <SearchBox value={search} onChange={(_, d) => setSearch(d.value)} placeholder="Words in the event, e.g. an error or a request id" maxLength={200} />
        </Field>
      </div>
      {exportError !== null && <ErrorNotice error={exportError} title="Could not export the events" />}
      <div className={styles.status} aria-live="polite">
        {log.data && (
          <Text>
            {rows.count.toLocaleString()} events{log.hasNextPage ? ' so far; more load as you scroll' : ''}
            {log.isFetching && !log.isFetchingNextPage ? ' · updating…' : ''}
          </Text>
        )}
        {newEvents && (
          <Button size="small" appearance="primary" onClick={showNewest}>
            New events arrived — show them
          </Button>
        )}
      </div>
      {log.isPending && <Loading label="Loading events…" />}
      {log.error && <ErrorNotice error={log.error} title="Could not load the event log" onRetry={() => void log.refetch()} />}
      {log.data && rows.count === 0 && (
        <EmptyState title={filtered ? 'No events match' : 'No events yet'}>
          {filtered ? 'Try fewer words, another connection, or a wider time range.' : 'Events appear here as Web Connector connects and requests are sent.'}
        </EmptyState>
      )}
      {log.data && rows.count > 0 && (
        <div className={styles.table} role="table" aria-label="Events, newest first" aria-rowcount={log.hasNextPage ? -1 : rows.count + 1} aria-busy={log.isFetching}>
          <div role="rowgroup">
            <div role="row" className={mergeClasses(styles.row, styles.header)} aria-rowindex={1}>
              <span role="columnheader">Time</span>
              <span role="columnheader">Connection</span>
              <span role="columnheader">What happened</span>
              <span role="columnheader">Result</span>
              <span role="columnheader">Details</span>
            </div>
          </div>
          <div ref={scroller} className={styles.scroller} tabIndex={0} aria-label="Events list, scroll for more" role="rowgroup" data-testid="event-rows">
            <div className={styles.body} style={{ height: `${virtualizer.getTotalSize()}px` }}>
              {items.map((item) => {
                const event = rows.at(item.index);
                return (
                  <div
                    key={item.key}
                    role="row"
                    aria-rowindex={item.index + 2}
                    className={mergeClasses(styles.row, styles.placed)}
                    style={{ transform: `translateY(${item.start}px)` }}
                  >
                    {event ? (
                      <>
                        <span role="cell" className={styles.cell}>
                          <time dateTime={event.timestamp}>{formatDateTimeSeconds(event.timestamp)}</time>
                        </span>
                        <span role="cell" className={styles.cell}>
                          {event.clientId ? (names.get(event.clientId) ?? 'Deleted connection') : '–'}
                        </span>
                        <span role="cell" className={styles.cell} title={event.action}>
                          {actionLabel(event.action)}
                        </span>
                        <span role="cell" className={styles.cell}>
                          {resultLabel(event.action, event.result)}
                        </span>
                        <span role="cell" className={mergeClasses(styles.cell, styles.secondary)} title={event.detail ?? undefined}>
                          {event.detail ?? ''}
                        </span>
                      </>
                    ) : (
                      <span role="cell" className={styles.cell}>
                        Loading more…
                      </span>
                    )}
                  </div>
                );
              })}
            </div>
          </div>
        </div>
      )}
    </div>
  );
}
