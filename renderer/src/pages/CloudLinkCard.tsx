/**
 * The cloud link (QBD Connect): where the cloud service is, the API key (write-only),
 * whom it is for, how often it asks — and how it is doing, with "Sync now".
 */
import {
  Button,
  Card,
  Field,
  Input,
  makeStyles,
  SpinButton,
  Switch,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowSync20Regular } from '@fluentui/react-icons';
import { type FormEvent, useState } from 'react';
import type { CallOutput } from '../client/types';
import { ErrorNotice, fieldError, SaveFooter, Loading } from '../components/Feedback';
import { type ConnectionState, StatusLight } from '../components/StatusLight';
import { keys, prefixes } from '../data/keys';
import { useCallMutation, useCloudLink } from '../data/queries';
import { formatDateTime, fromNow, plural, withLocalTimes } from '../lib/format';
import { CLOUD_STATES } from '../lib/words';

type CloudLink = CallOutput<'getCloudLink'>;
type Contact = NonNullable<CloudLink['contact']>;

const FIELDS = ['baseUrl', 'version', 'apiKey', 'customerId', 'pollSeconds'] as const;
const CONTACT_FIELDS = [
  { key: 'firstName', label: 'First name', type: 'text' },
  { key: 'lastName', label: 'Last name', type: 'text' },
  { key: 'email', label: 'Email', type: 'email' },
  { key: 'phone', label: 'Phone', type: 'tel' },
] as const satisfies readonly { key: keyof Contact; label: string; type: string }[];

