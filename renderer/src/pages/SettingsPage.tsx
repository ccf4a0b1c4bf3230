/** Companion-wide settings, and the facts about this companion the contract offers. */
import {
  Card,
  Field,
  Input,
  makeStyles,
  Select,
  SpinButton,
  Switch,
  Text,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, useState } from 'react';
import type { CallOutput } from '../client/types';
import { ErrorNotice, fieldError, SaveFooter, Loading } from '../components/Feedback';
import { PageTitle } from '../components/PageTitle';
import { keys } from '../data/keys';
import { useCallMutation, useEnvironment, useHealth, useSettings } from '../data/queries';
import { formatDuration } from '../lib/format';
import { CloudLinkCard } from './CloudLinkCard';

type Settings = CallOutput<'getSettings'>;

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalM, maxWidth: '48rem' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`, margin: 0 },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: 'anywhere' },
});

const FIELDS = ['minimumClientVersion', 'belowMinimumAnswer', 'sessionIdleTimeoutSeconds', 'interactiveWrongCompany'] as const;

/** Takes effect at once, like the header's button (a switch that waits for "Save" would disagree with it). */
function PauseSwitch({ paused }: { paused: boolean }) {
  const update = useCallMutation('updateSettings', () => [keys.settings, keys.overview]);
  return (
    <>
      <Switch
        label="Pause all syncing (Web Connector is told there is nothing to do; nothing waiting is lost)"
        checked={paused}
        onChange={(_, d) => update.run({ body: { paused: d.checked } })}
      />
      {update.error && <ErrorNotice error={update.error} title={paused ? 'Could not resume syncing' : 'Could not pause syncing'} />}
    </>
  );
}

function SettingsForm({ settings }: { settings: Settings }) {
  const styles = useStyles();
  const [form, setForm] = useState<Omit<Settings, 'paused'>>(settings);
  const update = useCallMutation('updateSettings', () => [keys.settings, keys.overview]);
  const set = <K extends keyof typeof form>(key: K, value: Settings[K]) => setForm((f) => ({ ...f, [key]: value }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const { minimumClientVersion, belowMinimumAnswer, sessionIdleTimeoutSeconds, interactiveWrongCompany } = form;
    update.run({ body: { minimumClientVersion: minimumClientVersion?.trim() || null, belowMinimumAnswer, sessionIdleTimeoutSeconds, interactiveWrongCompany } });
  };
  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field
        label="Oldest Web Connector version accepted"
        hint="Leave empty to accept any version. Example: 2.3.0.215."
        validationMessage={fieldError(update.error, 'minimumClientVersion')}
      >
        <Input value={form.minimumClientVersion ?? ''} onChange={(_, d) => set('minimumClientVersion', d.value)} />
      </Field>
      <Field label="When Web Connector is older than that" validationMessage={fieldError(update.error, 'belowMinimumAnswer')}>
        <Select value={form.belowMinimumAnswer} onChange={(_, d) => set('belowMinimumAnswer', d.value as Settings['belowMinimumAnswer'])}>
          <option value="O">Tell the bookkeeper which version is needed, and stop</option>
          <option value="W">Warn, then sync anyway</option>
          <option value="E">Refuse with an error</option>
        </Select>
      </Field>
      <Field
        label="End a session that goes quiet after (seconds)"
        hint={`Now ${formatDuration(form.sessionIdleTimeoutSeconds * 1000)}. QuickBooks can take minutes on a big report, so keep this generous (60 to 86400).`}
        validationMessage={fieldError(update.error, 'sessionIdleTimeoutSeconds')}
      >
        <SpinButton
          value={form.sessionIdleTimeoutSeconds}
          min={60}
          max={86400}
          step={60}
          onChange={(_, d) => set('sessionIdleTimeoutSeconds', d.value ?? (Number(d.displayValue) || form.sessionIdleTimeoutSeconds))}
        />
      </Field>
      <Switch
        label="When the wrong company file is open, let the bookkeeper accept it from Web Connector"
        checked={form.interactiveWrongCompany}
        onChange={(_, d) => set('interactiveWrongCompany', d.checked)}
      />
      <SaveFooter mutation={update} fields={FIELDS} />
    </form>
  );
}

function About() {
  const styles = useStyles();
  const environment = useEnvironment();
  const health = useHealth();
  const failed = environment.error ?? health.error;
  if (failed) return <ErrorNotice error={failed} onRetry={() => void Promise.all([environment.refetch(), health.refetch()])} />;
  if (!environment.data || !health.data) return <Loading label="Loading…" />;
  const e = environment.data;
  const h = health.data;
  return (
    <dl className={styles.facts}>
      <dt className={styles.term}>Version</dt>
      <dd className={styles.value}>{e.version}</dd>
      <dt className={styles.term}>Running for</dt>
      <dd className={styles.value}>{formatDuration(h.uptimeSeconds * 1000)}</dd>
      <dt className={styles.term}>Web Connector address</dt>
      <dd className={styles.value}>{e.webConnectorUrl}</dd>
      <dt className={styles.term}>Port on this computer</dt>
      <dd className={styles.value}>{e.port}</dd>
      <dt className={styles.term}>Data folder</dt>
      <dd className={styles.value}>{e.dataDir}</dd>
      <dt className={styles.term}>Saving</dt>
      <dd className={styles.value}>{e.durability === 'full' ? 'Every change is flushed to disk: safe even through a power cut' : 'Every change is saved before it is confirmed: safe if the app or Windows stops'}</dd>
      <dt className={styles.term}>Connections</dt>
      <dd className={styles.value}>{h.instances}</dd>
      <dt className={styles.term}>Sessions running</dt>
      <dd className={styles.value}>{h.activeSessions}</dd>
      <dt className={styles.term}>Requests waiting</dt>
      <dd className={styles.value}>{h.queuedRequests}</dd>
    </dl>
  );
}

export function SettingsPage() {
  const styles = useStyles();
  const settings = useSettings();
  return (
    <>
      <PageTitle title="Settings" />
      <Card className={styles.card}>
        <Text as="h2" size={500} weight="semibold">
          Syncing
        </Text>
        {settings.isPending && <Loading label="Loading settings…" />}
        {settings.error && <ErrorNotice error={settings.error} title="Could not load the settings" onRetry={() => void settings.refetch()} />}
        {settings.data && (
          <>
            <PauseSwitch paused={settings.data.paused} />
            <SettingsForm settings={settings.data} />
          </>
        )}
      </Card>
      <CloudLinkCard className={styles.card} />
      <Card className={styles.card}>
        <Text as="h2" size={500} weight="semibold">
          About this companion
        </Text>
        <About />
      </Card>
    </>
  );
}
