/**
 * The guided setup: name the connection, keep the generated password, hand the QWC file
 * to Web Connector, follow the steps there, and watch the first connection arrive.
 */
import {
  Button,
  Card,
  Field,
  Input,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Spinner,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload20Regular, CheckmarkCircle24Filled, Open20Regular } from '@fluentui/react-icons';
import { type FormEvent, type ReactNode, useState } from 'react';
import type { CallOutput } from '../client/types';
import { CopyableSecret } from '../components/CopyableSecret';
import { ErrorNotice, fieldError, FormError } from '../components/Feedback';
import { PageTitle } from '../components/PageTitle';
import { STATE_LABELS } from '../components/StatusLight';
import { useClient } from '../data/client-context';
import { keys, prefixes } from '../data/keys';
import { useCallMutation, useConnection } from '../data/queries';
import { downloadText, fileNameFor } from '../lib/files';
import { formatEvery } from '../lib/format';
import { CONNECTION_CHECK_KEY } from '../lib/words';
import { href } from '../routing';

type Created = CallOutput<'createInstance'>;

const useStyles = makeStyles({
  steps: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalL, maxWidth: '52rem', margin: 0, padding: 0, listStyle: 'none' },
  card: { padding: tokens.spacingHorizontalXL, gap: tokens.spacingVerticalM },
  later: { color: tokens.colorNeutralForeground3 },
  form: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  row: { display: 'flex', gap: tokens.spacingHorizontalS, alignItems: 'center', flexWrap: 'wrap' },
  instructions: { margin: 0, paddingLeft: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  waiting: { justifyContent: 'flex-start' },
  stack: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  ok: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, color: tokens.colorStatusSuccessForeground1 },
});

const FREQUENCIES = [5, 15, 30, 60, 240, 1440];

/** A Web Connector user name from the connection's name: letters, digits and dashes. */
function usernameFor(name: string): string {
  const slug = name
    .normalize('NFKD')
    .replace(/[^\w\s-]/g, '')
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, '-')
    .slice(0, 40)
    .replace(/-+$/, '');
  return slug || 'quickbooks';
}

function Step({ number, title, children, reached }: { number: number; title: string; children: ReactNode; reached: boolean }) {
  const styles = useStyles();
  return (
    <li>
      <Card className={styles.card} aria-labelledby={`step-${number}`}>
        <Text as="h2" size={500} weight="semibold" id={`step-${number}`}>
          {number}. {title}
        </Text>
        {reached ? children : <Text className={styles.later}>Available after step 1.</Text>}
      </Card>
    </li>
  );
}

function NameStep({ onCreated }: { onCreated: (created: Created) => void }) {
  const styles = useStyles();
  const [name, setName] = useState('');
  const [username, setUsername] = useState<string | null>(null);
  const [qbdPath, setQbdPath] = useState('');
  const [frequency, setFrequency] = useState(15);
  const create = useCallMutation('createInstance', () => [keys.overview]);
  const fields = ['name', 'username', 'qbdPath', 'frequencyInMinutes'] as const;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.run(
      { body: { name, username: username ?? usernameFor(name), qbdPath: qbdPath.trim() || null, frequencyInMinutes: frequency } },
      { onSuccess: onCreated },
    );
  };
  return (
    <form className={styles.form} onSubmit={submit} noValidate>
      <Field label="Name" required hint="A name you will recognise, e.g. the company's name." validationMessage={fieldError(create.error, 'name')}>
        <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={100} />
      </Field>
      <Field
        label="Company file (optional)"
        hint="The full path of the QuickBooks company file, e.g. C:\Users\Public\Documents\Intuit\QuickBooks\Company Files\Pine Street.qbw. Leave it empty to use the company that is open in QuickBooks at the first sync; after that, only that company is synced."
        validationMessage={fieldError(create.error, 'qbdPath')}
      >
        <Input value={qbdPath} onChange={(_, d) => setQbdPath(d.value)} maxLength={500} />
      </Field>
      <Field label="How often to sync" hint="Web Connector will run this often while it is open." validationMessage={fieldError(create.error, 'frequencyInMinutes')}>
        <Select value={String(frequency)} onChange={(_, d) => setFrequency(Number(d.value))}>
          {FREQUENCIES.map((m) => (
            <option key={m} value={m}>
              {formatEvery(m).replace(/^every/, 'Every')}
            </option>
          ))}
        </Select>
      </Field>
      <Field
        label="User name in Web Connector"
        hint="Made from the name; change it only if Web Connector already has this user name."
        validationMessage={fieldError(create.error, 'username')}
      >
        <Input value={username ?? usernameFor(name)} onChange={(_, d) => setUsername(d.value)} maxLength={100} />
      </Field>
      <FormError error={create.error} fields={fields} />
      <div className={styles.row}>
        <Button type="submit" appearance="primary">
          {create.isPending ? 'Creating…' : 'Create the connection'}
        </Button>
      </div>
    </form>
  );
}

