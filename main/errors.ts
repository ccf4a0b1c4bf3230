/**
 * Errors a caller can act on. Services throw these; transports render them — REST as
 * `{"error": {"code", "message", "field"}}` with the status, the UI as the message.
 */
export class ApiError extends Error {
  constructor(
    readonly status: 400 | 401 | 403 | 404 | 405 | 409 | 413 | 415 | 422 | 500,
    readonly code: string,
    message: string,
    readonly field: string | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** The data folder can't be written (disk full): nothing was done, and trying later may work. */
export class StorageUnavailableError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'StorageUnavailableError';
  }
}

export const notFound = (what: string, id: string, field: string | null = null) =>
  new ApiError(404, 'not_found', `No ${what} with id "${id.slice(0, 100)}".`, field);

export const conflict = (code: string, message: string, field: string | null = null) => new ApiError(409, code, message, field);

export const invalid = (field: string, message: string, code = 'invalid_field') => new ApiError(400, code, message, field);
