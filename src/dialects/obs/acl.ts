import { readVerifiedBody } from '../../api/body.js';
import type { OpContext } from '../../api/op-context.js';
import { h } from '../../api/vocabulary.js';
import { asArray, parseXmlBody } from '../../api/xml.js';
import * as acls from '../../engine/acl.js';
import { StorageError } from '../../engine/errors.js';
import type { Reply } from '../../http/reply.js';

/**
 * ACLs on the wire. OBS mode names a group grantee with `<Canned>Everyone</Canned>`
 * and may mark grants `<Delivered>`; the AWS-compatible mode uses S3's
 * xsi:type grantees with group URIs. Stored as the engine's neutral ACL.
 */
const OBS_GROUPS: Record<acls.AclGroup, string> = { AllUsers: 'Everyone', AuthenticatedUsers: 'AuthenticatedUsers', LogDelivery: 'LogDelivery' };
const S3_GROUP_URI = 'http://acs.amazonaws.com/groups/';
const S3_GROUPS: Record<acls.AclGroup, string> = {
  AllUsers: S3_GROUP_URI + 'global/AllUsers',
  AuthenticatedUsers: S3_GROUP_URI + 'global/AuthenticatedUsers',
  LogDelivery: S3_GROUP_URI + 's3/LogDelivery',
};

const obsMode = (op: OpContext) => op.vocab.prefix === 'x-obs-';

function groupFrom(name: string): acls.AclGroup | undefined {
  const n = name.trim();
  for (const [g, wire] of Object.entries(OBS_GROUPS)) if (wire.toLowerCase() === n.toLowerCase()) return g as acls.AclGroup;
  for (const [g, uri] of Object.entries(S3_GROUPS)) if (uri === n) return g as acls.AclGroup;
  if (n === 'AllUsers') return 'AllUsers';
  return undefined;
}

export function renderAcl(op: OpContext, acl: acls.Acl): Reply {
  const obs = obsMode(op);
  const grants = acl.grants.map((g) => {
    let grantee: Record<string, unknown>;
    if (g.grantee.type === 'user') {
      grantee = obs ? { ID: g.grantee.id } : { '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@_xsi:type': 'CanonicalUser', ID: g.grantee.id, DisplayName: g.grantee.id };
    } else {
      grantee = obs ? { Canned: OBS_GROUPS[g.grantee.group] } : { '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@_xsi:type': 'Group', URI: S3_GROUPS[g.grantee.group] };
    }
    return { Grantee: grantee, Permission: g.permission, ...(obs && g.delivered ? { Delivered: true } : {}) };
  });
  const owner = obs ? { ID: acl.owner } : { ID: acl.owner, DisplayName: acl.owner };
  const value: Record<string, unknown> = { Owner: owner, AccessControlList: { Grant: grants } };
  if (obs && acl.delivered !== undefined) value.Delivered = acl.delivered;
  return { status: 200, body: { root: 'AccessControlPolicy', value } };
}

/** A canned ACL header (`x-obs-acl` / `x-amz-acl`) as a neutral ACL, or undefined when absent. */
export function cannedFromHeader(op: OpContext, owner: string): acls.Acl | undefined {
  const name = op.http.header(h(op.vocab, 'acl'));
  if (name === undefined) return undefined;
  const n = name.trim().toLowerCase();
  if (!acls.isCannedAcl(n)) throw new StorageError('InvalidArgument', 'The canned ACL you specified is not valid', { ArgumentName: h(op.vocab, 'acl'), ArgumentValue: name });
  return acls.cannedAcl(n, owner);
}

/** The ACL a PUT ?acl asks for: a canned header or an AccessControlPolicy document, not both. */
export async function aclFromRequest(op: OpContext, owner: string): Promise<acls.Acl> {
  const body = await readVerifiedBody(op, 64 * 1024);
  const canned = cannedFromHeader(op, owner);
  if (canned) {
    if (body.length > 0) throw new StorageError('InvalidRequest', 'Specifying both a canned ACL and an ACL document is not allowed');
    return canned;
  }
  if (body.length === 0) throw new StorageError('MalformedXML', 'An ACL document or a canned ACL header is required');
  const doc = parseXmlBody(body, 'AccessControlPolicy');
  const list = doc.AccessControlList;
  const grants: acls.Grant[] = [];
  const raw = typeof list === 'object' && list !== null ? asArray((list as Record<string, unknown>).Grant as Record<string, unknown> | Record<string, unknown>[] | undefined) : [];
  for (const g of raw) {
    if (typeof g !== 'object' || g === null) throw new StorageError('MalformedXML');
    const permission = g.Permission;
    if (typeof permission !== 'string' || !acls.PERMISSIONS.includes(permission as acls.Permission)) throw new StorageError('MalformedXML', 'The ACL grant has an invalid permission');
    const ge = g.Grantee as Record<string, unknown> | undefined;
    if (typeof ge !== 'object' || ge === null) throw new StorageError('MalformedXML');
    let grantee: acls.Grantee;
    if (typeof ge.ID === 'string' && ge.ID) grantee = { type: 'user', id: ge.ID };
    else {
      const group = groupFrom(String(ge.Canned ?? ge.URI ?? ''));
      if (!group) throw new StorageError('MalformedXML', 'The ACL grantee is not valid');
      grantee = { type: 'group', group };
    }
    grants.push({ grantee, permission: permission as acls.Permission, ...(String(g.Delivered) === 'true' ? { delivered: true } : {}) });
  }
  const acl: acls.Acl = { owner, grants };
  if (doc.Delivered !== undefined) acl.delivered = String(doc.Delivered) === 'true';
  return acl;
}

export async function getBucketAcl(op: OpContext): Promise<Reply> {
  return renderAcl(op, await acls.getBucketAcl(op.services.engine, op.bucket!));
}

export async function putBucketAcl(op: OpContext): Promise<Reply> {
  const b = await op.services.engine.getBucket(op.bucket!);
  await acls.setBucketAcl(op.services.engine, op.bucket!, await aclFromRequest(op, b.ownerId));
  return { status: 200 };
}

export async function getObjectAcl(op: OpContext): Promise<Reply> {
  const { acl, object } = await acls.getObjectAcl(op.services.engine, op.bucket!, op.key!, op.http.query.get('versionId'));
  // An object without an ACL of its own shows its owner's private one.
  const reply = renderAcl(op, acl ?? acls.cannedAcl('private', object.ownerId));
  if (object.versionId !== 'null') reply.headers = { [h(op.vocab, 'version-id')]: object.versionId };
  return reply;
}

export async function putObjectAcl(op: OpContext): Promise<Reply> {
  const versionId = op.http.query.get('versionId');
  const { object } = await acls.getObjectAcl(op.services.engine, op.bucket!, op.key!, versionId);
  const acl = await aclFromRequest(op, object.ownerId);
  const o = await acls.setObjectAcl(op.services.engine, op.bucket!, op.key!, versionId, () => acl);
  return { status: 200, headers: o.versionId !== 'null' ? { [h(op.vocab, 'version-id')]: o.versionId } : {} };
}
