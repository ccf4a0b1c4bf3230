import { Card, makeStyles, Text, tokens } from '@fluentui/react-components';
import { useMemo, useState } from 'react';
import { ErrorNotice, Loading } from '../../components/Feedback';
import { RequestsChart } from '../../components/RequestsChart';
import { Tabs } from '../../components/Tabs';
import { useMetric } from '../../data/queries';
import { plural } from '../../lib/format';

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalS },
  head: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
});

const RANGES = [
  { hours: 24, label: 'Last 24 hours' },
  { hours: 24 * 7, label: 'Last 7 days' },
  { hours: 24 * 30, label: 'Last 30 days' },
];

/** Requests done and failed over the chosen range. */
export function ActivityChart({ instanceId }: { instanceId: string }) {
  const styles = useStyles();
  const [hours, setHours] = useState(24);
  const done = useMetric(instanceId, 'requests_completed', hours);
  const failed = useMetric(instanceId, 'requests_failed', hours);
  const range = RANGES.find((r) => r.hours === hours)?.label.toLowerCase() ?? '';
  const chart = useMemo(() => {
    if (!done.data || !failed.data) return null;
    return {
      times: done.data.points.map((p) => Date.parse(p.timestamp) / 1000),
      series: [
        { label: 'Done', colorToken: tokens.colorStatusSuccessForeground1, values: done.data.points.map((p) => p.value) },
        { label: 'Failed', colorToken: tokens.colorStatusDangerForeground1, values: failed.data.points.map((p) => p.value) },
      ],
      total: done.data.total + failed.data.total,
      summary: `In the ${range}: ${plural(done.data.total, 'request')} done, ${failed.data.total} failed.`,
    };
  }, [done.data, failed.data, range]);
  const error = done.error ?? failed.error;
  return (
    <Card className={styles.card}>
      <div className={styles.head}>
        <Text as="h2" size={500} weight="semibold">
          Requests done and failed
        </Text>
        <Tabs label="Time range" size="small" items={RANGES.map((r) => ({ value: r.hours, label: r.label }))} selected={hours} onSelect={setHours} />
      </div>
      {error && <ErrorNotice error={error} title="Could not load the chart" onRetry={() => void (done.refetch(), failed.refetch())} />}
      {!error && !chart && <Loading label="Loading the chart…" />}
      {chart && chart.total === 0 && <Text>No requests were done or failed in the {range}.</Text>}
      {chart && chart.total > 0 && <RequestsChart times={chart.times} series={chart.series} summary={chart.summary} />}
    </Card>
  );
}
