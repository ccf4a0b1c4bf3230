/**
 * One cloud app (webhook destination): where it sends and what, whether it can, how the
 * last delivery went, what waits or failed for good — and turning it on or off, a test
 * event, changing or removing it.
 */
import { Button, Card, makeStyles, mergeClasses, MessageBar, MessageBarBody, MessageBarTitle, Switch, Text, tokens } from '@fluentui/react-components';
import { Delete20Regular, Edit20Regular, Send20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { Confirm } from '../../components/Confirm';
import { ErrorNotice } from '../../components/Feedback';
import { type ConnectionState, StatusLight } from '../../components/StatusLight';
import { keys, prefixes } from '../../data/keys';
import { useCallMutation } from '../../data/queries';
import { formatDateTime, fromNow, withLocalTimes } from '../../lib/format';
import { attemptResultLabel, payloadFormatLabel, recordTypesList } from '../../lib/words';
import { DeadLetters } from './DeadLetters';
import type { Destination } from './DestinationForm';

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalM },
  head: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(13rem, 1fr))',
    gap: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalXL}`,
    margin: 0,
  },
  wide: { gridColumn: '1 / -1' },
  fact: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  term: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  bad: { color: tokens.colorPaletteRedForeground1 },
  answer: { color: tokens.colorNeutralForeground3 },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
});

/** The light: sending, off, can't send, or sending with trouble — in words beside the colour. */
function lightOf(d: Destination): { state: ConnectionState; label: string } {
  if (!d.enabled && d.lastDelivery?.result === 'gone') return { state: 'error', label: 'Turned off: address gone' };
  if (!d.enabled) return { state: 'paused', label: 'Off' };
  if (d.disabledReason) return { state: 'error', label: "Can't send" };
  if (d.lastDelivery?.result === 'failed' || d.lastDelivery?.result === 'offline') return { state: 'attention', label: 'Trying again' };
  if (d.counts.dead > 0) return { state: 'attention', label: 'Some changes failed' };
  return { state: 'idle', label: 'Sending' };
}

function LastDelivery({ d }: { d: Destination }) {
  const styles = useStyles();
  const last = d.lastDelivery;
  if (!last) return <>Nothing sent yet</>;
  // The receiver's answer, or what went wrong when none came ("HTTP 410 Gone", "connection refused").
  const answer = last.error ?? (last.statusCode !== null ? `HTTP ${last.statusCode}` : null);
  return (
    <>
      <span className={last.result === 'delivered' ? undefined : styles.bad}>{attemptResultLabel(last.result)}</span>
      {' · '}
      <time dateTime={last.at} title={formatDateTime(last.at)}>
        {fromNow(last.at)}
      </time>
      {answer && (
        <Text block size={200} className={styles.answer}>
          {answer}
        </Text>
      )}
    </>
  );
}

export function DestinationCard({ d, onEdit }: { d: Destination; onEdit: () => void }) {
  const styles = useStyles();
  const [removing, setRemoving] = useState(false);
  // The switch moves at once; the answer (and the refetch after it) confirms, or puts it back.
  const [wanted, setWanted] = useState<boolean | null>(null);
  const refresh = () => [keys.destinations(d.instanceId), prefixes.deliveries(d.instanceId)];
  const toggle = useCallMutation('updateDestination', refresh);
  const test = useCallMutation('testDestination', refresh);
  const remove = useCallMutation('deleteDestination', refresh);
  const params = { instanceId: d.instanceId, destinationId: d.destinationId };
  const light = lightOf(d);
  const headingId = `destination-${d.destinationId}`;
  return (
    <Card className={styles.card} aria-labelledby={headingId} data-destination={d.destinationId}>
      <div className={styles.head}>
        <Text as="h3" id={headingId} size={400} weight="semibold">
          {d.name}
        </Text>
        <StatusLight state={light.state} label={light.label} />
      </div>
      {d.disabledReason && (
        <MessageBar intent={light.state === 'paused' ? 'info' : 'error'} layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{light.state === 'paused' ? 'Nothing is sent to this app' : 'This app gets nothing now'}</MessageBarTitle>
            {withLocalTimes(d.disabledReason)}
          </MessageBarBody>
        </MessageBar>
      )}
      <dl className={styles.facts}>
        <div className={mergeClasses(styles.fact, styles.wide)}>
          <dt className={styles.term}>Sends to</dt>
          <dd className={styles.value}>{d.url}</dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>Format</dt>
          <dd className={styles.value}>{payloadFormatLabel(d.format)}</dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>Records</dt>
          <dd className={styles.value}>{recordTypesList(d.objects)}</dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>Last delivery</dt>
          <dd className={styles.value} data-last-delivery={d.lastDelivery?.result ?? 'none'}>
            <LastDelivery d={d} />
          </dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>Waiting to be sent</dt>
          <dd className={styles.value}>{d.counts.pending.toLocaleString()}</dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>Failed for good</dt>
          <dd className={mergeClasses(styles.value, d.counts.dead > 0 && styles.bad)}>{d.counts.dead.toLocaleString()}</dd>
        </div>
        <div className={styles.fact}>
          <dt className={styles.term}>Delivered in the last 24 hours</dt>
          <dd className={styles.value}>{d.counts.delivered24h.toLocaleString()}</dd>
        </div>
      </dl>
      {d.fromConfiguration && (
        <Text size={200}>
          Set up through this connection's configuration (by the app that connected it): change it there. Here it can only be turned on or off.
        </Text>
      )}
      <div className={styles.actions}>
        <Switch
          label="Send changes to this app"
          checked={wanted ?? d.enabled}
          onChange={(_, data) => {
            setWanted(data.checked);
            toggle.run({ params, body: { enabled: data.checked } }, { onSettled: () => setWanted(null) });
          }}
        />
        {!d.disabledReason && (
          <Button icon={<Send20Regular />} onClick={() => test.run({ params })}>
            Send a test event
          </Button>
        )}
        {!d.fromConfiguration && (
          <>
            <Button icon={<Edit20Regular />} onClick={onEdit}>
              Change…
            </Button>
            <Button icon={<Delete20Regular />} onClick={() => setRemoving(true)}>
              Remove…
            </Button>
          </>
        )}
      </div>
      <div aria-live="polite">
        {test.data && !test.isPending && <Text>Test event queued: the last delivery above shows how the app answered.</Text>}
      </div>
      {toggle.error && <ErrorNotice error={toggle.error} title={d.enabled ? 'Could not turn it off' : 'Could not turn it on'} />}
      {test.error && <ErrorNotice error={test.error} title="Could not send a test event" />}
      {remove.error && <ErrorNotice error={remove.error} title="Could not remove this cloud app" />}
      {d.counts.dead > 0 && <DeadLetters instanceId={d.instanceId} destinationId={d.destinationId} destinationName={d.name} count={d.counts.dead} />}
      <Confirm
        open={removing}
        title={`Remove “${d.name}”?`}
        confirm="Remove"
        onCancel={() => setRemoving(false)}
        onConfirm={() => remove.run({ params }, { onSettled: () => setRemoving(false) })}
      >
        The app gets no more changes from this connection. Changes still waiting for it, and those that failed for good, are dropped. This cannot be undone.
      </Confirm>
    </Card>
  );
}
