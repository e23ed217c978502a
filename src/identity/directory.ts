import type { AccountView, Directory } from '../authz/directory.js';
import type { Principal } from '../authz/principal.js';
import type { AccountRecord } from '../meta/types.js';
import type { Identity } from './identity.js';

/** How long another gateway's policy change may go unseen here (this gateway's own changes drop the cache at once). */
export const POLICY_CACHE_MS = 2000;

const view = (a: AccountRecord | undefined): AccountView | undefined => a && { id: a.id, displayName: a.displayName, ...(a.email ? { email: a.email } : {}) };

/**
 * The Directory over the identity store: the inline policies of a user or of
 * a role (cached briefly: the authorizer asks on every request), and
 * accounts by canonical id or email.
 */
export function storeDirectory(identity: Identity): Directory {
  const cache = new Map<string, { docs: string[]; until: number }>();
  identity.onChange(() => cache.clear());
  return {
    async policiesOf(p: Principal): Promise<string[]> {
      if (p.kind !== 'user' && p.kind !== 'role') return [];
      const key = p.kind === 'user' ? `${p.accountId}\0u\0${p.userName}` : `${p.accountId}\0r\0${p.roleName}`;
      const now = Date.now();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.docs;
      const docs = await identity.policiesOf(p);
      if (cache.size > 1000) cache.clear();
      cache.set(key, { docs, until: now + POLICY_CACHE_MS });
      return docs;
    },
    accountById: async (id) => view(await identity.account(id)),
    accountByEmail: async (email) => view(await identity.accountByEmail(email)),
  };
}
