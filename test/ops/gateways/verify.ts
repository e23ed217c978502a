/**
 * Checks a Model against what every gateway serves: each key reads back
 * whole, in one of its possible states, the same through every gateway
 * (versions and delete markers too), and no key the workload did not write
 * is listed. Returns what is wrong, one line each.
 */
import { GetObjectCommand, HeadObjectCommand, ListObjectVersionsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { contentOf, describeError, sameContent, type Content, type Model, type PlainKey, type VersionEntry, type VersionedKey } from './model.js';
import type { Buckets, GatewayClients } from './workload.js';

interface Listed {
  id: string;
  marker: boolean;
  latest: boolean;
}

async function listKeys(s3: S3Client, Bucket: string): Promise<string[]> {
  const out: string[] = [];
  let ContinuationToken: string | undefined;
  do {
    const r = await s3.send(new ListObjectsV2Command({ Bucket, ContinuationToken }));
    out.push(...(r.Contents ?? []).map((o) => o.Key!));
    ContinuationToken = r.NextContinuationToken;
  } while (ContinuationToken);
  return out;
}

/** Every version and delete marker, by key. */
async function listVersions(s3: S3Client, Bucket: string): Promise<Map<string, Listed[]>> {
  const byKey = new Map<string, Listed[]>();
  const add = (key: string, l: Listed) => byKey.set(key, [...(byKey.get(key) ?? []), l]);
  let KeyMarker: string | undefined;
  let VersionIdMarker: string | undefined;
  for (;;) {
    const r = await s3.send(new ListObjectVersionsCommand({ Bucket, KeyMarker, VersionIdMarker }));
    for (const v of r.Versions ?? []) add(v.Key!, { id: v.VersionId!, marker: false, latest: !!v.IsLatest });
    for (const m of r.DeleteMarkers ?? []) add(m.Key!, { id: m.VersionId!, marker: true, latest: !!m.IsLatest });
    if (!r.IsTruncated) break;
    KeyMarker = r.NextKeyMarker;
    VersionIdMarker = r.NextVersionIdMarker;
  }
  return byKey;
}

async function read(s3: S3Client, Bucket: string, Key: string, VersionId?: string): Promise<Content | null> {
  try {
    const r = await s3.send(new GetObjectCommand({ Bucket, Key, VersionId }));
    return contentOf(await r.Body!.transformToByteArray(), r.ETag);
  } catch (e) {
    if ((e as { name?: string }).name === 'NoSuchKey') return null;
    throw e;
  }
}

const show = (c: Content | null) => (c === null ? 'absent' : `${c.size} bytes ${c.sha256.slice(0, 12)}${c.etag ? ` etag ${c.etag}` : ''}`);

function matches(found: Content | null, want: Content | null): boolean {
  if (!sameContent(found, want)) return false;
  return !(found && want?.etag && found.etag !== want.etag);
}

export async function verify(model: Model, gws: GatewayClients[], b: Buckets): Promise<string[]> {
  const wrong: string[] = [];
  const plain = [...model.keys.values()].filter((k): k is PlainKey => k.kind === 'plain');
  const versioned = [...model.keys.values()].filter((k): k is VersionedKey => k.kind === 'versioned');

  for (const [i, g] of gws.entries()) {
    for (const key of await listKeys(g.s3, b.plain)) {
      const k = model.keys.get(`${b.plain}/${key}`);
      if (!k || (k.possible.length === 1 && k.possible[0] === null)) wrong.push(`gateway ${i} lists ${key}, which no acknowledged or unknown write made`);
    }
  }
  for (const k of plain) {
    let first: Content | null | undefined;
    for (const [i, g] of gws.entries()) {
      let found: Content | null;
      try {
        found = await read(g.s3, b.plain, k.key);
      } catch (e) {
        wrong.push(`GET ${k.key} through gateway ${i}: ${describeError(e)}`);
        continue;
      }
      if (!k.possible.some((p) => matches(found, p))) wrong.push(`GET ${k.key} through gateway ${i}: ${show(found)}; expected ${k.possible.map(show).join(' or ')}`);
      if (first !== undefined && !sameContent(first, found)) wrong.push(`GET ${k.key}: gateways disagree (${show(first)} / ${show(found)})`);
      first ??= found;
    }
  }

  const listings = await Promise.all(gws.map((g) => listVersions(g.s3, b.versioned)));
  for (const [i, listing] of listings.entries()) {
    for (const key of listing.keys()) if (!model.keys.has(`${b.versioned}/${key}`)) wrong.push(`gateway ${i} lists versions of ${key}, which was never written`);
  }
  for (const k of versioned) {
    const seen = listings.map((l) => l.get(k.key) ?? []);
    const sig = (l: Listed[]) => l.map((v) => `${v.id}${v.marker ? 'm' : ''}${v.latest ? '*' : ''}`).sort().join(',');
    if (seen.some((s) => sig(s) !== sig(seen[0]!))) wrong.push(`versions of ${k.key}: gateways list different versions`);
    // The contents of every listed version (through gateway 0), then the candidate they are.
    const listed = seen[0]!;
    const contents = new Map<string, Content>();
    for (const v of listed.filter((v) => !v.marker)) {
      const c = await read(gws[0]!.s3, b.versioned, k.key, v.id).catch((e) => (wrong.push(`GET ${k.key}?versionId=${v.id}: ${describeError(e)}`), null));
      if (c) contents.set(v.id, c);
    }
    const fits = (cand: VersionEntry[]) => {
      if (cand.length !== listed.length) return false;
      // Ids that are known must be listed; the one unknown version (at most) is the listed id left over.
      const known = new Set(cand.filter((v) => v.id).map((v) => v.id!));
      if ([...known].some((id) => !listed.some((l) => l.id === id))) return false;
      const byId = new Map(listed.map((l) => [l.id, l]));
      for (const [n, v] of cand.entries()) {
        const l = v.id ? byId.get(v.id)! : listed.find((x) => !known.has(x.id))!;
        if (!l || l.marker !== v.marker || l.latest !== (n === 0)) return false;
        if (!v.marker && !matches(contents.get(l.id) ?? null, v.content!)) return false;
      }
      return true;
    };
    const cand = k.possible.find(fits);
    if (!cand) {
      wrong.push(`versions of ${k.key}: listed ${listed.map((v) => `${v.id}${v.marker ? ' (marker)' : ` ${show(contents.get(v.id) ?? null)}`}`).join('; ')}; expected ${k.possible.map((c) => `[${c.map((v) => `${v.id ?? '?'}${v.marker ? ' (marker)' : ` ${show(v.content!)}`}`).join('; ')}]`).join(' or ')}`);
      continue;
    }
    // Every version reads back the same through every gateway, markers are markers, and the key reads as its newest entry.
    const newest = cand[0];
    for (const [i, g] of gws.entries()) {
      for (const l of listed) {
        if (l.marker) {
          const head = await g.s3.send(new HeadObjectCommand({ Bucket: b.versioned, Key: k.key, VersionId: l.id })).then(
            () => 'found',
            (e: { $metadata?: { httpStatusCode?: number } }) => String(e.$metadata?.httpStatusCode),
          );
          if (head !== '405') wrong.push(`HEAD ${k.key}?versionId=${l.id} (a delete marker) through gateway ${i}: ${head}`);
          continue;
        }
        const c = await read(g.s3, b.versioned, k.key, l.id).catch((e) => (wrong.push(`GET ${k.key}?versionId=${l.id} through gateway ${i}: ${describeError(e)}`), undefined));
        if (c !== undefined && !matches(c, contents.get(l.id) ?? null)) wrong.push(`GET ${k.key}?versionId=${l.id} through gateway ${i}: ${show(c)}, gateway 0 read ${show(contents.get(l.id) ?? null)}`);
      }
      const latest = await read(g.s3, b.versioned, k.key).catch((e) => (wrong.push(`GET ${k.key} through gateway ${i}: ${describeError(e)}`), undefined));
      const want = !newest || newest.marker ? null : newest.content!;
      if (latest !== undefined && !sameContent(latest, want)) wrong.push(`GET ${k.key} (latest) through gateway ${i}: ${show(latest)}, expected ${show(want)}`);
    }
  }
  return wrong;
}
