/**
 * A secret shown once (a Web Connector password, a cloud app's signing key), with a button
 * that copies it and says whether that worked — and how to copy by hand when the browser
 * refused.
 */
import { Button, Field, Input, makeStyles, Text, tokens } from '@fluentui/react-components';
import { Copy20Regular } from '@fluentui/react-icons';
import { useState } from 'react';
import { copyText } from '../lib/files';

const useStyles = makeStyles({
  // Wide enough to show a whole signing key ("whsec_" and 44 characters) where there is room.
  field: { maxWidth: '34rem' },
  secret: { fontFamily: tokens.fontFamilyMonospace },
  // The button under the box, and beside it whether copying worked.
  actions: { display: 'flex', gap: tokens.spacingHorizontalM, alignItems: 'center', flexWrap: 'wrap' },
});

export function CopyableSecret(props: {
  label: string;
  value: string;
  /** The button's words, e.g. "Copy password". */
  copyLabel: string;
  /** Said once copied: what to do with it next. */
  copied: string;
  /** Given, the secret can be replaced (e.g. by one the other side chose); else it is read-only. */
  onChange?: (value: string) => void;
  validationMessage?: string;
}) {
  const styles = useStyles();
  const [copied, setCopied] = useState<boolean | null>(null);
  const { onChange } = props;
  return (
    <>
      <Field label={props.label} validationMessage={props.validationMessage} className={styles.field}>
        <Input
          className={styles.secret}
          value={props.value}
          readOnly={!onChange}
          onChange={onChange && ((_, d) => onChange(d.value))}
          onFocus={(e) => e.currentTarget.select()}
          spellCheck={false}
          autoComplete="off"
        />
      </Field>
      <div className={styles.actions}>
        <Button icon={<Copy20Regular />} onClick={() => void copyText(props.value).then(setCopied)}>
          {props.copyLabel}
        </Button>
        <div aria-live="polite">
          {copied === true && <Text>{props.copied}</Text>}
          {copied === false && <Text>This browser did not allow copying: click the box, press Ctrl+A, then Ctrl+C.</Text>}
        </div>
      </div>
    </>
  );
}
