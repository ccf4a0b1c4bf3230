import { Button } from '@fluentui/react-components';
import { Pause20Regular, Play20Regular } from '@fluentui/react-icons';
import { keys } from '../data/keys';
import { useCallMutation, useOverview } from '../data/queries';
import { ErrorNotice } from './Feedback';

/** Pauses or resumes all syncing: the Web Connector is told there is no work; nothing queued is lost. */
export function PauseButton() {
  const overview = useOverview();
  const update = useCallMutation('updateSettings', () => [keys.settings, keys.overview]);
  const paused = overview.data?.paused;
  if (paused === undefined) return null;
  return (
    <>
      <Button
        icon={paused ? <Play20Regular /> : <Pause20Regular />}
       
        onClick={() => update.run({ body: { paused: !paused } })}
      >
        {paused ? 'Resume syncing' : 'Pause syncing'}
      </Button>
      {update.error && <ErrorNotice error={update.error} title={paused ? 'Could not resume syncing' : 'Could not pause syncing'} />}
    </>
  );
}
