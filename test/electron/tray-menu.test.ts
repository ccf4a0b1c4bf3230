import { describe, expect, it } from 'vitest';
import { buildTrayMenuTemplate, menuText } from '../../main/electron/tray-menu';
import type { TrayView } from '../../main/electron/tray-state';

const view = (lines: string[]): TrayView => ({ icon: 'idle', tooltip: 'QBWC Companion', lines });

describe('tray menu', () => {
  it('has open, a status line per connection, pause, start at login, data folder and quit', () => {
    const template = buildTrayMenuTemplate(view(['Acme Ltd: Synced 5 minutes ago', 'Pine: Syncing… 40%']), { paused: false, openAtLogin: true });
    expect(template).toEqual([
      { type: 'normal', label: 'Open QBWC Companion', action: 'open' },
      { type: 'separator' },
      { type: 'normal', label: 'Acme Ltd: Synced 5 minutes ago', enabled: false },
      { type: 'normal', label: 'Pine: Syncing… 40%', enabled: false },
      { type: 'separator' },
      { type: 'normal', label: 'Pause syncing', action: 'togglePause' },
      { type: 'checkbox', label: 'Start at login', action: 'toggleOpenAtLogin', checked: true },
      { type: 'normal', label: 'Open data folder', action: 'openDataFolder' },
      { type: 'separator' },
      { type: 'normal', label: 'Quit QBWC Companion', action: 'quit' },
    ]);
  });

  it('offers to resume when paused', () => {
    const labels = buildTrayMenuTemplate(view([]), { paused: true, openAtLogin: false }).map((i) => ('label' in i ? i.label : '-'));
    expect(labels).toContain('Resume syncing');
    expect(labels).not.toContain('Pause syncing');
  });

  it('leaves out start at login where the OS has no login item', () => {
    const template = buildTrayMenuTemplate(view([]), { paused: false, openAtLogin: null });
    expect(template.some((i) => 'action' in i && i.action === 'toggleOpenAtLogin')).toBe(false);
  });

  it('says there is no connection yet instead of an empty section', () => {
    const template = buildTrayMenuTemplate(view([]), { paused: false, openAtLogin: false });
    expect(template[2]).toEqual({ type: 'normal', label: 'No connections yet', enabled: false });
  });

  it('status lines are not clickable', () => {
    const template = buildTrayMenuTemplate(view(['Acme Ltd: fine']), { paused: false, openAtLogin: false });
    const line = template.find((i) => 'label' in i && i.label === 'Acme Ltd: fine');
    expect(line).toEqual({ type: 'normal', label: 'Acme Ltd: fine', enabled: false });
  });

  it('keeps a long list short, saying how many more', () => {
    const lines = Array.from({ length: 12 }, (_, i) => `Company ${i}: fine`);
    const labels = buildTrayMenuTemplate(view(lines), { paused: false, openAtLogin: false }).map((i) => ('label' in i ? i.label : '-'));
    expect(labels.filter((l) => l.startsWith('Company '))).toHaveLength(8);
    expect(labels).toContain('…and 4 more');
  });

  it('shows an ampersand in a company name instead of making it a shortcut key', () => {
    expect(menuText('Smith & Co: fine')).toBe('Smith && Co: fine');
    const template = buildTrayMenuTemplate(view(['Smith & Co: fine']), { paused: false, openAtLogin: false });
    expect(template).toContainEqual({ type: 'normal', label: 'Smith && Co: fine', enabled: false });
  });
});
