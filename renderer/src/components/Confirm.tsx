import { Button, Text } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { Modal } from './Modal';

/** "Are you sure?" before something that can't be undone: the answer that does it first, "Keep it" to back out. */
export function Confirm(props: { open: boolean; title: string; children: ReactNode; confirm: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <Modal
      open={props.open}
      onClose={props.onCancel}
      title={props.title}
      actions={
        <>
          <Button appearance="primary" onClick={props.onConfirm}>
            {props.confirm}
          </Button>
          <Button onClick={props.onCancel}>Keep it</Button>
        </>
      }
    >
      <Text>{props.children}</Text>
    </Modal>
  );
}
