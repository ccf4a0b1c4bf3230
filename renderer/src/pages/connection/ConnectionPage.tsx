/** One connection: what it is connected to, how it has been doing, its queue and its settings. */
import {
  Card,
  Field,
  Link,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  ProgressBar,
  Text,
  tokens,
} from '@fluentui/react-components';
import { type ReactNode, useState } from 'react';
import { CompanionError } from '../../client';
import { ErrorNotice, Loading } from '../../components/Feedback';
import { PageTitle } from '../../components/PageTitle';
import { headlineBesideLight, StatusLight } from '../../components/StatusLight';
import { Tabs } from '../../components/Tabs';
import { useConnection, useInstance } from '../../data/queries';
import { formatDateTime, formatEvery, formatSyncWindow, fromNow } from '../../lib/format';
import { type ConnectionTab, href, navigate } from '../../routing';
import { ActivityChart } from './ActivityChart';
import { CloudAppsPanel } from './CloudAppsPanel';
import { ConnectionSettings } from './ConnectionSettings';
import { QueuePanel } from './QueuePanel';
import { RequestDrawer } from './RequestDrawer';
import { SessionsTimeline } from './SessionsTimeline';

const useStyles = makeStyles({
  status: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap', marginTop: tokens.spacingVerticalXS },
  facts: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fit, minmax(14rem, 1fr))',
    gap: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalXL}`,
    margin: 0,
  },
  fact: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS, minWidth: 0 },
  term: { color: tokens.colorNeutralForeground3, fontSize: tokens.fontSizeBase200 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  card: { padding: tokens.spacingHorizontalL, gap: tokens.spacingVerticalM },
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
});

const TABS = [
  { value: 'activity', label: 'Activity' },
  { value: 'queue', label: 'Requests' },
  { value: 'cloud', label: 'Cloud apps' },
  { value: 'settings', label: 'Settings' },
] as const satisfies readonly { value: ConnectionTab; label: string }[];

function Fact({ term, children }: { term: string; children: ReactNode }) {
  const styles = useStyles();
  return (
    <div className={styles.fact}>
      <dt className={styles.term}>{term}</dt>
      <dd className={styles.value}>{children}</dd>
    </div>
  );
}

export function ConnectionPage({ instanceId, tab }: { instanceId: string; tab: ConnectionTab }) {
  const styles = useStyles();
  const instance = useInstance(instanceId);
  const { data: connection } = useConnection(instanceId);
  const [requestId, setRequestId] = useState<string | null>(null);
  const [showPersonal, setShowPersonal] = useState(false);

  if (instance.isPending) return <Loading label="Loading this connection…" />;
  if (instance.error) {
    const gone = instance.error instanceof CompanionError && instance.error.status === 404;
    return (
      <>
        <PageTitle title={gone ? 'This connection no longer exists' : 'Could not load this connection'} />
        {gone ? (
          <Text as="p">
            It may have been deleted. Go back to <Link href={href.connections()}>your connections</Link>.
          </Text>
        ) : (
          <ErrorNotice error={instance.error} onRetry={() => void instance.refetch()} />
        )}
      </>
    );
  }
  const i = instance.data;
  const company = connection?.company;
  const session = connection?.lastSession;

  return (
    <>
      <PageTitle title={i.name}>
        {connection && (
          <div className={styles.status}>
            <StatusLight state={connection.state} percent={connection.progress?.percent} />
            <Text>{headlineBesideLight(connection)}</Text>
          </div>
        )}
      </PageTitle>
      {connection?.action && (
        <MessageBar intent={connection.state === 'error' ? 'error' : 'warning'} layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>What to do</MessageBarTitle>
            {connection.action}
          </MessageBarBody>
        </MessageBar>
      )}
      <Card className={styles.card}>
        <dl className={styles.facts}>
          <Fact term="QuickBooks">{company?.productName ?? 'Not seen yet'}</Fact>
          <Fact term="qbXML version">{company?.qbxmlVersion ?? 'Not seen yet'}</Fact>
          <Fact term="Company file">{company?.name ?? company?.path ?? i.qbdPath ?? 'Whichever is open at the first sync'}</Fact>
          <Fact term="Last sync">
            {session ? (
              <time dateTime={session.startedAt} title={formatDateTime(session.startedAt)}>
                {fromNow(session.startedAt)}
              </time>
            ) : (
              'Never'
            )}
          </Fact>
          <Fact term="Next sync">
            {connection?.nextExpectedAt ? fromNow(connection.nextExpectedAt) : 'After the first connection'} ({formatEvery(i.frequencyInMinutes)}
            {i.syncWindow ? `, ${formatSyncWindow(i.syncWindow)}` : ''})
          </Fact>
        </dl>
      </Card>
      {connection?.state === 'syncing' && connection.progress && (
        <Field label="Sync in progress" hint={`${connection.progress.percent}% done`}>
          <ProgressBar value={connection.progress.percent / 100} thickness="large" aria-valuetext={`${connection.progress.percent}%`} />
        </Field>
      )}
      <Tabs label="Connection pages" items={TABS} selected={tab} onSelect={(t) => navigate(href.connection(instanceId, t))} idPrefix="connection-tab" />
      <div role="tabpanel" aria-labelledby={`connection-tab-${tab}`} className={styles.section}>
        {tab === 'activity' && (
          <>
            <ActivityChart instanceId={instanceId} />
            <SessionsTimeline instanceId={instanceId} onShowRequest={setRequestId} />
          </>
        )}
        {tab === 'queue' && (
          <QueuePanel instanceId={instanceId} counts={connection?.queue} onShowRequest={setRequestId} showPersonal={showPersonal} onShowPersonal={setShowPersonal} />
        )}
        {tab === 'cloud' && <CloudAppsPanel instanceId={instanceId} />}
        {tab === 'settings' && <ConnectionSettings instance={i} />}
      </div>
      <RequestDrawer requestId={requestId} onClose={() => setRequestId(null)} showPersonal={showPersonal} onShowPersonal={setShowPersonal} />
    </>
  );
}