function PasswordStep({ created }: { created: Created }) {
  if (!created.password) return <Text>Use the password you chose for this connection.</Text>;
  return (
    <>
      <MessageBar intent="warning" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>Copy this password now</MessageBarTitle>
          It is shown only once and is not stored anywhere you can read it. You will paste it into Web Connector in step 4.
        </MessageBarBody>
      </MessageBar>
      <CopyableSecret
        label="Password for Web Connector"
        value={created.password}
        copyLabel="Copy password"
        copied="Copied. Keep it until you have pasted it into Web Connector."
      />
    </>
  );
}

function QwcStep({ created }: { created: Created }) {
  const styles = useStyles();
  const client = useClient();
  const open = useCallMutation('openQwcInWebConnector');
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const download = async () => {
    setDownloadError(null);
    try {
      const qwc = await client.call('getInstanceQwc', { params: { instanceId: created.instanceId } });
      downloadText(fileNameFor(created.name, 'qwc'), qwc, 'application/xml');
    } catch (err) {
      setDownloadError(err);
    }
  };
  return (
    <>
      <Text as="p">
        Web Connector learns about this connection from a small file (a QWC file). Open it on this computer, or download it and double-click it.
      </Text>
      <div className={styles.row}>
        <Button appearance="primary" icon={<Open20Regular />} onClick={() => open.run({ params: { instanceId: created.instanceId } })}>
          Open in Web Connector
        </Button>
        <Button icon={<ArrowDownload20Regular />} onClick={() => void download()}>
          Download QWC file
        </Button>
      </div>
      <div aria-live="polite">
        {open.data && (
          <MessageBar intent={open.data.opened ? 'success' : 'info'} layout="multiline">
            <MessageBarBody>{open.data.message}</MessageBarBody>
          </MessageBar>
        )}
        {open.error && <ErrorNotice error={open.error} title="Could not open the file in Web Connector" />}
        {downloadError !== null && <ErrorNotice error={downloadError} title="Could not download the QWC file" />}
      </div>
    </>
  );
}

function WebConnectorSteps({ created }: { created: Created }) {
  const styles = useStyles();
  return (
    <ol className={styles.instructions}>
      <li>Open QuickBooks Desktop with the company file, signed in as the Admin user (needed the first time only).</li>
      <li>
        Web Connector asks “Authorize New Web Service?” for <strong>QBWC Companion - {created.name}</strong>: click <strong>OK</strong>. QuickBooks then asks
        whether to let it in: choose <strong>Yes, whenever this QuickBooks company file is open</strong>, then <strong>Continue</strong> and{' '}
        <strong>Done</strong>.
      </li>
      <li>
        In Web Connector, tick the box at the start of the <strong>QBWC Companion - {created.name}</strong> row.
      </li>
      <li>
        Click the <strong>Password</strong> box in that row, paste the password (Ctrl+V), press Enter, and answer <strong>Yes</strong> to save it.
      </li>
      <li>
        Tick <strong>Auto-Run</strong> and set <strong>Every_Min</strong> to {created.frequencyInMinutes}.
      </li>
      <li>
        Click <strong>Update Selected</strong> to sync now.
      </li>
    </ol>
  );
}

type ConnectionCheck = ReturnType<typeof useConnectionCheck>;

