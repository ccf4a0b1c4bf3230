/**
 * Loading, empty and error states, written for bookkeepers: what happened and what to do.
 */
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, makeStyles, Spinner, Text, tokens } from '@fluentui/react-components';
import type { ReactNode } from 'react';
import { CompanionError } from '../client';

/** What to tell the bookkeeper about a failed call: a title and what to do. */
function explain(error: unknown): { title: string; body: string } {
  if (error instanceof CompanionError) {
    if (error.status === 0) return { title: 'QBWC Companion is not answering', body: error.message };
    if (error.status === 404) return { title: 'Not found', body: `${error.message} It may have been deleted; go back and pick it again.` };
    if (error.status >= 500 && error.code === 'internal') {
      return { title: 'Something went wrong inside QBWC Companion', body: 'It has been logged. Try again; if it keeps happening, restart QBWC Companion.' };
    }
    return { title: 'That did not work', body: error.message };
  }
  return { title: 'Something went wrong on this page', body: 'Reload the page and try again. If it keeps happening, restart QBWC Companion.' };
}

export function ErrorNotice({ error, title, onRetry }: { error: unknown; title?: string; onRetry?: () => void }) {
  const { title: fallback, body } = explain(error);
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{title ?? fallback}</MessageBarTitle>
        {body}
      </MessageBarBody>
      {onRetry && (
        <MessageBarActions>
          <Button onClick={onRetry}>Try again</Button>
        </MessageBarActions>
      )}
    </MessageBar>
  );
}

const useLoadingStyles = makeStyles({ loading: { justifyContent: 'flex-start' } });

export function Loading({ label }: { label: string }) {
  const styles = useLoadingStyles();
  return <Spinner className={styles.loading} size="small" label={label} labelPosition="after" />;
}

const useEmptyStyles = makeStyles({
  empty: {
    display: 'flex',
    flexDirection: 'column',
    alignItems: 'flex-start',
    gap: tokens.spacingVerticalM,
    padding: tokens.spacingVerticalXXL,
    border: `${tokens.strokeWidthThin} dashed ${tokens.colorNeutralStroke1}`,
    borderRadius: tokens.borderRadiusLarge,
  },
});

export function EmptyState({ title, children, action }: { title: string; children?: ReactNode; action?: ReactNode }) {
  const styles = useEmptyStyles();
  return (
    <div className={styles.empty}>
      <Text as="h2" size={500} weight="semibold">
        {title}
      </Text>
      {children && <Text as="p">{children}</Text>}
      {action}
    </div>
  );
}

/**
 * The API's problems with one field of a form, as the Field's validation message. The API
 * starts each message with the field's path ("syncWindow.days must name at least one
 * day."); beside the field itself that is only noise.
 */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof CompanionError)) return undefined;
  const problems = error.problemsWith(field);
  if (problems.length === 0) return undefined;
  return problems
    .map((p) => {
      const rest = p.field && p.message.startsWith(`${p.field} `) ? p.message.slice(p.field.length + 1) : p.message;
      return rest.charAt(0).toUpperCase() + rest.slice(1);
    })
    .join(' ');
}

/** A form's error that no field shows: shown above the buttons. */
export function FormError({ error, fields }: { error: unknown; fields: readonly string[] }) {
  if (!error) return null;
  if (error instanceof CompanionError) {
    const elsewhere = error.problems.filter((p) => p.field === null || !fields.some((f) => error.problemsWith(f).includes(p)));
    if (elsewhere.length === 0) {
      return (
        <MessageBar intent="error">
          <MessageBarBody>
            <MessageBarTitle>Please correct what is marked above</MessageBarTitle>
          </MessageBarBody>
        </MessageBar>
      );
    }
  }
  return <ErrorNotice error={error} />;
}

/** The end of a settings form: the problems no field showed, "Saved." once it is, and the Save button. */
export function SaveFooter({ mutation, fields, label = 'Save' }: { mutation: { error: unknown; isSuccess: boolean; isPending: boolean }; fields: readonly string[]; label?: string }) {
  return (
    <>
      <FormError error={mutation.error} fields={fields} />
      {mutation.isSuccess && !mutation.isPending && (
        <MessageBar intent="success">
          <MessageBarBody>Saved.</MessageBarBody>
        </MessageBar>
      )}
      <div>
        <Button type="submit" appearance="primary">
          {label}
        </Button>
      </div>
    </>
  );
}
