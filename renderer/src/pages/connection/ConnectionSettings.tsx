/** A connection's settings: name, how often, when; forgetting its company file; deleting it. */
import {
  Button,
  Card,
  Checkbox,
  Field,
  Input,
  makeStyles,
  SpinButton,
  Switch,
  Text,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, useState } from 'react';
import type { CallOutput } from '../../client/types';
import { Confirm } from '../../components/Confirm';
import { ErrorNotice, fieldError, SaveFooter } from '../../components/Feedback';
import { keys } from '../../data/keys';
import { useCallMutation } from '../../data/queries';
import { DAY_NAMES } from '../../lib/format';
import { href, navigate } from '../../routing';

type Instance = CallOutput<'getInstance'>;
type SyncWindow = NonNullable<Instance['syncWindow']>;

const useStyles = makeStyles({
  card: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalM, maxWidth: '48rem' },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  days: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, border: 'none', margin: 0, padding: 0 },
  legend: { padding: 0, marginBottom: tokens.spacingVerticalXS, fontWeight: tokens.fontWeightRegular },
  error: { color: tokens.colorPaletteRedForeground1, fontSize: tokens.fontSizeBase200 },
  row: { display: 'flex', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', alignItems: 'flex-start' },
});

const WEEKNIGHTS: SyncWindow = { days: [1, 2, 3, 4, 5], start: '19:00', end: '07:00' };
const SETTINGS_FIELDS = ['name', 'frequencyInMinutes', 'syncWindow'] as const;

function SettingsForm({ instance }: { instance: Instance }) {
  const styles = useStyles();
  const [name, setName] = useState(instance.name);
  const [frequency, setFrequency] = useState<number | null>(instance.frequencyInMinutes);
  const [windowOn, setWindowOn] = useState(instance.syncWindow !== null);
  const [slot, setSlot] = useState<SyncWindow>(instance.syncWindow ?? WEEKNIGHTS);
  const update = useCallMutation('updateInstance', () => [keys.overview, keys.instance(instance.instanceId)]);
  const toggleDay = (day: number, on: boolean) =>
    setSlot((w) => ({ ...w, days: on ? [...w.days, day].sort((a, b) => a - b) : w.days.filter((d) => d !== day) }));
  // Checkboxes are no single control a Fluent Field could describe: the error goes under them.
  const daysError = fieldError(update.error, 'syncWindow.days');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    update.run({
      params: { instanceId: instance.instanceId },
      body: { name, frequencyInMinutes: frequency ?? instance.frequencyInMinutes, syncWindow: windowOn ? slot : null },
    });
  };
  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field label="Name" required validationMessage={fieldError(update.error, 'name')}>
        <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={100} />
      </Field>
      <Field
        label="Sync every (minutes)"
        hint="Set the same number as Every_Min in Web Connector; it is used to tell when Web Connector is late."
        validationMessage={fieldError(update.error, 'frequencyInMinutes')}
      >
        <SpinButton value={frequency} min={1} max={10080} onChange={(_, d) => setFrequency(d.value ?? (d.displayValue ? Number(d.displayValue) : null))} />
      </Field>
      <Switch
        label="Sync only at certain times (e.g. evenings, so QuickBooks stays fast during the day)"
        checked={windowOn}
        onChange={(_, d) => setWindowOn(d.checked)}
      />
      {windowOn && (
        <>
          <fieldset className={styles.days} aria-describedby={daysError ? 'sync-days-error' : undefined}>
            <legend className={styles.legend}>Days it starts on</legend>
            {DAY_NAMES.map((day, index) => (
              <Checkbox key={day} label={day} checked={slot.days.includes(index)} onChange={(_, d) => toggleDay(index, d.checked === true)} />
            ))}
          </fieldset>
          {daysError && (
            <Text id="sync-days-error" className={styles.error} role="alert">
              {daysError}
            </Text>
          )}
          <div className={styles.row}>
            <Field label="From" validationMessage={fieldError(update.error, 'syncWindow.start')}>
              <Input type="time" value={slot.start} onChange={(_, d) => setSlot((w) => ({ ...w, start: d.value }))} />
            </Field>
            <Field label="To" hint="Earlier than “From” means the next morning." validationMessage={fieldError(update.error, 'syncWindow.end')}>
              <Input type="time" value={slot.end} onChange={(_, d) => setSlot((w) => ({ ...w, end: d.value }))} />
            </Field>
          </div>
          <Text>Outside these times, Web Connector is told there is nothing to do and to come back when the window opens. Nothing waiting is lost.</Text>
        </>
      )}
      <SaveFooter mutation={update} fields={[...SETTINGS_FIELDS, 'syncWindow.days', 'syncWindow.start', 'syncWindow.end']} />
    </form>
  );
}

export function ConnectionSettings({ instance }: { instance: Instance }) {
  const styles = useStyles();
  const [asking, setAsking] = useState<'forget' | 'delete' | null>(null);
  const forget = useCallMutation('forgetCompany', () => [keys.overview, keys.instance(instance.instanceId)]);
  const remove = useCallMutation('deleteInstance', () => [keys.overview]);
  const company = instance.company;
  return (
    <>
      <Card className={styles.card}>
        <Text as="h2" size={500} weight="semibold">
          Name and schedule
        </Text>
        <SettingsForm instance={instance} />
      </Card>
      <Card className={styles.card}>
        <Text as="h2" size={500} weight="semibold">
          Company file
        </Text>
        <Text>
          {company
            ? `This connection syncs only with ${company.name ?? 'the company'}${company.path ? ` (${company.path})` : ''}. Another company file open in QuickBooks is refused, so nothing goes to the wrong books.`
            : 'No company file yet: the first one Web Connector opens will be remembered.'}
        </Text>
        {company && (
          <div>
            <Button onClick={() => setAsking('forget')}>Forget this company file</Button>
          </div>
        )}
        {forget.error && <ErrorNotice error={forget.error} title="Could not forget the company file" />}
        {forget.isSuccess && <Text role="status">Forgotten. The next company file Web Connector opens will be remembered.</Text>}
      </Card>
      <Card className={styles.card}>
        <Text as="h2" size={500} weight="semibold">
          Delete this connection
        </Text>
        <Text>Requests still waiting are cancelled. Its history stays in the event log. Remove it from Web Connector as well.</Text>
        <div>
          <Button onClick={() => setAsking('delete')}>Delete connection…</Button>
        </div>
        {remove.error && <ErrorNotice error={remove.error} title="Could not delete the connection" />}
      </Card>
      <Confirm
        open={asking === 'forget'}
        title="Forget the company file?"
        confirm="Forget it"
        onCancel={() => setAsking(null)}
        onConfirm={() => forget.run({ params: { instanceId: instance.instanceId } }, { onSettled: () => setAsking(null) })}
      >
        Do this only when the company file has moved or been replaced. The next company file open in QuickBooks when Web Connector runs will be used from then on —
        make sure it is the right one.
      </Confirm>
      <Confirm
        open={asking === 'delete'}
        title={`Delete “${instance.name}”?`}
        confirm="Delete"
        onCancel={() => setAsking(null)}
        onConfirm={() =>
          remove.run({ params: { instanceId: instance.instanceId } }, { onSuccess: () => navigate(href.connections()), onSettled: () => setAsking(null) })
        }
      >
        Requests still waiting for QuickBooks are cancelled. Web Connector will be refused from now on; remove the row from Web Connector too. This cannot be
        undone.
      </Confirm>
    </>
  );
}
