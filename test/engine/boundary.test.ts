/**
 * The engine is the only door to the metadata store: `Engine.meta` is private
 * (the typecheck enforces it, see below), and the engine's own modules reach
 * the store through `store-of.ts`, which nothing outside src/engine may import.
 * Authorization will sit at the engine's door; a dialect reaching around it
 * would bypass it.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import type { Engine } from '../../src/engine/engine.js';

const SRC = fileURLToPath(new URL('../../src', import.meta.url));

async function sources(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await sources(p)));
    else if (e.name.endsWith('.ts')) out.push(p);
  }
  return out;
}

// Compile-time half of the boundary: `npx tsc --noEmit` fails if `meta` becomes reachable.
export function storeOfEngine(e: Engine) {
  // @ts-expect-error Engine.meta is private
  return e.meta;
}

it('no module outside src/engine reaches the metadata store through the engine', async () => {
  const offenders: string[] = [];
  for (const file of await sources(SRC)) {
    if (path.dirname(file).startsWith(path.join(SRC, 'engine'))) continue;
    const text = await fs.readFile(file, 'utf8');
    if (/from\s+['"][./]*engine\/store-of\.js['"]/.test(text) || /engine\s*\[\s*['"]meta['"]\s*\]/.test(text)) offenders.push(path.relative(SRC, file));
    // The engine's own commit steps (they take the transaction's full write access).
    else if (/\.(commitVersion|stageBlob|collect)\(/.test(text)) offenders.push(path.relative(SRC, file));
  }
  assert.deepEqual(offenders, []);
});
