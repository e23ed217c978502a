import type { AccountView, Directory } from '../authz/directory.js';
import type { Engine } from '../engine/engine.js';

/**
 * The Directory over the metadata store, through the engine. Accounts have no
 * email yet and nobody but an account root exists, so no identity policies.
 */
export function storeDirectory(engine: Engine): Directory {
  return {
    policiesOf: async () => [],
    async accountById(id: string): Promise<AccountView | undefined> {
      const a = await engine.getAccount(id);
      return a && { id: a.id, displayName: a.displayName };
    },
    accountByEmail: async () => undefined,
  };
}
