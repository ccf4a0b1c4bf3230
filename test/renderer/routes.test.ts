/**
 * The renderer's route table is generated from the contract and committed: it must say
 * what the contract says, or the UI would call paths that no longer exist.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { operations } from '../../main/contract/operations';
import { routes } from '../../renderer/src/contract/routes.gen';
import { renderRoutes, ROUTES_FILE } from '../../scripts/generate-routes';

describe('renderer/src/contract/routes.gen.ts', () => {
  it('is what scripts/generate-routes.ts writes from the contract today (else run `npm run generate:routes`)', () => {
    const committed = fs.readFileSync(path.join(__dirname, '..', '..', ROUTES_FILE), 'utf8');
    expect(committed).toBe(renderRoutes());
  });

  it('names every operation with its method, path and raw content type', () => {
    expect(Object.keys(routes).sort()).toEqual(Object.keys(operations).sort());
    for (const [name, def] of Object.entries(operations)) {
      const route: { method: string; path: string; rawContentType?: string } = routes[name as keyof typeof routes];
      expect(route).toEqual({ method: def.method, path: def.path, ...('rawContentType' in def ? { rawContentType: def.rawContentType } : {}) });
    }
  });
});
