/** Retry, cancel and "check in QuickBooks": the same buttons in the queue and in a request's details. */
import { Button, makeStyles, tokens } from '@fluentui/react-components';
import type { CallOutput } from '../../client/types';
import { ErrorNotice } from '../../components/Feedback';
import { keys, prefixes } from '../../data/keys';
import { useCallMutation } from '../../data/queries';

/** The error code of a write whose outcome nothing in QuickBooks can confirm (main/queue/follow-ups.ts). */
const CANNOT_CHECK = 'RECONCILE_INCONCLUSIVE';

type Request = Pick<CallOutput<'getRequest'>, 'requestId' | 'instanceId' | 'status' | 'types'>;

const useStyles = makeStyles({
  row: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap', alignItems: 'center' },
});

export function RequestActions({ request, size = 'small' }: { request: Request; size?: 'small' | 'medium' }) {
  const styles = useStyles();
  const refresh = () => [keys.overview, prefixes.requests(request.instanceId), keys.request(request.requestId)];
  const retry = useCallMutation('retryRequest', refresh);
  const cancel = useCallMutation('cancelRequest', refresh);
  const reconcile = useCallMutation('reconcileRequest', refresh);
  const input = { params: { requestId: request.requestId } };
  const what = request.types.join(', ');
  const error = retry.error ?? cancel.error ?? reconcile.error;
  return (
    <div className={styles.row}>
      {(request.status === 'error' || request.status === 'cancelled') && (
        <Button size={size} onClick={() => retry.run(input)} aria-label={`Retry ${what}`}>
          Retry
        </Button>
      )}
      {request.status === 'unknown_outcome' && (
        <Button size={size} appearance="primary" onClick={() => reconcile.run(input)} aria-label={`Check in QuickBooks: ${what}`}>
          Check in QuickBooks
        </Button>
      )}
      {(request.status === 'queued' || request.status === 'unknown_outcome') && (
        <Button size={size} onClick={() => cancel.run(input)} aria-label={`${request.status === 'queued' ? 'Cancel' : 'Give up on'} ${what}`}>
          {request.status === 'queued' ? 'Cancel' : 'Give up'}
        </Button>
      )}
      {retry.data && <span role="status">Queued again.</span>}
      {reconcile.data && (
        <span role="status">
          {reconcile.data.error?.code === CANNOT_CHECK
            ? 'QuickBooks cannot be asked about this change: look for it in QuickBooks, then give up on it or queue it again.'
            : 'QuickBooks will be asked at the next sync.'}
        </span>
      )}
      {error && <ErrorNotice error={error} />}
    </div>
  );
}
