import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { bundledPaths, startupFailureMessage } from '../../main/electron/desktop-config';
import { LOG_FILE, openLogFile } from '../../main/electron/log-file';
import { DataFolderPermissionError } from '../../main/store/db';
import { DataFolderBusyError } from '../../main/store/owner';
import { tempDir } from '../helpers';

describe('bundled paths', () => {
  it('finds the UI, the preload and the icons from the compiled dist/main/electron', () => {
    const paths = bundledPaths(path.join('/app', 'dist', 'main', 'electron'));
    expect(paths).toEqual({
      rendererDir: path.join('/app', 'dist', 'renderer'),
      preloadPath: path.join('/app', 'dist', 'preload', 'index.js'),
      assetsDir: path.join('/app', 'assets'),
    });
  });
});

describe('startup failures, in plain words', () => {
  it('another copy (or `serve`) holds the data folder', () => {
    const message = startupFailureMessage(new DataFolderBusyError(4242, '/data'));
    expect(message).toContain('in use by QBWC Companion (process 4242)');
    expect(message).toContain('Close it, then start the app again.');
  });

  it('the port Web Connector uses is taken', () => {
    const err = Object.assign(new Error('listen EADDRINUSE'), { code: 'EADDRINUSE' });
    expect(startupFailureMessage(err)).toBe(
      'Another program already uses port 8520, where QuickBooks Web Connector looks for QBWC Companion. Close that program (or the other copy of QBWC Companion), then start the app again.',
    );
  });

  it('a data folder others can use keeps the core\'s own message (it has the fix)', () => {
    const err = new DataFolderPermissionError('/data', 0o755);
    expect(startupFailureMessage(err)).toBe(err.message);
  });

  it('anything else points at the log', () => {
    expect(startupFailureMessage(new Error('boom'))).toBe('boom\n\nThe details are in the log file in the data folder.');
  });
});

describe('log file', () => {
  it('appends lines to logs/companion.log, readable by this user only', () => {
    const dir = path.join(tempDir(), 'logs');
    const write = openLogFile(dir);
    write('{"a":1}\n');
    write('{"b":2}\n');
    expect(fs.readFileSync(path.join(dir, LOG_FILE), 'utf8')).toBe('{"a":1}\n{"b":2}\n');
    if (process.platform !== 'win32') {
      expect(fs.statSync(path.join(dir, LOG_FILE)).mode & 0o777).toBe(0o600);
      expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    }
  });

  it('moves a log grown past its limit aside at start', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, LOG_FILE), 'x'.repeat(100));
    openLogFile(dir, 50)('new\n');
    expect(fs.readFileSync(path.join(dir, `${LOG_FILE}.1`), 'utf8')).toHaveLength(100);
    expect(fs.readFileSync(path.join(dir, LOG_FILE), 'utf8')).toBe('new\n');
  });
});
