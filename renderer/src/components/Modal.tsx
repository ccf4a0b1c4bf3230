/**
 * A modal on the browser's own <dialog>: showModal() makes the rest of the page inert,
 * keeps Tab inside, closes on Escape and gives focus back to where it was — nothing to
 * undo by hand. (Fluent's Dialog and OverlayDrawer mark the page aria-hidden themselves,
 * and after a drawer then a dialog they left the whole page hidden from screen readers.)
 */
import { Button, makeStyles, mergeClasses, Text, tokens } from '@fluentui/react-components';
import { Dismiss24Regular } from '@fluentui/react-icons';
import { type ReactNode, useEffect, useId, useRef } from 'react';

const useStyles = makeStyles({
  dialog: {
    border: 'none',
    padding: 0,
    color: tokens.colorNeutralForeground1,
    backgroundColor: tokens.colorNeutralBackground1,
    boxShadow: tokens.shadow64,
    '::backdrop': { backgroundColor: 'rgba(0, 0, 0, 0.4)' },
  },
  centered: { borderRadius: tokens.borderRadiusXLarge, width: 'min(36rem, calc(100vw - 2rem))' },
  drawer: {
    margin: '0 0 0 auto',
    height: '100vh',
    maxHeight: '100vh',
    width: 'min(56rem, 100vw)',
    maxWidth: '100vw',
  },
  frame: { display: 'flex', flexDirection: 'column', maxHeight: 'inherit', height: 'inherit', boxSizing: 'border-box' },
  header: {
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalXL} ${tokens.spacingVerticalS}`,
  },
  body: {
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalXL} ${tokens.spacingVerticalXL}`,
    overflow: 'auto',
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    '& > *': { flexShrink: 0 },
  },
  actions: { display: 'flex', gap: tokens.spacingHorizontalS, justifyContent: 'flex-end', padding: `0 ${tokens.spacingHorizontalXL} ${tokens.spacingVerticalXL}` },
});

export function Modal(props: {
  open: boolean;
  onClose: () => void;
  title: ReactNode;
  children: ReactNode;
  /** Buttons under the content (a dialog's answers). */
  actions?: ReactNode;
  variant?: 'dialog' | 'drawer';
}) {
  const styles = useStyles();
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (props.open && !dialog.open) dialog.showModal();
    if (!props.open && dialog.open) dialog.close();
  }, [props.open]);
  return (
    <dialog
      ref={ref}
      aria-labelledby={titleId}
      className={mergeClasses(styles.dialog, props.variant === 'drawer' ? styles.drawer : styles.centered)}
      // Escape closes the <dialog> by itself; the state follows.
      onClose={props.onClose}
      // A click on the backdrop lands on the <dialog> element itself.
      onClick={(e) => e.target === ref.current && props.onClose()}
    >
      {props.open && (
        <div className={styles.frame}>
          <div className={styles.header}>
            <Text as="h2" id={titleId} size={500} weight="semibold">
              {props.title}
            </Text>
            <Button appearance="subtle" aria-label="Close" icon={<Dismiss24Regular />} onClick={props.onClose} />
          </div>
          <div className={styles.body}>{props.children}</div>
          {props.actions && <div className={styles.actions}>{props.actions}</div>}
        </div>
      )}
    </dialog>
  );
}
