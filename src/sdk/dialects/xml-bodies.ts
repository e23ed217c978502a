/** Request documents and response parsing shared by the S3-family dialects (element names are common to S3, OSS and OBS). */
import type {
  AccessControlPolicy,
  BatchDeleteResult,
  BucketInfo,
  CompletedPart,
  Grant,
  ListedObject,
  MultipartUploadInfo,
  ObjectIdentifier,
  ObjectsPage,
  ObjectVersion,
  PartInfo,
  PartsPage,
  UploadsPage,
  VersionsPage,
} from '../types.js';
import { asArray, child, children, el, escapeXml, orderedChildren, parseXml, text, XML_DECL, type XmlNode } from '../xml.js';
import { quote, unquote } from './xml-wire.js';

const date = (s: string | undefined) => (s ? new Date(s) : undefined);
const bool = (s: string | undefined) => s === 'true';

/** Keys come back %-encoded when the request asked for encoding-type=url. */
function decoder(doc: XmlNode | undefined): (s: string) => string {
  return text(doc, 'EncodingType') === 'url' ? (s) => decodeURIComponent(s.replace(/\+/g, ' ')) : (s) => s;
}

export function parseBuckets(body: Buffer): { buckets: BucketInfo[]; truncated: boolean; nextMarker?: string } {
  const doc = parseXml(body, 'ListAllMyBucketsResult') ?? parseXml(body);
  const out = children(child(doc, 'Buckets'), 'Bucket').map((b) => ({
    name: text(b, 'Name') ?? '',
    creationDate: date(text(b, 'CreationDate')),
    region: text(b, 'Location') ?? text(b, 'Region') ?? text(b, 'BucketRegion'),
  }));
  return { buckets: out, truncated: bool(text(doc, 'IsTruncated')), nextMarker: text(doc, 'NextMarker') };
}

export function parseObjectsPage(body: Buffer, version: 1 | 2): ObjectsPage {
  const doc = parseXml(body, 'ListBucketResult');
  const dec = decoder(doc);
  const items: ListedObject[] = children(doc, 'Contents').map((c) => ({
    key: dec(text(c, 'Key') ?? ''),
    size: Number(text(c, 'Size') ?? 0),
    etag: unquote(text(c, 'ETag')),
    lastModified: date(text(c, 'LastModified')),
    storageClass: text(c, 'StorageClass'),
    type: text(c, 'Type'),
  }));
  const prefixes = children(doc, 'CommonPrefixes').map((p) => dec(text(p, 'Prefix') ?? ''));
  const truncated = bool(text(doc, 'IsTruncated'));
  let nextToken: string | undefined;
  if (truncated) {
    if (version === 2) nextToken = text(doc, 'NextContinuationToken');
    else {
      const nm = text(doc, 'NextMarker');
      // V1 gives NextMarker only with a delimiter; otherwise the last key listed is the marker.
      const last = [...items.map((i) => i.key), ...prefixes].sort(compareUtf8).pop();
      nextToken = nm ? dec(nm) : last;
    }
  }
  return { items, prefixes, truncated, nextToken };
}

/** Byte order of UTF-8 (the order object stores list keys in). */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

export function parseVersionsPage(body: Buffer): VersionsPage {
  const doc = parseXml(body, 'ListVersionsResult');
  const dec = decoder(doc);
  const items: ObjectVersion[] = [];
  const prefixes: string[] = [];
  for (const [name, n] of orderedChildren(body, 'ListVersionsResult')) {
    if (name === 'Version' || name === 'DeleteMarker') {
      items.push({
        key: dec(text(n, 'Key') ?? ''),
        versionId: text(n, 'VersionId') ?? 'null',
        isLatest: bool(text(n, 'IsLatest')),
        deleteMarker: name === 'DeleteMarker',
        size: Number(text(n, 'Size') ?? 0),
        etag: name === 'Version' ? unquote(text(n, 'ETag')) : undefined,
        lastModified: date(text(n, 'LastModified')),
      });
    } else if (name === 'CommonPrefixes') prefixes.push(dec(text(n, 'Prefix') ?? ''));
  }
  const truncated = bool(text(doc, 'IsTruncated'));
  const nk = text(doc, 'NextKeyMarker');
  return {
    items,
    prefixes,
    truncated,
    nextKeyMarker: nk !== undefined ? dec(nk) : undefined,
    nextVersionIdMarker: text(doc, 'NextVersionIdMarker'),
  };
}

