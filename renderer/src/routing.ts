/**
 * Hash routing: the same build loads from app:// in the desktop app and from / in a
 * browser, and a hash needs no server help. Five pages do not need a router library.
 */
import { useSyncExternalStore } from 'react';

export type ConnectionTab = 'activity' | 'queue' | 'cloud' | 'settings';

export type Route =
  | { page: 'connections' }
  | { page: 'add' }
  | { page: 'connection'; instanceId: string; tab: ConnectionTab }
  | { page: 'events'; instanceId: string | null }
  | { page: 'settings' }
  | { page: 'notFound' };

const TABS: readonly ConnectionTab[] = ['activity', 'queue', 'cloud', 'settings'];

export function parseHash(hash: string): Route {
  const [path = '', search = ''] = hash.replace(/^#/, '').split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  const [first, second, third] = parts;
  if (parts.length === 0 || (first === 'connections' && parts.length === 1)) return { page: 'connections' };
  if (first === 'add' && parts.length === 1) return { page: 'add' };
  if (first === 'connections' && second && parts.length <= 3) {
    const tab = (third ?? 'activity') as ConnectionTab;
    return TABS.includes(tab) ? { page: 'connection', instanceId: second, tab } : { page: 'notFound' };
  }
  if (first === 'events' && parts.length === 1) return { page: 'events', instanceId: new URLSearchParams(search).get('connection') };
  if (first === 'settings' && parts.length === 1) return { page: 'settings' };
  return { page: 'notFound' };
}

export const href = {
  connections: () => '#/connections',
  add: () => '#/add',
  connection: (instanceId: string, tab: ConnectionTab = 'activity') =>
    `#/connections/${encodeURIComponent(instanceId)}${tab === 'activity' ? '' : `/${tab}`}`,
  events: (instanceId?: string) => (instanceId ? `#/events?connection=${encodeURIComponent(instanceId)}` : '#/events'),
  settings: () => '#/settings',
};

export function navigate(to: string): void {
  window.location.hash = to;
}

const subscribe = (onChange: () => void) => {
  window.addEventListener('hashchange', onChange);
  return () => window.removeEventListener('hashchange', onChange);
};

export function useHash(): string {
  return useSyncExternalStore(subscribe, () => window.location.hash);
}
