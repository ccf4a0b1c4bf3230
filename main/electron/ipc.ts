/**
 * The contract over IPC: one channel to call any operation (`companion:invoke`), one to
 * receive domain events (`companion:event`). Calls go through `invoke` like REST's, so an
 * input is judged the same way; the answer is `{ok, value}` or `{ok: false, error}` with
 * the same fields as REST's error JSON plus the status. Only our own windows are heard
 * and told anything.
 */
import type { IpcMain } from 'electron';
import { invoke, type RawInput } from '../contract/invoke';
import { type OperationHandlers, type OperationName, operations } from '../contract/operations';
import { ApiError, asStorageUnavailable, type Problem } from '../errors';
import type { DomainEvents } from '../events';
import type { Logger } from '../logger';
import { InvalidCursorError } from '../store/cursor';
import { type IpcSender, isTrustedSender, type TrustedContents } from './security';

/** The preload names these too (it can import nothing): test/electron/preload.test.ts keeps them equal. */
export const INVOKE_CHANNEL = 'companion:invoke';
export const EVENT_CHANNEL = 'companion:event';

export interface WireError {
  status: number;
  code: string;
  message: string;
  field: string | null;
  problems: Problem[];
}

export type InvokeResult = { ok: true; value: unknown } | { ok: false; error: WireError };

const RAW_KEYS = new Set(['params', 'query', 'body']);

/** Runs one operation for the renderer; never throws. */
export async function runOperation(handlers: OperationHandlers, name: unknown, raw: unknown, logger: Logger): Promise<InvokeResult> {
  try {
    // hasOwn, not `in`: "toString" and "__proto__" are no operations.
    if (typeof name !== 'string' || !Object.hasOwn(operations, name)) {
      throw new ApiError(404, 'not_found', `There is no operation named "${String(name).slice(0, 100)}".`, 'name');
    }
    const operation = name as OperationName;
    const value: unknown = await invoke(handlers, operation, checkRaw(raw));
    return { ok: true, value: 'rawContentType' in operations[operation] ? joinRaw(value as string | Iterable<string>) : value };
  } catch (err) {
    return { ok: false, error: toWireError(err, name, logger) };
  }
}

/** `{params?, query?, body?}` and nothing else: a misspelt key would otherwise be ignored. */
function checkRaw(raw: unknown): RawInput {
  if (raw === undefined) return {};
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new ApiError(400, 'invalid_field', 'The input must be an object with params, query and body.', null);
  }
  const unknown = Object.keys(raw).find((k) => !RAW_KEYS.has(k));
  if (unknown !== undefined) throw new ApiError(400, 'unknown_field', `"${unknown.slice(0, 100)}" is not part of an operation's input; use params, query and body.`, unknown.slice(0, 100));
  return raw as RawInput;
}

/** Raw outputs (a QWC file, a CSV export) may be produced in chunks; IPC sends one string. */
function joinRaw(value: string | Iterable<string>): string {
  return typeof value === 'string' ? value : Array.from(value).join('');
}

/** As REST renders errors (main/api/rest.ts): the caller's mistakes in full, a bug only as "logged". */
function toWireError(err: unknown, name: unknown, logger: Logger): WireError {
  if (err instanceof ApiError) return wire(err);
  if (err instanceof InvalidCursorError) return wire(new ApiError(400, 'invalid_cursor', err.message, 'cursor'));
  const storage = asStorageUnavailable(err);
  if (storage) return wire(new ApiError(503, 'storage_unavailable', storage.message));
  logger.error('IPC operation failed', { operation: String(name).slice(0, 100), error: err instanceof Error ? err.stack : String(err) });
  return wire(new ApiError(500, 'internal', 'The companion hit an unexpected problem; it has been logged.'));
}

const wire = (e: ApiError): WireError => ({ status: e.status, code: e.code, message: e.message, field: e.field, problems: e.problems.map((p) => ({ ...p })) });

export interface IpcDeps {
  ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>;
  handlers: OperationHandlers;
  events: Pick<DomainEvents, 'onAll'>;
  trusted: TrustedContents;
  logger: Logger;
}

/** Serves the invoke channel and forwards every domain event; returns what undoes both. */
export function registerIpc(deps: IpcDeps): () => void {
  deps.ipcMain.handle(INVOKE_CHANNEL, (event: IpcSender, name: unknown, raw: unknown): Promise<InvokeResult> | InvokeResult => {
    if (!isTrustedSender(event, deps.trusted)) {
      deps.logger.warn('IPC call refused: not from a window of the app', { operation: String(name).slice(0, 100), frame: event.senderFrame?.url.slice(0, 200) ?? null });
      return { ok: false, error: wire(new ApiError(403, 'forbidden', 'Only the QBWC Companion window may call the companion.')) };
    }
    return runOperation(deps.handlers, name, raw, deps.logger);
  });
  const stopForwarding = deps.events.onAll((type, data) => deps.trusted.broadcast(EVENT_CHANNEL, { type, data }));
  return () => {
    deps.ipcMain.removeHandler(INVOKE_CHANNEL);
    stopForwarding();
  };
}
