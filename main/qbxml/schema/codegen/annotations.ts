/**
 * Reads the per-element version/edition annotations of the SDK's annotated qbXML 14.0
 * sample (`qbxmlops140.xml`). Generator-only code.
 *
 * The sample is a machine-generated instance document with one tag per line; the
 * annotation of an element is the comment on the same line as its start tag:
 *
 *     <TemplateRef>                     <!-- opt, not in QBOE, v3.0 -->
 *     <IsFinanceCharge>BOOLTYPE</IsFinanceCharge>   <!-- opt, not in QBOE, v8.0 -->
 *
 * Comments on a line of their own describe structure instead. `BEGIN OR` may itself
 * carry an annotation that applies to every alternative ("v11.0, BEGIN OR: … SerialNumber
 * OR LotNumber"). A DOM or SAX parser would lose which line a comment was on, so this
 * reads line by line and rejects any line it does not recognise.
 */

export interface Annotation {
  /** "8.0" for `v8.0`. */
  readonly since?: string;
  /** Editions from `not in QBD|QBOE`, in the sample's order. */
  readonly notIn?: readonly string[];
}

/**
 * Annotations keyed by element path below QBXMLMsgsRq/QBXMLMsgsRs, e.g.
 * "InvoiceAddRq/InvoiceAdd/TemplateRef". Every element of the sample has an entry (an
 * empty annotation when it has none), so presence in the map means "exists in 14.0".
 * The n-th (n ≥ 1) repetition of a name under the same parent gets the suffix `#n`.
 */
export type AnnotationMap = ReadonlyMap<string, Annotation>;

/** Builds the key for a child element; `occurrence` counts earlier same-name siblings. */
export function childKey(parentKey: string | undefined, name: string, occurrence: number): string {
  const own = occurrence === 0 ? name : `${name}#${occurrence}`;
  return parentKey === undefined ? own : `${parentKey}/${own}`;
}

const MESSAGE_SETS = new Set(['QBXMLMsgsRq', 'QBXMLMsgsRs']);

const NAME = '[A-Za-z][\\w.-]*';
const ATTRIBUTE = '\\s+[\\w-]+\\s*=\\s*"[^"]*"';
/** `<Name a = "…">`, `<Name …/>` or `<Name>TYPE</Name>`, then the optional annotation. */
const OPEN = new RegExp(`^<(${NAME})(?:${ATTRIBUTE})*\\s*(/?)>(?:[^<]*</(${NAME})>)?\\s*(?:<!--(.*?)-->)?$`);
const CLOSE = new RegExp(`^</(${NAME})>$`);
const COMMENT = /^<!--(.*?)-->$/;
const PROLOG = /^<\?.*\?>$/;

function parseAnnotation(text: string): Annotation {
  let since: string | undefined;
  let notIn: string[] | undefined;
  for (const part of text.split(',')) {
    const item = part.trim();
    const version = /^v(\d+\.\d+)$/.exec(item);
    if (version) since = version[1];
    const editions = /^not in ([A-Z|]+)$/.exec(item);
    if (editions?.[1] !== undefined) notIn = editions[1].split('|');
  }
  return { ...(since !== undefined && { since }), ...(notIn !== undefined && { notIn }) };
}

/** The sample's own order; merged lists keep it so equal sets print equally. */
const EDITIONS = ['QBD', 'QBCA', 'QBUK', 'QBAU', 'QBOE'];
const editionRank = (e: string): number => (EDITIONS.includes(e) ? EDITIONS.indexOf(e) : EDITIONS.length);

/** Applies the annotations of enclosing OR groups (innermost first) to an alternative. */
function inherit(own: Annotation, groups: readonly Annotation[]): Annotation {
  let since = own.since;
  const notIn = new Set(own.notIn);
  for (let i = groups.length - 1; i >= 0; i--) {
    const group = groups[i] as Annotation;
    since ??= group.since;
    for (const edition of group.notIn ?? []) notIn.add(edition);
  }
  const editions = [...notIn].sort((a, b) => editionRank(a) - editionRank(b));
  return { ...(since !== undefined && { since }), ...(editions.length > 0 && { notIn: editions }) };
}

interface OpenElement {
  readonly name: string;
  /** Path key; undefined outside the two message sets. */
  readonly key: string | undefined;
  readonly seen: Map<string, number>;
  /** Annotations of the BEGIN OR groups currently open among this element's children. */
  readonly orGroups: Annotation[];
}

export function readAnnotations(text: string): AnnotationMap {
  const map = new Map<string, Annotation>();
  const stack: OpenElement[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = raw.trim();
    const fail = (why: string): never => {
      throw new Error(`annotated sample line ${index + 1}: ${why}: ${line}`);
    };
    if (line === '' || PROLOG.test(line)) return;
    const parent = stack[stack.length - 1];
    const comment = COMMENT.exec(line);
    if (comment) {
      const body = comment[1] ?? '';
      const begin = body.indexOf('BEGIN OR');
      if (begin >= 0) parent?.orGroups.push(parseAnnotation(body.slice(0, begin)));
      else if (body.trim() === 'END OR' && !parent?.orGroups.pop()) fail('END OR without BEGIN OR');
      return;
    }
    const close = CLOSE.exec(line);
    if (close) {
      const open = stack.pop();
      if (open?.name !== close[1]) fail('mismatched end tag');
      if (open?.orGroups.length) fail('unterminated BEGIN OR');
      return;
    }
    const tag = OPEN.exec(line);
    if (!tag) return fail('unrecognised line');
    const [, name = '', selfClosing, endName, note] = tag;
    if (endName !== undefined && endName !== name) fail('mismatched end tag');
    let key: string | undefined;
    if (parent?.key !== undefined || (parent && MESSAGE_SETS.has(parent.name))) {
      const seen = parent.seen.get(name) ?? 0;
      parent.seen.set(name, seen + 1);
      key = childKey(parent.key, name, seen);
      map.set(key, inherit(parseAnnotation(note ?? ''), parent.orGroups));
    }
    if (selfClosing === '' && endName === undefined) {
      stack.push({ name, key, seen: new Map(), orGroups: [] });
    }
  });
  if (stack.length > 0) throw new Error(`annotated sample: <${stack[0]?.name}> is never closed`);
  return map;
}
