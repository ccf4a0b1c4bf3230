/**
 * Tabs the way WAI-ARIA describes them: one tab in the Tab order, arrow keys (and Home,
 * End) move between them, the selected one is marked. Fluent's TabList looks the same
 * but its arrow-key mover adds focusable aria-hidden elements that axe rightly reports.
 */
import { makeStyles, mergeClasses, tokens } from '@fluentui/react-components';
import { type KeyboardEvent, useRef } from 'react';

interface TabItem<T extends string | number> {
  value: T;
  label: string;
}

const useStyles = makeStyles({
  list: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalXXS },
  tab: {
    position: 'relative',
    border: 'none',
    background: 'none',
    cursor: 'pointer',
    fontFamily: tokens.fontFamilyBase,
    fontSize: tokens.fontSizeBase300,
    color: tokens.colorNeutralForeground2,
    padding: `${tokens.spacingVerticalS} ${tokens.spacingHorizontalM}`,
    borderRadius: tokens.borderRadiusMedium,
    ':hover': { color: tokens.colorNeutralForeground1, backgroundColor: tokens.colorSubtleBackgroundHover },
    ':focus-visible': { outline: `2px solid ${tokens.colorStrokeFocus2}`, outlineOffset: '-2px' },
  },
  small: { fontSize: tokens.fontSizeBase200, padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}` },
  selected: {
    color: tokens.colorNeutralForeground1,
    fontWeight: tokens.fontWeightSemibold,
    '::after': {
      content: '""',
      position: 'absolute',
      left: tokens.spacingHorizontalM,
      right: tokens.spacingHorizontalM,
      bottom: 0,
      height: '3px',
      borderRadius: tokens.borderRadiusCircular,
      backgroundColor: tokens.colorCompoundBrandStroke,
    },
  },
});

export function Tabs<T extends string | number>(props: {
  label: string;
  items: readonly TabItem<T>[];
  selected: T;
  onSelect: (value: T) => void;
  size?: 'small' | 'medium';
  /** The id prefix of the tabs, so a panel can name the tab that labels it. */
  idPrefix?: string;
}) {
  const styles = useStyles();
  const list = useRef<HTMLDivElement>(null);
  const move = (e: KeyboardEvent, index: number) => {
    const last = props.items.length - 1;
    const to = { ArrowRight: index + 1, ArrowLeft: index - 1, Home: 0, End: last }[e.key];
    if (to === undefined) return;
    e.preventDefault();
    const target = (to + props.items.length) % props.items.length;
    const item = props.items[target];
    if (!item) return;
    props.onSelect(item.value);
    list.current?.querySelectorAll<HTMLButtonElement>('[role="tab"]')[target]?.focus();
  };
  return (
    <div role="tablist" aria-label={props.label} className={styles.list} ref={list}>
      {props.items.map((item, index) => {
        const selected = item.value === props.selected;
        return (
          <button
            key={item.value}
            type="button"
            role="tab"
            id={props.idPrefix ? `${props.idPrefix}-${item.value}` : undefined}
            aria-selected={selected}
            tabIndex={selected ? 0 : -1}
            className={mergeClasses(styles.tab, props.size === 'small' && styles.small, selected && styles.selected)}
            onClick={() => props.onSelect(item.value)}
            onKeyDown={(e) => move(e, index)}
          >
            {item.label}
          </button>
        );
      })}
    </div>
  );
}