export function parseUploadsPage(body: Buffer): UploadsPage {
  const doc = parseXml(body, 'ListMultipartUploadsResult');
  const dec = decoder(doc);
  const items: MultipartUploadInfo[] = children(doc, 'Upload').map((u) => ({
    key: dec(text(u, 'Key') ?? ''),
    uploadId: text(u, 'UploadId') ?? '',
    initiated: date(text(u, 'Initiated')),
  }));
  const nk = text(doc, 'NextKeyMarker');
  return {
    items,
    prefixes: children(doc, 'CommonPrefixes').map((p) => dec(text(p, 'Prefix') ?? '')),
    truncated: bool(text(doc, 'IsTruncated')),
    nextKeyMarker: nk !== undefined ? dec(nk) : undefined,
    nextUploadIdMarker: text(doc, 'NextUploadIdMarker'),
  };
}

export function parsePartsPage(body: Buffer): PartsPage {
  const doc = parseXml(body, 'ListPartsResult');
  const items: PartInfo[] = children(doc, 'Part').map((p) => ({
    partNumber: Number(text(p, 'PartNumber')),
    etag: unquote(text(p, 'ETag')),
    size: Number(text(p, 'Size') ?? 0),
    lastModified: date(text(p, 'LastModified')),
  }));
  const next = text(doc, 'NextPartNumberMarker');
  return { items, prefixes: [], truncated: bool(text(doc, 'IsTruncated')), nextPartNumberMarker: next ? Number(next) : undefined };
}

export function deleteObjectsBody(objects: ObjectIdentifier[], quiet: boolean): string {
  return (
    XML_DECL +
    '<Delete>' +
    el('Quiet', quiet) +
    objects.map((o) => '<Object>' + el('Key', o.key) + (o.versionId ? el('VersionId', o.versionId) : '') + '</Object>').join('') +
    '</Delete>'
  );
}

export function parseDeleteResult(body: Buffer): BatchDeleteResult {
  const doc = parseXml(body, 'DeleteResult');
  const dec = decoder(doc);
  return {
    deleted: children(doc, 'Deleted').map((d) => ({
      key: dec(text(d, 'Key') ?? ''),
      versionId: text(d, 'VersionId'),
      deleteMarker: text(d, 'DeleteMarker') === 'true' ? true : undefined,
      deleteMarkerVersionId: text(d, 'DeleteMarkerVersionId'),
    })),
    errors: children(doc, 'Error').map((e) => ({
      key: dec(text(e, 'Key') ?? ''),
      versionId: text(e, 'VersionId'),
      code: text(e, 'Code') ?? '',
      message: text(e, 'Message') ?? '',
    })),
  };
}

export function completeBody(parts: CompletedPart[]): string {
  const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
  return (
    XML_DECL +
    '<CompleteMultipartUpload>' +
    sorted.map((p) => '<Part>' + el('PartNumber', p.partNumber) + el('ETag', quote(p.etag)) + '</Part>').join('') +
    '</CompleteMultipartUpload>'
  );
}

export function taggingBody(tags: Record<string, string>): string {
  return (
    XML_DECL +
    '<Tagging><TagSet>' +
    Object.entries(tags)
      .map(([k, v]) => '<Tag>' + el('Key', k) + el('Value', v) + '</Tag>')
      .join('') +
    '</TagSet></Tagging>'
  );
}

export function parseTagging(body: Buffer): Record<string, string> {
  const doc = parseXml(body, 'Tagging');
  const out: Record<string, string> = {};
  for (const t of children(child(doc, 'TagSet'), 'Tag')) out[text(t, 'Key') ?? ''] = text(t, 'Value') ?? '';
  return out;
}

export function versioningBody(status: string): string {
  return XML_DECL + '<VersioningConfiguration>' + el('Status', status) + '</VersioningConfiguration>';
}

