import type { AccountView, Directory } from '../authz/directory.js';
import type { Principal } from '../authz/principal.js';
import type { AccountRecord } from '../meta/types.js';
import type { Identity } from './identity.js';

/**
 * How long a policy is kept. Changes drop the cache at once: this gateway's
 * own, and another's when the store's change counter shows it
 * (src/server/change-watch.ts); the TTL bounds staleness only while that
 * counter cannot be read.
 */
export const POLICY_CACHE_MS = 2000;

const view = (a: AccountRecord | undefined): AccountView | undefined => a && { id: a.id, displayName: a.displayName, ...(a.email ? { email: a.email } : {}) };

/**
 * The Directory over the identity store: the inline policies of a user or of
 * a role (cached briefly: the authorizer asks on every request), and
 * accounts by canonical id or email.
 */
export function storeDirectory(identity: Identity): Directory {
  const cache = new Map<string, { docs: string[]; until: number }>();
  // Bumped with every change: a read that started before one is used once, not kept.
  let generation = 0;
  identity.onChange(() => {
    cache.clear();
    generation++;
  });
  return {
    async policiesOf(p: Principal): Promise<string[]> {
      if (p.kind !== 'user' && p.kind !== 'role') return [];
      const key = p.kind === 'user' ? `${p.accountId}\0u\0${p.userName}` : `${p.accountId}\0r\0${p.roleName}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.docs;
      const g = generation;
      const docs = await identity.policiesOf(p);
      if (g !== generation) return docs;
      if (cache.size > 1000) cache.clear();
      cache.set(key, { docs, until: now + POLICY_CACHE_MS });
      return docs;
    },
    accountById: async (id) => view(await identity.account(id)),
    accountByEmail: async (email) => view(await identity.accountByEmail(email)),
  };
}
