/**
 * Change detection: whether the companion looks in QuickBooks for added, changed and
 * deleted records (and sends them to the cloud apps), which kinds, how it starts, how
 * often — and how far each kind has got.
 */
import {
  Button,
  Card,
  Field,
  makeStyles,
  Radio,
  RadioGroup,
  Select,
  Switch,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  tokens,
} from '@fluentui/react-components';
import { Search20Regular } from '@fluentui/react-icons';
import { type FormEvent, useState } from 'react';
import type { CallOutput } from '../../client/types';
import { ErrorNotice, fieldError, SaveFooter, Loading } from '../../components/Feedback';
import { RecordTypeChoice, type RecordTypeSelection } from '../../components/RecordTypeChoice';
import { keys, prefixes } from '../../data/keys';
import { useCallMutation, useChangeDetection } from '../../data/queries';
import { formatDateTime, formatEvery, fromNow, plural } from '../../lib/format';
import { queryPurposeLabel, RECORD_TYPES, recordTypesLabel } from '../../lib/words';

type Detection = CallOutput<'getChangeDetection'>;
type Watermark = Detection['watermarks'][number];

const FIELDS = ['enabled', 'types', 'startMode', 'intervalMinutes'] as const;
const INTERVALS = [5, 15, 30, 60, 240, 1440];
const ALL_TYPES = RECORD_TYPES.map((t) => t.name);

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalM },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, maxWidth: '48rem' },
  status: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
  secondary: { color: tokens.colorNeutralForeground3 },
});

/** A time QuickBooks gave (its own wall time); as it came when it is not one a browser reads. */
function qbTime(text: string): string {
  return Number.isNaN(Date.parse(text)) ? text : formatDateTime(text);
}

/** Where one kind of records has got to, and what waits for QuickBooks, in words. */
function progressOf(w: Watermark | undefined): { where: string; waiting: string } {
  if (!w) return { where: 'Not started yet: starts at the next look', waiting: '–' };
  const waiting = w.running.length > 0 ? `Waiting for QuickBooks: ${w.running.map(queryPurposeLabel).join(', ')}` : 'Nothing waiting';
  if (!w.started) return { where: 'First look not finished yet', waiting };
  const changes = w.changedSince ? `Changes known up to ${qbTime(w.changedSince)}` : 'None in QuickBooks so far';
  return { where: `${changes}; deletions checked ${fromNow(w.deletionsCheckedAt)}`, waiting };
}

function Progress({ detection }: { detection: Detection }) {
  const marks = new Map(detection.watermarks.map((w) => [w.type, w]));
  // The kinds watched now, then any watched before that still has progress kept.
  const names = [...new Set([...(detection.enabled ? detection.types : []), ...marks.keys()])];
  if (names.length === 0) return null;
  return (
    <>
      <Text as="h3" size={400} weight="semibold">
        Progress
      </Text>
      <Table size="small" aria-label="Progress of each kind of record">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Kind of records</TableHeaderCell>
            <TableHeaderCell>Where it has got to</TableHeaderCell>
            <TableHeaderCell>Now</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {names.map((name) => {
            const p = progressOf(marks.get(name));
            return (
              <TableRow key={name} data-type={name}>
                <TableCell>{recordTypesLabel(name)}</TableCell>
                <TableCell>{p.where}</TableCell>
                <TableCell>{p.waiting}</TableCell>
              </TableRow>
            );
          })}
        </TableBody>
      </Table>
    </>
  );
}

