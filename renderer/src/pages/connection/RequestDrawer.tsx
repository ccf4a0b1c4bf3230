/**
 * One request in full: its status and problem in plain words, what was sent and what
 * QuickBooks answered (qbXML and JSON), with personal data masked unless asked for.
 */
import {
  Button,
  Checkbox,
  makeStyles,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Text,
  tokens,
} from '@fluentui/react-components';
import { ArrowDownload20Regular } from '@fluentui/react-icons';
import { useMemo, useState } from 'react';
import type { CallOutput } from '../../client/types';
import { ErrorNotice, Loading } from '../../components/Feedback';
import { Modal } from '../../components/Modal';
import { Tabs } from '../../components/Tabs';
import { useClient } from '../../data/client-context';
import { useRequest } from '../../data/queries';
import { downloadText } from '../../lib/files';
import { formatDateTime } from '../../lib/format';
import { maskJson, maskMessage, maskXml } from '../../lib/mask';
import { requestLabel, requestStatusLabel } from '../../lib/words';
import { RequestActions } from './request-actions';

type Request = CallOutput<'getRequest'>;
type View = 'request' | 'response' | 'json';

const VIEWS: readonly { value: View; label: string }[] = [
  { value: 'request', label: 'Sent (qbXML)' },
  { value: 'response', label: 'Answer (qbXML)' },
  { value: 'json', label: 'JSON' },
];

/** More than this is cut for display (masking and rendering megabytes would freeze the page); the download has it all. */
const SHOWN_CHARS = 200_000;

