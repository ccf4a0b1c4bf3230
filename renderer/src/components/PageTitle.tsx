import { makeStyles, Text, tokens } from '@fluentui/react-components';
import { type ReactNode, useEffect } from 'react';

const useStyles = makeStyles({
  row: { display: 'flex', alignItems: 'center', justifyContent: 'space-between', gap: tokens.spacingHorizontalM, flexWrap: 'wrap' },
  title: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS },
  heading: { outline: 'none' },
});

/** The page's one h1 (focused after navigation, see App) and its window title. */
export function PageTitle({ title, actions, children }: { title: string; actions?: ReactNode; children?: ReactNode }) {
  const styles = useStyles();
  useEffect(() => {
    document.title = `${title} – QBWC Companion`;
  }, [title]);
  return (
    <div className={styles.row}>
      <div className={styles.title}>
        <Text as="h1" block size={700} weight="semibold" className={styles.heading} tabIndex={-1}>
          {title}
        </Text>
        {children}
      </div>
      {actions}
    </div>
  );
}
