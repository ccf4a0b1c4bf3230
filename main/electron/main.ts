/** The desktop app's entry point (electron-builder's extraMetadata.main). */
import { runDesktopApp } from './desktop-app';

runDesktopApp();
