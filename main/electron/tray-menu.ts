/**
 * The tray menu as plain data: what it says and which action each item runs. The glue
 * attaches the actions (Menu.buildFromTemplate); here it is only decided, so a test can
 * read it.
 */
import { PRODUCT_NAME } from '../companion';
import type { TrayView } from './tray-state';

export type TrayAction = 'open' | 'togglePause' | 'toggleOpenAtLogin' | 'openDataFolder' | 'quit';

export type TrayMenuItem =
  | { type: 'normal'; label: string; action: TrayAction }
  | { type: 'checkbox'; label: string; action: TrayAction; checked: boolean }
  /** A status line: shown, not clickable. */
  | { type: 'normal'; label: string; enabled: false }
  | { type: 'separator' };

export interface TrayMenuFlags {
  paused: boolean;
  /** Null where the OS offers no login item (Linux). */
  openAtLogin: boolean | null;
}

/** A menu this long is still readable; the window shows every connection. */
const MAX_STATUS_LINES = 8;

export function buildTrayMenuTemplate(view: TrayView, flags: TrayMenuFlags): TrayMenuItem[] {
  const shown = view.lines.slice(0, MAX_STATUS_LINES);
  const statusLines: TrayMenuItem[] = (shown.length > 0 ? shown : ['No connections yet']).map((line) => ({
    type: 'normal',
    label: menuText(line),
    enabled: false,
  }));
  if (view.lines.length > shown.length) {
    statusLines.push({ type: 'normal', label: `…and ${view.lines.length - shown.length} more`, enabled: false });
  }
  return [
    { type: 'normal', label: `Open ${PRODUCT_NAME}`, action: 'open' },
    { type: 'separator' },
    ...statusLines,
    { type: 'separator' },
    { type: 'normal', label: flags.paused ? 'Resume syncing' : 'Pause syncing', action: 'togglePause' },
    ...(flags.openAtLogin === null ? [] : [{ type: 'checkbox', label: 'Start at login', action: 'toggleOpenAtLogin', checked: flags.openAtLogin } as const]),
    { type: 'normal', label: 'Open data folder', action: 'openDataFolder' },
    { type: 'separator' },
    { type: 'normal', label: `Quit ${PRODUCT_NAME}`, action: 'quit' },
  ];
}

/**
 * Menus read "&" as the mark of a keyboard shortcut and hide it ("Smith & Co" would show
 * as "Smith  Co"); "&&" shows one. Company names often have one.
 */
export function menuText(text: string): string {
  return text.replace(/&/g, '&&');
}
