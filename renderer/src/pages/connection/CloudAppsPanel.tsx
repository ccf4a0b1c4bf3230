/** The connection's "Cloud apps" tab: the apps told about changes in QuickBooks, and change detection, which finds them. */
import { Button, makeStyles, MessageBar, MessageBarBody, Text, tokens } from '@fluentui/react-components';
import { Add20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { EmptyState, ErrorNotice, Loading } from '../../components/Feedback';
import { useDestinations } from '../../data/queries';
import { ChangeDetectionCard } from './ChangeDetectionCard';
import { DestinationCard } from './DestinationCard';
import { type Destination, DestinationDialog } from './DestinationForm';

const useStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  head: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
});

export function CloudAppsPanel({ instanceId }: { instanceId: string }) {
  const styles = useStyles();
  const destinations = useDestinations(instanceId);
  // Open: adding (editing null) or changing one.
  const [dialog, setDialog] = useState<{ editing: Destination | null } | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const add = () => {
    setSaved(null);
    setDialog({ editing: null });
  };
  return (
    <>
      <section className={styles.section} aria-labelledby="cloud-apps-heading">
        <div className={styles.head}>
          <Text as="h2" id="cloud-apps-heading" size={500} weight="semibold">
            Cloud apps
          </Text>
          <Button appearance="primary" icon={<Add20Regular />} onClick={add}>
            Add a cloud app
          </Button>
        </div>
        <Text>
          A cloud app is told about each change in this company's QuickBooks (a webhook), signed so that it can tell the change came from here. The changes
          are found by change detection, below.
        </Text>
        <div aria-live="polite">
          {saved && (
            <MessageBar intent="success">
              <MessageBarBody>{saved}</MessageBarBody>
            </MessageBar>
          )}
        </div>
        {destinations.isPending && <Loading label="Loading the cloud apps…" />}
        {destinations.error && <ErrorNotice error={destinations.error} title="Could not load the cloud apps" onRetry={() => void destinations.refetch()} />}
        {destinations.data?.data.length === 0 && (
          <EmptyState title="No cloud apps yet">
            Add the webhook address an app gave you, and it hears about every change change detection finds in QuickBooks.
          </EmptyState>
        )}
        {destinations.data?.data.map((d) => <DestinationCard key={d.destinationId} d={d} onEdit={() => setDialog({ editing: d })} />)}
      </section>
      <ChangeDetectionCard instanceId={instanceId} />
      <DestinationDialog
        instanceId={instanceId}
        open={dialog !== null}
        editing={dialog?.editing ?? null}
        onClose={() => setDialog(null)}
        onSaved={(d) => {
          setSaved(dialog?.editing ? `Saved “${d.name}”.` : `Added “${d.name}”. Send it a test event to check that the app receives it.`);
          setDialog(null);
        }}
      />
    </>
  );
}
