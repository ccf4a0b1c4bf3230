/**
 * Which kinds of QuickBooks records (customers, invoices…): all of them, or those ticked.
 * Used by a cloud app (which records it receives) and by change detection (which it watches).
 */
import { Checkbox, Field, makeStyles, Radio, RadioGroup, Text, tokens } from '@fluentui/react-components';
import { useId } from 'react';
import { RECORD_TYPES } from '../lib/words';

export type RecordTypeSelection = 'all' | readonly string[];

const GROUPS = [
  { kind: 'list', legend: 'Names, accounts and items' },
  { kind: 'txn', legend: 'Transactions' },
] as const;

const useStyles = makeStyles({
  groups: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS, marginTop: tokens.spacingVerticalXS },
  group: {
    display: 'grid',
    gridTemplateColumns: 'repeat(auto-fill, minmax(13rem, 1fr))',
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
    margin: 0,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
  },
  legend: { padding: `0 ${tokens.spacingHorizontalXS}`, color: tokens.colorNeutralForeground2 },
  error: { color: tokens.colorPaletteRedForeground1, fontSize: tokens.fontSizeBase200 },
});

export function RecordTypeChoice(props: {
  label: string;
  /** Under the choice: what "all" means here. */
  hint: string;
  value: RecordTypeSelection;
  onChange: (value: RecordTypeSelection) => void;
  validationMessage?: string;
}) {
  const styles = useStyles();
  const errorId = useId();
  const { value, onChange } = props;
  const ticked = new Set(value === 'all' ? [] : value);
  const toggle = (name: string, on: boolean) => onChange(RECORD_TYPES.map((t) => t.name).filter((n) => (n === name ? on : ticked.has(n))));
  return (
    <>
      <Field label={props.label} hint={props.hint}>
        <RadioGroup value={value === 'all' ? 'all' : 'some'} onChange={(_, d) => onChange(d.value === 'all' ? 'all' : [])}>
          <Radio value="all" label="All kinds of records" />
          <Radio value="some" label="Only the kinds I tick" />
        </RadioGroup>
      </Field>
      {value !== 'all' && (
        // Checkboxes are no single control a Fluent Field could describe: the error goes under them.
        <div className={styles.groups}>
          {GROUPS.map((g) => (
            <fieldset key={g.kind} className={styles.group} aria-describedby={props.validationMessage ? errorId : undefined}>
              <legend className={styles.legend}>{g.legend}</legend>
              {RECORD_TYPES.filter((t) => t.kind === g.kind).map((t) => (
                <Checkbox key={t.name} label={t.many} checked={ticked.has(t.name)} onChange={(_, d) => toggle(t.name, d.checked === true)} />
              ))}
            </fieldset>
          ))}
        </div>
      )}
      {props.validationMessage && (
        <Text id={errorId} className={styles.error} role="alert">
          {props.validationMessage}
        </Text>
      )}
    </>
  );
}
