/**
 * The window: a header with the global pause, navigation on the left, the page on the
 * right, and the banners that concern every page (syncing paused, live updates lost).
 */
import {
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  makeStyles,
  Text,
  tokens,
} from '@fluentui/react-components';
import { PlugConnected20Regular, Settings20Regular, TextBulletListLtr20Regular } from '@fluentui/react-icons';
import { lazy, Suspense, useEffect, useRef } from 'react';
import { Loading } from './components/Feedback';
import { PauseButton } from './components/PauseButton';
import { type NavEntry, SideNav } from './components/SideNav';
import { useClient } from './data/client-context';
import { useLiveUpdates } from './data/live';
import { useOverview } from './data/queries';
import { AddConnectionPage } from './pages/AddConnectionPage';
import { ConnectionsPage } from './pages/ConnectionsPage';
import { NotFoundPage } from './pages/NotFoundPage';
import { SettingsPage } from './pages/SettingsPage';
import { href, parseHash, type Route, useHash } from './routing';

// Loaded when first opened: the chart and the virtual list are not needed for the first paint.
const ConnectionPage = lazy(() => import('./pages/connection/ConnectionPage').then((m) => ({ default: m.ConnectionPage })));
const EventLogPage = lazy(() => import('./pages/EventLogPage').then((m) => ({ default: m.EventLogPage })));

const HEADER_HEIGHT = '52px';

const useStyles = makeStyles({
  shell: { display: 'grid', gridTemplateRows: 'auto 1fr', gridTemplateColumns: 'auto 1fr', minHeight: '100vh' },
  header: {
    gridColumn: '1 / 3',
    position: 'sticky',
    top: 0,
    zIndex: 1,
    height: HEADER_HEIGHT,
    boxSizing: 'border-box',
    display: 'flex',
    alignItems: 'center',
    justifyContent: 'space-between',
    gap: tokens.spacingHorizontalM,
    padding: `0 ${tokens.spacingHorizontalL}`,
    borderBottom: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    backgroundColor: tokens.colorNeutralBackground1,
  },
  // The column carries the colour down the whole page; the links inside stay in view.
  nav: { backgroundColor: tokens.colorNeutralBackground4, borderRight: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}` },
  navInner: { position: 'sticky', top: HEADER_HEIGHT },
  main: {
    padding: `${tokens.spacingVerticalL} ${tokens.spacingHorizontalXXL}`,
    backgroundColor: tokens.colorNeutralBackground2,
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalM,
    minWidth: 0,
  },
});

const NAV: readonly NavEntry[] = [
  { value: 'connections', label: 'Connections', to: href.connections(), icon: <PlugConnected20Regular /> },
  { value: 'events', label: 'Event log', to: href.events(), icon: <TextBulletListLtr20Regular /> },
  { value: 'settings', label: 'Settings', to: href.settings(), icon: <Settings20Regular /> },
];

const navValue = (route: Route): string => (route.page === 'add' || route.page === 'connection' ? 'connections' : route.page);

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'connections':
      return <ConnectionsPage />;
    case 'add':
      return <AddConnectionPage />;
    case 'connection':
      return <ConnectionPage instanceId={route.instanceId} tab={route.tab} />;
    case 'events':
      return <EventLogPage instanceId={route.instanceId} />;
    case 'settings':
      return <SettingsPage />;
    case 'notFound':
      return <NotFoundPage />;
  }
}

function Banners({ live }: { live: boolean }) {
  const overview = useOverview();
  return (
    <>
      {overview.data?.paused && (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Syncing is paused</MessageBarTitle>
            Web Connector is told there is nothing to do, so QuickBooks is not being updated. Nothing waiting is lost: press “Resume syncing” to carry on.
          </MessageBarBody>
        </MessageBar>
      )}
      {!live && (
        <MessageBar intent="info">
          <MessageBarBody>Live updates are reconnecting; what you see may be a little behind.</MessageBarBody>
        </MessageBar>
      )}
    </>
  );
}

export function App() {
  const styles = useStyles();
  const client = useClient();
  const live = useLiveUpdates(client);
  const hash = useHash();
  const route = parseHash(hash);
  const main = useRef<HTMLElement>(null);

  // On another page, keyboard and screen-reader users start at its heading. Not when only a
  // tab or a filter changed: focus stays on the control they are using.
  const page = route.page === 'connection' ? `connection:${route.instanceId}` : route.page;
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [page]);

  return (
    <div className={styles.shell}>
      <header className={styles.header}>
        <Text as="span" size={400} weight="semibold">
          QBWC Companion
        </Text>
        <PauseButton />
      </header>
      <div className={styles.nav}>
        <div className={styles.navInner}>
          <SideNav entries={NAV} current={navValue(route)} />
        </div>
      </div>
      <main className={styles.main} ref={main}>
        <Banners live={live} />
        <Suspense fallback={<Loading label="Loading…" />}>
          <Page route={route} />
        </Suspense>
      </main>
    </div>
  );
}
