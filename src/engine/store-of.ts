import type { MetadataStore } from '../meta/store.js';
import type { Engine } from './engine.js';

/**
 * The engine's metadata store, for the engine's own modules (src/engine) only.
 * `Engine.meta` is private so that nothing outside the engine (dialects, api)
 * can reach around it, and with it, later, around authorization; the engine's
 * modules that are not its methods (multipart, tagging, append, symlinks, ...)
 * reach the store through this. test/engine/boundary.test.ts fails if any
 * file outside src/engine imports it.
 */
const stores = new WeakMap<Engine, MetadataStore>();

export function bindStore(e: Engine, meta: MetadataStore): void {
  stores.set(e, meta);
}

export function storeOf(e: Engine): MetadataStore {
  const meta = stores.get(e);
  if (!meta) throw new Error('engine without a metadata store');
  return meta;
}
