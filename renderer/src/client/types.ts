/**
 * What the UI needs from the companion, whatever carries it: IPC in the desktop app,
 * REST + server-sent events in a browser. Types come from the contract (type-only
 * imports, gone at build time); the UI never imports core code.
 */
import type { z } from 'zod';
import type { OperationName, OperationOutput, Operations } from '../../../main/contract/operations';
import type { DomainEventMap, DomainEventName } from '../../../main/events';

export type { OperationName };

type Input<T> = T extends z.ZodType ? z.input<T> : never;

/** An operation's input as the wire carries it: path parameters, query, body. */
export type CallInput<K extends OperationName> = (Operations[K] extends { params: infer P } ? { params: Input<P> } : { params?: undefined }) &
  (Operations[K] extends { query: infer Q } ? { query?: Input<Q> } : { query?: undefined }) &
  (Operations[K] extends { body: infer B } ? { body: Input<B> } : { body?: undefined });

/** Raw outputs (a QWC file, a response's XML, CSV) arrive as one string. */
export type CallOutput<K extends OperationName> = Operations[K] extends { rawContentType: string } ? string : OperationOutput<K>;

/** Operations whose output is a file (a QWC file, a response's XML, CSV) rather than JSON. */
export type FileOperationName = { [K in OperationName]: Operations[K] extends { rawContentType: string } ? K : never }[OperationName];

/** The wire form of any call: what IPC and REST both carry. */
export interface RawCall {
  params?: Record<string, unknown>;
  query?: Record<string, unknown>;
  body?: unknown;
}

export type DomainEvent = { [K in DomainEventName]: { type: K; data: DomainEventMap[K] } }[DomainEventName];

/**
 * What a subscriber hears: domain events, and whether the live feed is connected (while it
 * is not, events may be missed, so the UI refetches when it comes back).
 */
export type ClientEvent = DomainEvent | { type: 'live.connected' } | { type: 'live.disconnected' };

export interface CompanionClient {
  /** 'electron' over IPC, 'browser' over REST. */
  readonly transport: 'electron' | 'browser';
  call<K extends OperationName>(name: K, input: CallInput<K>): Promise<CallOutput<K>>;
  /**
   * Saves an operation's file as `fileName`. In a browser through a plain link: the cookie
   * signs it in, the browser streams it to disk however large it is, and its download bar
   * says when it failed. Over IPC the text crosses whole and is saved from memory.
   */
  saveFile<K extends FileOperationName>(name: K, input: CallInput<K>, fileName: string): Promise<void>;
  /** Returns the unsubscribe function. */
  subscribe(listener: (event: ClientEvent) => void): () => void;
}

/** One thing wrong with a call, as the API names it (`field` is a path in our own input). */
export interface Problem {
  field: string | null;
  message: string;
  rule: string;
}

/** The wire form of an error, the same over REST (`{error: …}`) and IPC. */
export interface ErrorData {
  status: number;
  code: string;
  message: string;
  field: string | null;
  problems: Problem[];
}
