/** Opaque keyset-pagination cursors: (timestamp-or-sequence, id) of the last row served. */

export function encodeCursor(ts: number, id: string): string {
  return Buffer.from(`${ts}|${id}`).toString('base64url');
}

export function decodeCursor(cursor: string): [number, string] {
  const raw = Buffer.from(cursor, 'base64url').toString();
  const bar = raw.indexOf('|');
  const ts = Number(raw.slice(0, bar));
  if (bar < 0 || !Number.isFinite(ts)) throw new InvalidCursorError();
  return [ts, raw.slice(bar + 1)];
}

export class InvalidCursorError extends Error {
  constructor() {
    super('The cursor is not valid; use the nextCursor value from a previous page.');
    this.name = 'InvalidCursorError';
  }
}
