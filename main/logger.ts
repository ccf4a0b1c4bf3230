/**
 * Structured logs, one JSON object per line. Never pass passwords, tokens or company
 * data in `fields`; keys that look sensitive are masked anyway.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
}

const SENSITIVE = /pass|token|secret|ticket|authorization/i;
const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

export function createLogger(write: (line: string) => void, minLevel: LogLevel = 'info', now: () => number = Date.now): Logger {
  const log = (level: LogLevel) => (message: string, fields?: Record<string, unknown>) => {
    if (RANK[level] < RANK[minLevel]) return;
    const entry: Record<string, unknown> = { time: new Date(now()).toISOString(), level, message };
    for (const [k, v] of Object.entries(fields ?? {})) entry[k] = SENSITIVE.test(k) ? '[redacted]' : v;
    write(JSON.stringify(entry) + '\n');
  };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

export const silentLogger: Logger = { debug() {}, info() {}, warn() {}, error() {} };