/** The link's state as a light, in the connections' colours. */
const LIGHTS: Record<CloudLink['state'], ConnectionState> = { off: 'paused', ok: 'idle', retrying: 'attention', offline: 'attention', refused: 'error' };

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', alignItems: 'flex-start' },
  grow: { flexGrow: 1, minWidth: '14rem' },
  contact: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(14rem, 1fr))',
    gap: tokens.spacingVerticalS,
    columnGap: tokens.spacingHorizontalM,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
    padding: tokens.spacingHorizontalM,
  },
  legend: { padding: `0 ${tokens.spacingHorizontalXS}` },
  hint: { gridColumn: '1 / -1', color: tokens.colorNeutralForeground3 },
  status: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  head: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`, margin: 0 },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: 'anywhere' },
});

/** "2 connections to register, 5 requests"; "Nothing". */
function backlogText(b: CloudLink['backlog']): string {
  const parts = [
    b.instances > 0 ? `${plural(b.instances, 'connection')} to register` : null,
    b.sessions > 0 ? plural(b.sessions, 'session') : null,
    b.requests > 0 ? plural(b.requests, 'request') : null,
    b.eventLogs > 0 ? plural(b.eventLogs, 'event log entry', 'event log entries') : null,
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'Nothing';
}

const when = (iso: string | null) =>
  iso ? (
    <time dateTime={iso} title={formatDateTime(iso)}>
      {fromNow(iso)}
    </time>
  ) : (
    'Not yet'
  );

function Status({ link }: { link: CloudLink }) {
  const styles = useStyles();
  const sync = useCallMutation('syncCloudLinkNow', () => [keys.cloudLink, prefixes.events]);
  return (
    <div className={styles.status}>
      <div className={styles.head}>
        <StatusLight state={LIGHTS[link.state]} label={CLOUD_STATES[link.state] ?? link.state} />
        {link.enabled && (
          <Button icon={<ArrowSync20Regular />} onClick={() => sync.run({})}>
            {sync.isPending ? 'Syncing…' : 'Sync now'}
          </Button>
        )}
      </div>
      <Text>{withLocalTimes(link.message)}</Text>
      {link.enabled && (
        <dl className={styles.facts}>
          <dt className={styles.term}>Last sent to the cloud</dt>
          <dd className={styles.value}>{when(link.lastPushAt)}</dd>
          <dt className={styles.term}>Last asked for work</dt>
          <dd className={styles.value}>{when(link.lastPullAt)}</dd>
          <dt className={styles.term}>Waiting to be sent</dt>
          <dd className={styles.value}>{backlogText(link.backlog)}</dd>
          {/* Unless the message above already says it. */}
          {link.lastError && !link.message.includes(link.lastError.message) && (
            <>
              <dt className={styles.term}>Last problem</dt>
              <dd className={styles.value}>
                {withLocalTimes(link.lastError.message)} ({when(link.lastError.at)})
              </dd>
            </>
          )}
        </dl>
      )}
      {/* How it went is the state above; this only says the sync finished. */}
      <div aria-live="polite">{sync.isSuccess && !sync.isPending && <Text>Synced.</Text>}</div>
      {sync.error && <ErrorNotice error={sync.error} title="Could not sync now" />}
    </div>
  );
}

/** The contact as the API takes it: empty boxes left out, none at all is no contact. */
function contactOf(form: Contact): Contact | null {
  const entries = Object.entries(form).map(([k, v]) => [k, v?.trim()] as const).filter(([, v]) => v);
  return entries.length > 0 ? Object.fromEntries(entries) : null;
}

function LinkForm({ link }: { link: CloudLink }) {
  const styles = useStyles();
  const [enabled, setEnabled] = useState(link.enabled);
  const [baseUrl, setBaseUrl] = useState(link.baseUrl ?? '');
  const [version, setVersion] = useState(link.version);
  // Write-only: empty keeps the saved key.
  const [apiKey, setApiKey] = useState('');
  const [customerId, setCustomerId] = useState(link.customerId ?? '');
  const [contact, setContact] = useState<Contact>(link.contact ?? {});
  const [pollSeconds, setPollSeconds] = useState<number | null>(link.pollSeconds);
  const update = useCallMutation('updateCloudLink', () => [keys.cloudLink, prefixes.events]);
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.run(
      {
        body: {
          enabled,
          baseUrl: baseUrl.trim() || null,
          version: version.trim(),
          ...(apiKey ? { apiKey } : {}),
          customerId: customerId.trim() || null,
          contact: contactOf(contact),
          pollSeconds: pollSeconds ?? link.pollSeconds,
          // Not shown here (they are for the cloud service's own set-up): kept as they are.
          paths: link.paths,
        },
      },
      { onSuccess: () => setApiKey('') },
    );
  };
  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Switch label="Keep QBD Connect in the cloud in step with this companion" checked={enabled} onChange={(_, d) => setEnabled(d.checked)} />
      <div className={styles.row}>
        <Field
          className={styles.grow}
          label="Base URL of the QBD Connect API"
          hint="Without the version, e.g. https://api.example.com/qbdconnect-api. It starts with https:// (http:// only on this computer)."
          validationMessage={fieldError(update.error, 'baseUrl')}
        >
          <Input type="url" value={baseUrl} onChange={(_, d) => setBaseUrl(d.value)} maxLength={500} placeholder="https://" />
        </Field>
        <Field label="Version" hint="Usually v1." validationMessage={fieldError(update.error, 'version')}>
          <Input value={version} onChange={(_, d) => setVersion(d.value)} maxLength={10} />
        </Field>
      </div>
      <Field
        label="API key"
        hint={link.apiKey ? 'A key is saved (it is never shown). Leave this empty to keep it, or type a new one to replace it.' : 'From QBD Connect. Once saved, it is never shown again.'}
        validationMessage={fieldError(update.error, 'apiKey')}
      >
        <Input type="password" value={apiKey} onChange={(_, d) => setApiKey(d.value)} maxLength={2000} autoComplete="off" placeholder={link.apiKey ? 'Saved: type a new key to replace it' : undefined} />
      </Field>
      <Field label="Customer ID" hint="The QBD Connect customer these connections belong to." validationMessage={fieldError(update.error, 'customerId')}>
        <Input value={customerId} onChange={(_, d) => setCustomerId(d.value)} maxLength={200} />
      </Field>
      <fieldset className={styles.contact}>
        <legend className={styles.legend}>Contact</legend>
        <Text size={200} className={styles.hint}>
          Whom QBD Connect should contact about these connections; used for a connection without a contact of its own.
        </Text>
        {CONTACT_FIELDS.map((f) => (
          <Field key={f.key} label={f.label} validationMessage={fieldError(update.error, `contact.${f.key}`)}>
            <Input type={f.type} value={contact[f.key] ?? ''} onChange={(_, d) => setContact((c) => ({ ...c, [f.key]: d.value }))} maxLength={f.key === 'email' ? 254 : 100} />
          </Field>
        ))}
      </fieldset>
      <Field label="Ask the cloud for work every (seconds)" hint="1 to 3600. What happens here is sent as it happens." validationMessage={fieldError(update.error, 'pollSeconds')}>
        <SpinButton value={pollSeconds} min={1} max={3600} onChange={(_, d) => setPollSeconds(d.value ?? (d.displayValue ? Number(d.displayValue) : null))} />
      </Field>
      <SaveFooter mutation={update} fields={[...FIELDS, ...CONTACT_FIELDS.map((f) => `contact.${f.key}`)]} label="Save the cloud link" />
    </form>
  );
}

export function CloudLinkCard({ className }: { className: string }) {
  const link = useCloudLink();
  return (
    <Card className={className}>
      <Text as="h2" size={500} weight="semibold">
        Cloud link (QBD Connect)
      </Text>
      <Text>
        Sends what happens here — connections, syncs, requests and their results, the event log — to a QBD Connect service, and brings back the requests
        its apps queue. The companion only calls out; nothing in the cloud can reach this computer.
      </Text>
      {link.isPending && <Loading label="Loading the cloud link…" />}
      {link.error && <ErrorNotice error={link.error} title="Could not load the cloud link" onRetry={() => void link.refetch()} />}
      {link.data && (
        <>
          <Status link={link.data} />
          <LinkForm link={link.data} />
        </>
      )}
    </Card>
  );
}
