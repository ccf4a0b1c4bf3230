/**
 * The tray icon: draws a TrayView (tray-state.ts) and the menu (tray-menu.ts). Redraws
 * only what changed — progress events come often, and rebuilding an open menu closes it
 * on some systems.
 */
import { Menu, type MenuItemConstructorOptions, nativeImage, Tray } from 'electron';
import { type TrayAction, type TrayMenuFlags, type TrayMenuItem, buildTrayMenuTemplate } from './tray-menu';
import { trayIconFile, type TrayView } from './tray-state';

export class TrayController {
  private readonly tray: Tray;
  private drawn = { icon: 'idle', tooltip: '', title: '', menu: '' };

  constructor(
    private readonly assetsDir: string,
    private readonly actions: Record<TrayAction, () => void>,
    private readonly platform: NodeJS.Platform = process.platform,
  ) {
    this.tray = new Tray(nativeImage.createFromPath(trayIconFile(assetsDir, 'idle')));
    // Windows and macOS: a click opens the window (the menu is on right-click / the menu bar).
    this.tray.on('click', () => this.actions.open());
  }

  render(view: TrayView, flags: TrayMenuFlags): void {
    if (this.tray.isDestroyed()) return;
    if (view.icon !== this.drawn.icon) this.tray.setImage(nativeImage.createFromPath(trayIconFile(this.assetsDir, view.icon)));
    if (view.tooltip !== this.drawn.tooltip) this.tray.setToolTip(view.tooltip);
    // The macOS menu bar can show text beside the icon: the percent while syncing.
    const title = this.platform === 'darwin' && view.percent !== undefined ? `${view.percent}%` : '';
    if (title !== this.drawn.title) this.tray.setTitle(title);
    const template = buildTrayMenuTemplate(view, flags);
    const menu = JSON.stringify(template);
    if (menu !== this.drawn.menu) this.tray.setContextMenu(Menu.buildFromTemplate(template.map((item) => this.withAction(item))));
    this.drawn = { icon: view.icon, tooltip: view.tooltip, title, menu };
  }

  isDestroyed(): boolean {
    return this.tray.isDestroyed();
  }

  destroy(): void {
    if (!this.tray.isDestroyed()) this.tray.destroy();
  }

  private withAction(item: TrayMenuItem): MenuItemConstructorOptions {
    if (!('action' in item)) return item;
    const { action, ...rest } = item;
    return { ...rest, click: () => this.actions[action]() };
  }
}
