/**
 * Rebuilds the qbXML 16.0 model of `model.ts` from the committed compact metadata.
 * Interned table entries become shared objects, so structurally identical types (every
 * ListID/FullName ref, say) are one object and can be compared by identity.
 */

import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// Type-only and empty: emits nothing (the file is read lazily below), but puts the JSON
// in the program so tsc copies it to dist/ next to the compiled loader.
import type {} from './generated/qbxml160.json';
import { UNBOUNDED, type CompactAttribute, type CompactParticle, type CompactSchema } from './compact';
import type { AttributeSpec, ElementSpec, Particle, QbxmlSchema, TypeSpec } from './model';

export interface LoadedQbxmlSchema extends QbxmlSchema {
  /** Attributes of the QBXMLMsgsRq envelope: onError (required), responseData, … */
  readonly msgsRqAttributes: readonly AttributeSpec[];
  /** Attributes of the QBXMLMsgsRs envelope: newMessageSetID, messageSetStatusCode. */
  readonly msgsRsAttributes: readonly AttributeSpec[];
}

let cached: LoadedQbxmlSchema | undefined;

/** The qbXML 16.0 schema; read and built on first use, then shared (it is immutable). */
export function loadQbxmlSchema(): LoadedQbxmlSchema {
  if (!cached) {
    const json = readFileSync(join(__dirname, 'generated', 'qbxml160.json'), 'utf8');
    cached = buildSchema(JSON.parse(json) as CompactSchema);
  }
  return cached;
}

const max = (x: number | undefined): number => (x === undefined ? 1 : x === UNBOUNDED ? Infinity : x);

const NO_ATTRIBUTES: readonly AttributeSpec[] = [];

function attribute(a: CompactAttribute): AttributeSpec {
  return { name: a.n, base: a.b, required: a.r === 1, ...(a.e && { enumValues: a.e }) };
}

/** Every element that can appear directly inside `content`; the first of a name wins. */
function childrenOf(content: Particle | undefined): ReadonlyMap<string, ElementSpec> {
  const children = new Map<string, ElementSpec>();
  const visit = (p: Particle): void => {
    if (p.kind === 'element') {
      if (!children.has(p.name)) children.set(p.name, p);
    } else {
      p.items.forEach(visit);
    }
  };
  if (content) visit(content);
  return children;
}

export function buildSchema(compact: CompactSchema): LoadedQbxmlSchema {
  const types: (TypeSpec | undefined)[] = new Array(compact.t.length);
  const elements: (ElementSpec | undefined)[] = new Array(compact.e.length);
  const attributeLists = compact.a.map((list) => list.map(attribute));
  const attributes = (i: number | undefined): readonly AttributeSpec[] => {
    if (i === undefined) return NO_ATTRIBUTES;
    const list = attributeLists[i];
    if (list === undefined) throw new Error(`qbXML metadata: no attribute list #${i}`);
    return list;
  };

  const type = (i: number): TypeSpec => {
    let built = types[i];
    if (built) return built;
    const t = compact.t[i];
    if (t === undefined) throw new Error(`qbXML metadata: no type #${i}`);
    if ('b' in t) {
      built = {
        kind: 'leaf',
        base: t.b,
        ...(t.l !== undefined && { maxLength: t.l }),
        ...(t.e && { enumValues: t.e }),
        attributes: attributes(t.a),
      };
    } else {
      const content = t.p === undefined ? undefined : particle(t.p);
      built = { kind: 'complex', content, attributes: attributes(t.a), children: childrenOf(content) };
    }
    types[i] = built;
    return built;
  };

  const element = (i: number): ElementSpec => {
    let built = elements[i];
    if (built) return built;
    const e = compact.e[i];
    if (e === undefined) throw new Error(`qbXML metadata: no element #${i}`);
    built = {
      kind: 'element',
      name: e.n,
      type: type(e.t),
      min: e.m ?? 1,
      max: max(e.x),
      ...(e.s !== undefined && { since: e.s }),
      ...(e.ni !== undefined && { notIn: e.ni.split('|') }),
    };
    elements[i] = built;
    return built;
  };

  const particle = (p: CompactParticle): Particle => {
    if (typeof p === 'number') return element(p);
    return {
      kind: 's' in p ? 'sequence' : 'choice',
      min: p.m ?? 1,
      max: max(p.x),
      items: ('s' in p ? p.s : p.c).map(particle),
    };
  };

  const byName = (indices: readonly number[]): ReadonlyMap<string, ElementSpec> =>
    new Map(indices.map((i) => [element(i).name, element(i)]));

  return {
    version: compact.v,
    requests: byName(compact.rq),
    responses: byName(compact.rs),
    msgsRqAttributes: attributes(compact.env.rq),
    msgsRsAttributes: attributes(compact.env.rs),
  };
}

/** The element at `path`: a request or response name, then child names. */
export function findElement(schema: QbxmlSchema, path: readonly string[]): ElementSpec | undefined {
  const [root, ...rest] = path;
  let element = root === undefined ? undefined : (schema.requests.get(root) ?? schema.responses.get(root));
  for (const name of rest) {
    if (element?.type.kind !== 'complex') return undefined;
    element = element.type.children.get(name);
  }
  return element;
}
