import type { ElementSpec, Particle } from '../model';

/** Every element directly inside a content model (through nested groups), in order. */
export function elementsOf(content: Particle | undefined, out: ElementSpec[] = []): ElementSpec[] {
  if (content?.kind === 'element') out.push(content);
  else content?.items.forEach((item) => elementsOf(item, out));
  return out;
}
