/**
 * Derives the committed qbXML metadata (`generated/qbxml160.json`) and TypeScript types
 * (`generated/types.ts`) from Intuit's XSD and the SDK's annotated 14.0 sample.
 * Generator-only code: the shipped program reads the generated files, never the XSD.
 */

import { readFileSync } from 'node:fs';
import type { CompactSchema } from '../compact';
import { buildSchema } from '../load';
import { readAnnotations } from './annotations';
import { findChildConflicts } from './conflicts';
import { emitTypes } from './emit-types';
import { Resolver } from './resolve';
import { readXsd } from './xsd';

const QBXML_VERSION = '16.0';
const ENTRY_XSD = 'qbxmlops160.xsd';

export interface GenerateOptions {
  /** Folder holding qbxmlops160.xsd and the files it includes. */
  readonly xsdDir: string;
  /** The SDK's annotated qbXML 14.0 sample (qbxmlops140.xml). */
  readonly annotatedPath: string;
}

export interface GeneratedSchema {
  readonly compact: CompactSchema;
  /** Contents of qbxml160.json. */
  readonly json: string;
  /** Contents of types.ts. */
  readonly types: string;
  /** Human-readable notes the CLI prints (e.g. child-name conflicts). */
  readonly warnings: readonly string[];
}

export function generateQbxmlSchema(options: GenerateOptions): GeneratedSchema {
  const xsd = readXsd(options.xsdDir, ENTRY_XSD);
  const annotations = readAnnotations(readFileSync(options.annotatedPath, 'utf8'));
  const resolver = new Resolver(xsd, annotations);
  const requests = resolver.messageSet('QBXMLMsgsRq');
  const responses = resolver.messageSet('QBXMLMsgsRs');
  const rq = requests.members.map((m) => resolver.root(m));
  const rs = responses.members.map((m) => resolver.root(m));
  const compact: CompactSchema = {
    v: QBXML_VERSION,
    ...resolver.tables(),
    rq,
    rs,
    env: {
      ...(requests.attributes !== undefined && { rq: requests.attributes }),
      ...(responses.attributes !== undefined && { rs: responses.attributes }),
    },
  };
  const schema = buildSchema(compact);
  return {
    compact,
    json: formatJson(compact),
    types: emitTypes(schema),
    warnings: findChildConflicts(schema),
  };
}

/** One table entry per line: barely larger than minified JSON, and diffs stay readable. */
function formatJson(schema: CompactSchema): string {
  const lines = (entries: readonly unknown[]): string =>
    `[\n${entries.map((e) => JSON.stringify(e)).join(',\n')}\n]`;
  return (
    `{"v":${JSON.stringify(schema.v)},\n` +
    `"rq":${JSON.stringify(schema.rq)},\n` +
    `"rs":${JSON.stringify(schema.rs)},\n` +
    `"env":${JSON.stringify(schema.env)},\n` +
    `"a":${lines(schema.a)},\n` +
    `"e":${lines(schema.e)},\n` +
    `"t":${lines(schema.t)}}\n`
  );
}