/**
 * The check: a tiny read of the company (CompanyQuery) queued as soon as the connection
 * exists, so Web Connector's first run opens QuickBooks and the company file is confirmed.
 * With nothing queued, that run would end at once without ever opening the company.
 */
function useConnectionCheck() {
  const queue = useCallMutation('enqueueRequest', (input) => [keys.overview, prefixes.requests(input.params.instanceId)]);
  const { run } = queue;
  // The idempotency key makes a second click (or "Try again" after a lost answer) the same request.
  const start = (instanceId: string) => run({ params: { instanceId }, body: { type: 'CompanyQuery', idempotencyKey: CONNECTION_CHECK_KEY } });
  return { ...queue, start };
}

/**
 * Turns green when Web Connector first connects with the right company file. Follows the
 * live events: every login, even one refused or with nothing to do, ends with session.ended.
 */
function CheckStep({ created, check }: { created: Created; check: ConnectionCheck }) {
  const styles = useStyles();
  const connection = useConnection(created.instanceId).data;
  const problem = connection?.state === 'attention' || connection?.state === 'error';
  if (check.error) {
    return <ErrorNotice error={check.error} title="Could not queue the connection check" onRetry={() => check.start(created.instanceId)} />;
  }
  if (!connection || (connection.state === 'new' && !connection.lastSession)) {
    return (
      <div aria-live="polite" className={styles.stack}>
        <Text>
          A small check is waiting for Web Connector: when you click <strong>Update Selected</strong>, it opens QuickBooks and reads the company's name.
        </Text>
        <Spinner className={styles.waiting} size="tiny" labelPosition="after" label="Waiting for Web Connector to connect… Leave this page open: it changes by itself." />
      </div>
    );
  }
  return (
    <div aria-live="polite" data-check={problem ? 'problem' : 'connected'}>
      {problem ? (
        <MessageBar intent={connection.state === 'error' ? 'error' : 'warning'} layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{connection.headline}</MessageBarTitle>
            {connection.action ?? connection.lastSession?.lastError ?? STATE_LABELS[connection.state]}
          </MessageBarBody>
        </MessageBar>
      ) : connection.company ? (
        <div className={styles.ok}>
          <CheckmarkCircle24Filled aria-hidden />
          <Text weight="semibold">
            {`Connected to ${connection.company.name ?? connection.company.path ?? 'the company file'}${connection.company.productName ? ` in ${connection.company.productName}` : ''}.`}
          </Text>
        </div>
      ) : (
        // Connected, but QuickBooks was not opened: syncing paused, or outside the connection's sync times.
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Web Connector connected, but QuickBooks was not opened yet</MessageBarTitle>
            {connection.headline}. The check runs at the next sync that opens QuickBooks.
          </MessageBarBody>
        </MessageBar>
      )}
      <Text as="p">
        <Link href={href.connection(created.instanceId)}>Go to this connection</Link>
      </Text>
    </div>
  );
}

export function AddConnectionPage() {
  const styles = useStyles();
  const [created, setCreated] = useState<Created | null>(null);
  const check = useConnectionCheck();
  const onCreated = (c: Created) => {
    setCreated(c);
    check.start(c.instanceId);
  };
  return (
    <>
      <PageTitle title="Add a connection">
        <Text as="p">Connect a QuickBooks company in five steps. It takes about five minutes.</Text>
      </PageTitle>
      <ol className={styles.steps}>
        <Step number={1} title="Name the connection" reached>
          {created ? <Text>Created “{created.name}”.</Text> : <NameStep onCreated={onCreated} />}
        </Step>
        <Step number={2} title="Keep the password" reached={created !== null}>
          {created && <PasswordStep created={created} />}
        </Step>
        <Step number={3} title="Give the file to Web Connector" reached={created !== null}>
          {created && <QwcStep created={created} />}
        </Step>
        <Step number={4} title="Set it up in Web Connector" reached={created !== null}>
          {created && <WebConnectorSteps created={created} />}
        </Step>
        <Step number={5} title="Check the connection" reached={created !== null}>
          {created && <CheckStep created={created} check={check} />}
        </Step>
      </ol>
    </>
  );
}
