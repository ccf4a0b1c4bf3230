import { makeStyles, Text, tokens } from '@fluentui/react-components';

const useStyles = makeStyles({
  page: { maxWidth: '40rem', margin: '10vh auto', padding: tokens.spacingHorizontalXL, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM },
  code: { fontFamily: tokens.fontFamilyMonospace, backgroundColor: tokens.colorNeutralBackground3, padding: `0 ${tokens.spacingHorizontalXS}` },
});

/** Shown in a browser without a valid session: the page can't sign itself in, and says how to. */
export function SignInNeededPage() {
  const styles = useStyles();
  return (
    <main className={styles.page}>
      <Text as="h1" size={600} weight="semibold">
        Please sign in again
      </Text>
      <Text as="p">
        This page needs a fresh sign-in link. On this computer, run <code className={styles.code}>qbwc-companion open</code>: it opens this page in your
        browser, signed in. Or open QBWC Companion from its icon in the taskbar tray.
      </Text>
      <Text as="p">Sign-in links work once and only for a few minutes, so an old link or a bookmark does not work.</Text>
    </main>
  );
}
