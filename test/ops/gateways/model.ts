/**
 * What clients were told: every key a workload wrote, as the states it may
 * be in. An acknowledged write leaves one state; a write whose connection
 * died (the outcome is unknown) leaves two, before and after, and freezes the
 * key so that nothing later builds on a guess.
 */
import { createHash } from 'node:crypto';

export interface Content {
  size: number;
  sha256: string;
  /** The ETag the server acknowledged (absent when the write's outcome is unknown). */
  etag?: string;
}

export const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
export const contentOf = (b: Uint8Array, etag?: string): Content => ({ size: b.length, sha256: sha256(b), ...(etag ? { etag } : {}) });
export const sameContent = (a: Content | null, b: Content | null) => (a === null || b === null ? a === b : a.size === b.size && a.sha256 === b.sha256);

/** A key of an unversioned bucket: absent (null) or one content. */
export interface PlainKey {
  kind: 'plain';
  bucket: string;
  key: string;
  /** The states a reader may find (one unless a write's outcome is unknown). */
  possible: (Content | null)[];
  frozen: boolean;
}

/** A version or delete marker; `id` unknown for a write whose outcome is unknown. */
export interface VersionEntry {
  id?: string;
  marker: boolean;
  content?: Content;
}

/** A key of a versioned bucket: its versions, newest first. */
export interface VersionedKey {
  kind: 'versioned';
  bucket: string;
  key: string;
  possible: VersionEntry[][];
  frozen: boolean;
}

export type KeyModel = PlainKey | VersionedKey;

/**
 * How a request ended without an answer: `refused` (the connection was never
 * accepted: nothing happened) or `unknown` (it died after the request may
 * have been received). An HTTP error answer is `answered`: the workload sends
 * nothing a healthy server refuses, so it is a finding.
 */
export type Fate = 'refused' | 'unknown' | 'answered';

export function fateOf(e: unknown): Fate {
  const err = e as { $metadata?: { httpStatusCode?: number }; status?: number; code?: string; message?: string; cause?: { code?: string } };
  if (err?.$metadata?.httpStatusCode || (typeof err?.status === 'number' && err.status > 0)) return 'answered';
  const text = `${err?.code ?? ''} ${err?.cause?.code ?? ''} ${err?.message ?? ''}`;
  return /ECONNREFUSED/.test(text) ? 'refused' : 'unknown';
}

export const describeError = (e: unknown) => {
  const err = e as { name?: string; Code?: string; code?: string; message?: string; $metadata?: { httpStatusCode?: number }; status?: number };
  return `${err?.$metadata?.httpStatusCode ?? err?.status ?? ''} ${err?.Code ?? err?.code ?? err?.name ?? ''}: ${err?.message ?? String(e)}`.trim();
};

export class Model {
  readonly keys = new Map<string, KeyModel>();
  /** Answers no healthy server gives (5xx, unexpected 4xx, wrong bytes read): the findings. */
  readonly problems: string[] = [];
  readonly fates = { ok: 0, refused: 0, unknown: 0, answered: 0 };

  plain(bucket: string, key: string): PlainKey {
    const id = `${bucket}/${key}`;
    let k = this.keys.get(id);
    if (!k) this.keys.set(id, (k = { kind: 'plain', bucket, key, possible: [null], frozen: false }));
    if (k.kind !== 'plain') throw new Error(`${id} is versioned`);
    return k;
  }

  versioned(bucket: string, key: string): VersionedKey {
    const id = `${bucket}/${key}`;
    let k = this.keys.get(id);
    if (!k) this.keys.set(id, (k = { kind: 'versioned', bucket, key, possible: [[]], frozen: false }));
    if (k.kind !== 'versioned') throw new Error(`${id} is plain`);
    return k;
  }

  /** A write acknowledged: the key is in that one state. */
  acked<K extends KeyModel>(k: K, state: K['possible'][number]): void {
    this.fates.ok++;
    k.possible = [state] as K['possible'];
  }

  /**
   * A write that failed with `e` and would have left `after`: nothing happened
   * (refused), or either state may be found (unknown, or an error answer, which
   * is also recorded as a problem).
   */
  failed<K extends KeyModel>(k: K, what: string, e: unknown, after: K['possible'][number]): Fate {
    const fate = fateOf(e);
    this.fates[fate]++;
    if (fate === 'answered') this.problems.push(`${what} ${k.bucket}/${k.key}: ${describeError(e)}`);
    if (fate !== 'refused') {
      (k.possible as unknown[]).push(after);
      k.frozen = true;
    }
    return fate;
  }

  /** A failed request that changes no key (a part, a slice, an upload's start): only error answers matter. */
  note(what: string, e: unknown): Fate {
    const fate = fateOf(e);
    this.fates[fate]++;
    if (fate === 'answered') this.problems.push(`${what}: ${describeError(e)}`);
    return fate;
  }
}
