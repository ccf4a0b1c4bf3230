/**
 * The page list on the left: plain links (Tab moves through them, Enter follows), the
 * current one marked for screen readers with aria-current and for the eye with a bar.
 * Fluent's NavDrawer would fit, but its arrow-key mover adds focusable aria-hidden
 * elements that axe rightly reports.
 */
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import type { ReactElement } from 'react';

export interface NavEntry {
  value: string;
  label: string;
  to: string;
  icon: ReactElement;
}

const useStyles = makeStyles({
  nav: {
    width: '13rem',
    boxSizing: 'border-box',
    padding: `${tokens.spacingVerticalM} ${tokens.spacingHorizontalS}`,
  },
  list: { listStyle: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  link: {
    position: 'relative',
    display: 'flex',
    alignItems: 'center',
    gap: tokens.spacingHorizontalS,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    color: tokens.colorNeutralForeground2,
    textDecoration: 'none',
    fontSize: tokens.fontSizeBase300,
    ':hover': { backgroundColor: tokens.colorNeutralBackground4Hover, color: tokens.colorNeutralForeground2Hover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  current: {
    backgroundColor: tokens.colorNeutralBackground4Selected,
    color: tokens.colorNeutralForeground1,
    fontWeight: tokens.fontWeightSemibold,
    '::before': {
      content: '""',
      position: 'absolute',
      left: 0,
      top: '25%',
      height: '50%',
      width: '3px',
      borderRadius: tokens.borderRadiusCircular,
      backgroundColor: tokens.colorCompoundBrandForeground1,
    },
  },
});

export function SideNav({ entries, current }: { entries: readonly NavEntry[]; current: string }) {
  const styles = useStyles();
  return (
    <nav className={styles.nav} aria-label="Pages">
      <ul className={styles.list}>
        {entries.map((e) => (
          <li key={e.value}>
            <a href={e.to} className={mergeClasses(styles.link, e.value === current && styles.current)} aria-current={e.value === current ? 'page' : undefined}>
              {e.icon}
              {e.label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}
