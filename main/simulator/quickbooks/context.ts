/** What a request handler gets, and what it gives back. */
import type { LoadedQbxmlSchema } from '../../qbxml/schema/load';
import type { ElementSpec } from '../../qbxml/schema/model';
import { type XmlElement, child, childrenNamed } from '../../xml/tree';
import type { Clock } from './datetime';
import type { Iterators } from './iterators';
import type { XNode } from './render';
import type { Status } from './status';
import type { CompanyState } from './types';

export interface Ctx {
  state: CompanyState;
  schema: LoadedQbxmlSchema;
  clock: Clock;
  /** Milliseconds, whole seconds (QuickBooks keeps seconds). */
  now: number;
  /** The request document's qbXML version. */
  version: string;
  iterators: Iterators;
  host: HostSettings;
}

export interface HostSettings {
  productName: string;
  majorVersion: string;
  supportedVersions: readonly string[];
  country: string;
}

export interface Outcome {
  status: Status;
  rets?: XNode[];
  /** metaData="MetaDataOnly"/"MetaDataAndResponseData". */
  retCount?: number;
  iterator?: { remaining: number; id: string };
}

export const fail = (status: Status): Outcome => ({ status });

/** The schema element at `path` (request side), e.g. ["CustomerAddRq", "CustomerAdd"]. */
export function requestSpec(ctx: Ctx, path: readonly [string, ...string[]]): ElementSpec {
  let spec = ctx.schema.requests.get(path[0]);
  for (const name of path.slice(1)) spec = spec?.type.kind === 'complex' ? spec.type.children.get(name) : undefined;
  if (!spec) throw new Error(`qbXML schema has no ${path.join('/')}`);
  return spec;
}

/** Text of a direct child as given (strings keep their spaces). */
export function value(el: XmlElement | undefined, name: string): string | undefined {
  return child(el, name)?.text;
}

/** Text of a direct child, trimmed: for typed values (numbers, booleans, dates, IDs). */
export function trimmed(el: XmlElement | undefined, name: string): string | undefined {
  return child(el, name)?.text.trim();
}

export function flag(el: XmlElement | undefined, name: string): boolean | undefined {
  const v = trimmed(el, name);
  return v === undefined || v === '' ? undefined : v === 'true' || v === '1';
}

export function values(el: XmlElement | undefined, name: string): string[] {
  return childrenNamed(el, name).map((c) => c.text);
}

/** Records keep UTC ISO times; rendering converts them to QuickBooks-local time. */
export const iso = (t: number): string => new Date(t).toISOString().replace('.000Z', 'Z');
export const ms = (isoTime: string): number => Date.parse(isoTime);
