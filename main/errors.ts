/**
 * Errors a caller can act on. Services throw these; transports render them — REST as
 * `{"error": {"code", "message", "field", "problems": [{"field", "message", "rule"}]}}`
 * with the status, the UI as the message.
 */

/**
 * One thing wrong with a request. `field` is a path in the caller's own input
 * (`name`, `params.InvoiceLineAdd[1].Amount`, `limit`, `Authorization`), or null when the
 * problem is not about any one field; `rule` says which rule failed (`required`, `type`,
 * `max_length`, `unknown_field`, `type:AMTTYPE`, …).
 */
export interface Problem {
  field: string | null;
  message: string;
  rule: string;
}

export type ApiErrorStatus = 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 500 | 503;

export class ApiError extends Error {
  /** Every problem found, the first being the one `message` and `field` describe. Never empty. */
  readonly problems: readonly Problem[];

  constructor(
    readonly status: ApiErrorStatus,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
    problems?: readonly Problem[],
  ) {
    super(message);
    this.name = 'ApiError';
    this.problems = problems && problems.length > 0 ? problems : [{ field, message, rule: code }];
  }

  /** An error listing several problems; its message and field are the first one's. */
  static of(status: ApiErrorStatus, code: string, problems: readonly Problem[]): ApiError {
    const first = problems[0];
    if (!first) throw new Error('ApiError.of needs at least one problem');
    return new ApiError(status, code, first.message, first.field, problems);
  }

  /** The REST rendering. */
  toJSON(): { error: { code: string; message: string; field: string | null; problems: Problem[] } } {
    return { error: { code: this.code, message: this.message, field: this.field, problems: this.problems.map((p) => ({ ...p })) } };
  }
}

/** The data folder can't be written (disk full): nothing was done, and trying later may work. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

/** SQLite's and the file system's ways of saying the disk can't take a write. */
const DISK_FAILURES = /^(SQLITE_FULL|SQLITE_IOERR|SQLITE_READONLY|ENOSPC|EDQUOT|EIO|EROFS)/;

/**
 * The error as a StorageUnavailableError if it is a failure of the disk (full, read-only,
 * I/O error), else undefined. A unit of work that hits one is rolled back: nothing was
 * changed, and the next one tries the disk again.
 */
export function asStorageUnavailable(err: unknown): StorageUnavailableError | undefined {
  if (err instanceof StorageUnavailableError) return err;
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code !== 'string' || !DISK_FAILURES.test(code)) return undefined;
  return new StorageUnavailableError(
    `QBWC Companion cannot save to its data folder (${(err as Error).message}). Nothing was changed and nothing acknowledged is lost; free some disk space and try again.`,
    { cause: err },
  );
}

export const notFound = (what: string, id: string, field: string | null = null) =>
  new ApiError(404, 'not_found', `No ${what} with id "${id.slice(0, 100)}".`, field);

export const conflict = (code: string, message: string, field: string | null = null) => new ApiError(409, code, message, field);

export const invalid = (field: string, message: string, code = 'invalid_field') => new ApiError(400, code, message, field);