const useStyles = makeStyles({
  facts: { display: 'grid', gridTemplateColumns: 'max-content 1fr', gap: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalL}`, margin: 0 },
  term: { color: tokens.colorNeutralForeground3 },
  value: { margin: 0, overflowWrap: 'anywhere' },
  code: {
    fontFamily: tokens.fontFamilyMonospace,
    fontSize: tokens.fontSizeBase200,
    whiteSpace: 'pre-wrap',
    overflowWrap: 'anywhere',
    margin: 0,
    padding: tokens.spacingHorizontalM,
    backgroundColor: tokens.colorNeutralBackground3,
    borderRadius: tokens.borderRadiusMedium,
    maxHeight: '55vh',
    overflow: 'auto',
  },
  row: { display: 'flex', justifyContent: 'space-between', alignItems: 'center', flexWrap: 'wrap', gap: tokens.spacingHorizontalM },
});

const cut = (text: string) => (text.length > SHOWN_CHARS ? `${text.slice(0, SHOWN_CHARS)}\n… (cut here: download the response to see all of it)` : text);

function Code({ text, label }: { text: string; label: string }) {
  const styles = useStyles();
  // Focusable so that keyboard users can scroll it.
  return (
    <pre className={styles.code} tabIndex={0} aria-label={label}>
      {text}
    </pre>
  );
}

function Details({ request, showPersonal }: { request: Request; showPersonal: boolean }) {
  const styles = useStyles();
  const client = useClient();
  const [view, setView] = useState<View>('request');
  const [downloadError, setDownloadError] = useState<unknown>(null);
  const shown = useMemo(() => {
    const xml = (text: string) => cut(showPersonal ? text : maskXml(text));
    const json = (value: unknown) => cut(JSON.stringify(showPersonal ? value : maskJson(value), null, 2));
    return {
      request: request.qbxml !== undefined ? xml(request.qbxml) : null,
      response: request.response !== undefined ? xml(request.response) : null,
      json: json({ request: request.json ?? null, response: request.parsed ?? null }),
    };
  }, [request, showPersonal]);
  const message = (text: string) => (showPersonal ? text : maskMessage(text));
  const download = async () => {
    setDownloadError(null);
    try {
      const xml = await client.call('getRequestResponse', { params: { requestId: request.requestId } });
      downloadText(`response-${request.requestId}.xml`, xml, 'application/xml');
    } catch (err) {
      setDownloadError(err);
    }
  };
  return (
    <>
      {request.error && (
        <MessageBar intent={request.status === 'error' ? 'error' : 'warning'} layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{request.status === 'error' ? 'QuickBooks could not do this' : 'Problem'}</MessageBarTitle>
            {message(request.error.userFacingMessage)}
          </MessageBarBody>
        </MessageBar>
      )}
      <dl className={styles.facts}>
        <dt className={styles.term}>Status</dt>
        <dd className={styles.value}>{requestStatusLabel(request.status)}</dd>
        <dt className={styles.term}>Queued</dt>
        <dd className={styles.value}>{formatDateTime(request.timestamp)}</dd>
        {request.completedAt && (
          <>
            <dt className={styles.term}>Finished</dt>
            <dd className={styles.value}>{formatDateTime(request.completedAt)}</dd>
          </>
        )}
        <dt className={styles.term}>Sent</dt>
        <dd className={styles.value}>{request.attempts === 0 ? 'Not yet' : request.attempts === 1 ? 'Once' : `${request.attempts} times`}</dd>
        {request.statusCode !== null && (
          <>
            <dt className={styles.term}>QuickBooks said</dt>
            <dd className={styles.value}>
              {request.statusCode} {request.statusSeverity}: {message(request.statusMessage ?? '')}
            </dd>
          </>
        )}
        {request.hresult && (
          <>
            <dt className={styles.term}>Error code</dt>
            <dd className={styles.value}>
              {request.hresult} {request.hresultMessage}
            </dd>
          </>
        )}
        <dt className={styles.term}>Id</dt>
        <dd className={styles.value}>{request.requestId}</dd>
      </dl>
      <RequestActions request={request} size="medium" />
      <Tabs label="What to show" items={VIEWS} selected={view} onSelect={setView} idPrefix="request-view" />
      <div role="tabpanel" aria-labelledby={`request-view-${view}`}>
        {view === 'request' && (shown.request !== null ? <Code text={shown.request} label="The qbXML sent" /> : <Text>Not available.</Text>)}
        {view === 'response' &&
          (shown.response !== null ? (
            <Code text={shown.response} label="QuickBooks' answer" />
          ) : request.responseSize ? (
            <Text>The answer is too large to show here ({request.responseSize.toLocaleString()} bytes). Download it instead.</Text>
          ) : (
            <Text>QuickBooks has not answered yet.</Text>
          ))}
        {view === 'json' && <Code text={shown.json} label="The request and answer as JSON" />}
      </div>
      {request.responseSize !== null && (
        <div>
          <Button icon={<ArrowDownload20Regular />} onClick={() => void download()}>
            Download the answer
          </Button>
          {downloadError !== null && <ErrorNotice error={downloadError} title="Could not download the answer" />}
        </div>
      )}
    </>
  );
}

export function RequestDrawer(props: { requestId: string | null; onClose: () => void; showPersonal: boolean; onShowPersonal: (show: boolean) => void }) {
  const styles = useStyles();
  const request = useRequest(props.requestId);
  return (
    <Modal variant="drawer" open={props.requestId !== null} onClose={props.onClose} title={request.data ? requestLabel(request.data) : 'Request'}>
      <div className={styles.row}>
        <Text>{props.showPersonal ? 'Personal data is shown.' : 'Names, addresses, phone numbers, e-mail addresses and notes are hidden.'}</Text>
        <Checkbox label="Show personal data" checked={props.showPersonal} onChange={(_, d) => props.onShowPersonal(d.checked === true)} />
      </div>
      {request.isPending && <Loading label="Loading the request…" />}
      {request.error && <ErrorNotice error={request.error} title="Could not load this request" onRetry={() => void request.refetch()} />}
      {request.data && <Details request={request.data} showPersonal={props.showPersonal} />}
    </Modal>
  );
}