function LookNow({ detection }: { detection: Detection }) {
  const styles = useStyles();
  const run = useCallMutation('runChangeDetection', () => [keys.changeDetection(detection.instanceId), prefixes.requests(detection.instanceId)]);
  // Said until QuickBooks has answered what was asked; stale after that.
  const queued = detection.watermarks.some((w) => w.running.length > 0) ? run.data?.queued : undefined;
  const due = detection.nextRunAt === null || Date.parse(detection.nextRunAt) <= Date.now();
  return (
    <>
      <div className={styles.status}>
        <Text>
          On: looks {formatEvery(detection.intervalMinutes)}.{' '}
          {detection.lastRunAt ? `Last looked ${fromNow(detection.lastRunAt)}; ` : ''}
          next {due ? 'at the next Web Connector sync' : fromNow(detection.nextRunAt as string)}.
        </Text>
        <Button icon={<Search20Regular />} onClick={() => run.run({ params: { instanceId: detection.instanceId } })}>
          Look for changes now
        </Button>
      </div>
      <div aria-live="polite">
        {queued && (
          <Text>
            {queued.length === 0
              ? 'Nothing more to ask: the last look is still waiting for Web Connector.'
              : `QuickBooks will be asked at the next Web Connector sync (${plural(queued.length, 'question')}).`}
          </Text>
        )}
      </div>
      {run.error && <ErrorNotice error={run.error} title="Could not look for changes now" />}
    </>
  );
}

function DetectionForm({ detection }: { detection: Detection }) {
  const styles = useStyles();
  const [enabled, setEnabled] = useState(detection.enabled);
  const [types, setTypes] = useState<RecordTypeSelection>(detection.types.length === ALL_TYPES.length ? 'all' : detection.types);
  const [startMode, setStartMode] = useState(detection.startMode);
  const [interval, setIntervalMinutes] = useState(detection.intervalMinutes);
  // The event log gets a line too (no live event tells it).
  const save = useCallMutation('updateChangeDetection', () => [keys.changeDetection(detection.instanceId), prefixes.events]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.run({
      params: { instanceId: detection.instanceId },
      body: { enabled, types: types === 'all' ? ALL_TYPES : [...types], startMode, intervalMinutes: interval },
    });
  };
  const intervals = INTERVALS.includes(interval) ? INTERVALS : [...INTERVALS, interval].sort((a, b) => a - b);
  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Switch label="Look for changes in QuickBooks and send them to the cloud apps" checked={enabled} onChange={(_, d) => setEnabled(d.checked)} />
      {enabled && (
        <>
          <RecordTypeChoice
            label="Kinds of records to watch"
            hint="Each kind is a question to QuickBooks at every look: watch only what the cloud apps need."
            value={types}
            onChange={setTypes}
            validationMessage={fieldError(save.error, 'types')}
          />
          <Field label="The first time" validationMessage={fieldError(save.error, 'startMode')}>
            <RadioGroup value={startMode} onChange={(_, d) => setStartMode(d.value as Detection['startMode'])}>
              <Radio value="snapshot" label="Send everything once (every record as added), then the changes" />
              <Radio value="now" label="Only send changes from now on" />
            </RadioGroup>
          </Field>
          <Field label="How often to look" hint="Looks happen when Web Connector syncs, so not more often than it runs." validationMessage={fieldError(save.error, 'intervalMinutes')}>
            <Select value={String(interval)} onChange={(_, d) => setIntervalMinutes(Number(d.value))}>
              {intervals.map((m) => (
                <option key={m} value={m}>
                  {formatEvery(m).replace(/^every/, 'Every')}
                </option>
              ))}
            </Select>
          </Field>
        </>
      )}
      <SaveFooter mutation={save} fields={FIELDS} label="Save change detection" />
    </form>
  );
}

export function ChangeDetectionCard({ instanceId }: { instanceId: string }) {
  const styles = useStyles();
  const detection = useChangeDetection(instanceId);
  return (
    <Card className={styles.card}>
      <Text as="h2" size={500} weight="semibold">
        Change detection
      </Text>
      <Text>
        Looks in QuickBooks for records that were added, changed or deleted — by anyone — and sends each change to the cloud apps above. It asks when Web
        Connector syncs, so changes go out after the next sync.
      </Text>
      {detection.isPending && <Loading label="Loading change detection…" />}
      {detection.error && <ErrorNotice error={detection.error} title="Could not load change detection" onRetry={() => void detection.refetch()} />}
      {detection.data && (
        <>
          {detection.data.enabled ? <LookNow detection={detection.data} /> : <Text className={styles.secondary}>Off: nothing is looked for.</Text>}
          <Progress detection={detection.data} />
          <Text as="h3" size={400} weight="semibold">
            Settings
          </Text>
          <DetectionForm detection={detection.data} />
        </>
      )}
    </Card>
  );
}
