/**
 * Adding a cloud app (a webhook destination), or changing one: where it sends, its
 * signing key (made here and shown once, like a connection's password), the format the app
 * understands, and which records it receives.
 */
import {
  Button,
  Caption1,
  Field,
  Input,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Radio,
  RadioGroup,
  Text,
  tokens,
} from '@fluentui/react-components';
import { type FormEvent, useState } from 'react';
import type { CallOutput } from '../../client/types';
import { CopyableSecret } from '../../components/CopyableSecret';
import { fieldError, FormError } from '../../components/Feedback';
import { Modal } from '../../components/Modal';
import { RecordTypeChoice, type RecordTypeSelection } from '../../components/RecordTypeChoice';
import { keys } from '../../data/keys';
import { useCallMutation } from '../../data/queries';
import { newSigningKey } from '../../lib/signing-key';
import { PAYLOAD_FORMATS, type PayloadFormat } from '../../lib/words';

export type Destination = CallOutput<'listDestinations'>['data'][number];

const FIELDS = ['name', 'url', 'verifierToken', 'format', 'objects'] as const;

const useStyles = makeStyles({
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  format: { display: 'flex', flexDirection: 'column' },
  hint: { color: tokens.colorNeutralForeground3 },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap' },
  keep: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
});

function SigningKey({ signingKey, onChange, editing, error }: { signingKey: string | null; onChange: (key: string | null) => void; editing: boolean; error?: string }) {
  const styles = useStyles();
  if (signingKey === null) {
    return (
      <div className={styles.keep}>
        <Text weight="semibold">Signing key</Text>
        <Text>The app checks each change with it. It stays as it is: it is never shown again.</Text>
        <div>
          <Button onClick={() => onChange(newSigningKey())}>Make a new signing key</Button>
        </div>
      </div>
    );
  }
  return (
    <>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Copy the signing key now</MessageBarTitle>
          Paste it into the app's webhook settings: the app checks with it that each change really came from this companion. Once saved, it is never shown
          again. If the app gave you a key, paste that here instead.
        </MessageBarBody>
      </MessageBar>
      <CopyableSecret
        label="Signing key"
        value={signingKey}
        onChange={onChange}
        copyLabel="Copy signing key"
        copied="Copied. Paste it into the app before you save."
        validationMessage={error}
      />
      {editing && (
        <div>
          <Button onClick={() => onChange(null)}>Keep the current key</Button>
        </div>
      )}
    </>
  );
}

function DestinationForm({ instanceId, editing, onDone, onCancel }: { instanceId: string; editing: Destination | null; onDone: (d: Destination) => void; onCancel: () => void }) {
  const styles = useStyles();
  const [name, setName] = useState(editing?.name ?? '');
  const [url, setUrl] = useState(editing?.url ?? '');
  // null: keep the key the destination has.
  const [signingKey, setSigningKey] = useState<string | null>(editing ? null : newSigningKey);
  const [format, setFormat] = useState<PayloadFormat>(editing?.format ?? 'legacy');
  const [records, setRecords] = useState<RecordTypeSelection>(editing && editing.objects.length > 0 ? editing.objects : 'all');
  const [noneTicked, setNoneTicked] = useState(false);
  const refresh = () => [keys.destinations(instanceId)];
  const create = useCallMutation('createDestination', refresh);
  const update = useCallMutation('updateDestination', refresh);
  const error = (editing ? update : create).error;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    // The API reads no kinds at all as every kind: "only these" with none ticked is refused here.
    if (records !== 'all' && records.length === 0) {
      setNoneTicked(true);
      return;
    }
    const body = { name: name.trim(), url: url.trim(), format, objects: records === 'all' ? [] : [...records] };
    if (editing) {
      update.run(
        { params: { instanceId, destinationId: editing.destinationId }, body: signingKey === null ? body : { ...body, verifierToken: signingKey } },
        { onSuccess: onDone },
      );
    } else {
      create.run({ params: { instanceId }, body: { ...body, verifierToken: signingKey ?? '' } }, { onSuccess: onDone });
    }
  };

  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field label="Name" required hint="A name you will recognise, e.g. the app it feeds." validationMessage={fieldError(error, 'name')}>
        <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={100} />
      </Field>
      <Field
        label="Where to send"
        required
        hint="The webhook address the app gave you. It starts with https:// (http:// only for an app on this computer)."
        validationMessage={fieldError(error, 'url')}
      >
        <Input type="url" value={url} onChange={(_, d) => setUrl(d.value)} maxLength={2000} placeholder="https://" />
      </Field>
      <SigningKey signingKey={signingKey} onChange={setSigningKey} editing={editing !== null} error={fieldError(error, 'verifierToken')} />
      <Field label="Format" hint="Ask the app which one it takes." validationMessage={fieldError(error, 'format')}>
        <RadioGroup value={format} onChange={(_, d) => setFormat(d.value as PayloadFormat)}>
          {PAYLOAD_FORMATS.map((f) => (
            <Radio
              key={f.value}
              value={f.value}
              label={
                <span className={styles.format}>
                  <Text weight="semibold">{f.label}</Text>
                  <Caption1 className={styles.hint}>{f.hint}</Caption1>
                </span>
              }
            />
          ))}
        </RadioGroup>
      </Field>
      <RecordTypeChoice
        label="Records to send"
        hint="Changes to other kinds of records are not sent to this app."
        value={records}
        onChange={(value) => {
          setRecords(value);
          setNoneTicked(false);
        }}
        validationMessage={noneTicked ? 'Tick at least one kind of record, or choose “All kinds of records”.' : fieldError(error, 'objects')}
      />
      <FormError error={error} fields={FIELDS} />
      <div className={styles.row}>
        <Button type="submit" appearance="primary">
          {editing ? 'Save changes' : 'Add the cloud app'}
        </Button>
        <Button onClick={onCancel}>Cancel</Button>
      </div>
    </form>
  );
}

/** The dialog: a fresh form each time it opens (the Modal renders its content only while open). */
export function DestinationDialog(props: { instanceId: string; open: boolean; editing: Destination | null; onClose: () => void; onSaved: (d: Destination) => void }) {
  return (
    <Modal open={props.open} onClose={props.onClose} title={props.editing ? `Change “${props.editing.name}”` : 'Add a cloud app'}>
      <DestinationForm instanceId={props.instanceId} editing={props.editing} onDone={props.onSaved} onCancel={props.onClose} />
    </Modal>
  );
}
