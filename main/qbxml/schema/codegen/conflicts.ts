/**
 * Finds content models in which one child name stands for two different types. The
 * streaming parser types an element through `ComplexType.children`, which keeps only
 * the first of a name, so each such case is worth a warning. Generator-only code.
 */

import type { ComplexType, ElementSpec, QbxmlSchema } from '../model';
import { elementsOf } from './walk';

/** One line per affected type, at the first path (from a request/response) that uses it. */
export function findChildConflicts(schema: QbxmlSchema): string[] {
  const warnings: string[] = [];
  const visited = new Set<ComplexType>();
  const visit = (element: ElementSpec, path: string): void => {
    const type = element.type;
    if (type.kind !== 'complex' || visited.has(type)) return;
    visited.add(type);
    const children = elementsOf(type.content);
    const conflicting = new Set<string>();
    for (const child of children) {
      const first = type.children.get(child.name);
      if (first && first.type !== child.type) conflicting.add(child.name);
    }
    for (const name of conflicting) {
      warnings.push(`${path}: child "${name}" occurs with different types; children keeps the first`);
    }
    for (const child of children) visit(child, `${path}/${child.name}`);
  };
  for (const root of [...schema.requests.values(), ...schema.responses.values()]) visit(root, root.name);
  return warnings;
}