export function parseVersioning(body: Buffer): 'Enabled' | 'Suspended' | undefined {
  const s = text(parseXml(body, 'VersioningConfiguration'), 'Status');
  return s === 'Enabled' || s === 'Suspended' ? s : undefined;
}

export function parseLocation(body: Buffer): string {
  const doc = parseXml(body);
  return text(doc) ?? text(doc, 'LocationConstraint') ?? text(doc, 'Location') ?? '';
}

const ALL_USERS = 'http://acs.amazonaws.com/groups/global/AllUsers';
const AUTH_USERS = 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers';

/** An ACL document: S3 / OBS grant lists (grantees by ID, URI or OBS's Canned group) or OSS's single canned Grant. */
export function parseAcl(body: Buffer): AccessControlPolicy {
  const doc = parseXml(body, 'AccessControlPolicy');
  const owner = child(doc, 'Owner');
  const list = child(doc, 'AccessControlList');
  const grantNodes = asArray(list?.['Grant']);
  const policy: AccessControlPolicy = {
    owner: owner ? { id: text(owner, 'ID') ?? '', displayName: text(owner, 'DisplayName') } : undefined,
    grants: [],
  };
  for (const g of grantNodes) {
    if (typeof g !== 'object' || g === null) {
      policy.canned = String(g);
      continue;
    }
    const gr = child(g, 'Grantee') ?? {};
    const canned = text(gr, 'Canned');
    const uri = text(gr, 'URI') ?? (canned === 'Everyone' ? ALL_USERS : undefined);
    const id = text(gr, 'ID');
    const grant: Grant = {
      grantee: {
        type: uri ? 'Group' : text(gr, 'EmailAddress') ? 'AmazonCustomerByEmail' : 'CanonicalUser',
        id,
        uri,
        displayName: text(gr, 'DisplayName'),
        email: text(gr, 'EmailAddress'),
      },
      permission: text(g, 'Permission') ?? '',
    };
    policy.grants.push(grant);
  }
  if (policy.canned === undefined) policy.canned = cannedFromGrants(policy.grants);
  return policy;
}

/** The canned ACL a grant list amounts to, when it is one. */
function cannedFromGrants(grants: Grant[]): string | undefined {
  const groupPerms = (uri: string) => grants.filter((g) => g.grantee.uri === uri).map((g) => g.permission).sort().join(',');
  const all = groupPerms(ALL_USERS);
  const auth = groupPerms(AUTH_USERS);
  if (all === '' && auth === '') return 'private';
  if (all === 'READ' && auth === '') return 'public-read';
  if (all === 'READ,WRITE' && auth === '') return 'public-read-write';
  if (all === '' && auth === 'READ') return 'authenticated-read';
  return undefined;
}

export function aclBody(policy: AccessControlPolicy, grantForm: 'xsi' | 'obs'): string {
  const owner = policy.owner ? '<Owner>' + el('ID', policy.owner.id) + (policy.owner.displayName ? el('DisplayName', policy.owner.displayName) : '') + '</Owner>' : '';
  const grants = policy.grants
    .map((g) => {
      let grantee: string;
      if (grantForm === 'obs') {
        grantee = g.grantee.uri === ALL_USERS ? '<Grantee><Canned>Everyone</Canned></Grantee>' : '<Grantee>' + el('ID', g.grantee.id ?? '') + '</Grantee>';
      } else if (g.grantee.uri) {
        grantee = `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="Group">${el('URI', g.grantee.uri)}</Grantee>`;
      } else {
        grantee = `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">${el('ID', g.grantee.id ?? '')}</Grantee>`;
      }
      return '<Grant>' + grantee + el('Permission', g.permission) + '</Grant>';
    })
    .join('');
  return XML_DECL + '<AccessControlPolicy>' + owner + '<AccessControlList>' + grants + '</AccessControlList></AccessControlPolicy>';
}

export function createBucketBody(element: 'LocationConstraint' | 'Location' | 'StorageClass', value: string): string {
  return XML_DECL + `<CreateBucketConfiguration>${el(element, value)}</CreateBucketConfiguration>`;
}

export { escapeXml };
