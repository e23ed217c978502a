/** File operations: simple upload, stat, update, delete, move, copy. */
import { updateObjectAttributes } from '../../engine/attributes.js';
import { parentFolder, requireFolder } from '../../engine/folders.js';
import { relocateObject } from '../../engine/relocate.js';
import { StorageError } from '../../engine/errors.js';
import type { CommitCheck } from '../../engine/types.js';
import { authorityOf, bizAttrOf, customHeadersOf, metaFromCustomHeaders, shaOf, timesOf, touched, withAuthority } from './attrs.js';
import { CosError, reading } from './errors.js';
import { urlsOf, type CosHandler } from './op.js';

/** Largest simple upload (spec §4.6); larger files go through slices. */
export const MAX_SIMPLE_UPLOAD = 20 * 1024 * 1024;

export const SHA_HEX = /^[0-9a-fA-F]{40}$/;

/** The write must not replace an existing file (insertOnly = 1, the default). */
export function mustNotExist(key: string): CommitCheck {
  return async (tx, b) => {
    const cur = await tx.getLatest(b.id, key);
    if (cur && !cur.isDeleteMarker) throw new CosError('ERROR_CMD_COS_FILE_EXIST');
  };
}

export const upload: CosHandler = async (op) => {
  const { params } = op;
  const file = params.file;
  if (!file) throw new CosError('ERROR_CGI_MISSING_FILECONTENT');
  const key = op.target.key;
  const engine = op.services.engine;
  // Fail before receiving the file; the commit checks again.
  if (!(await engine.folders.exists(op.bucket, parentFolder(key)))) throw new CosError('ERROR_CMD_COS_INDEX_ERROR', 'the folder does not exist');
  // Filled in once the whole form has been read (fields may follow the file).
  const extra: Record<string, unknown> = {};
  let insertOnly = true;
  await reading({ EntityTooLarge: 'ERROR_CGI_FILESIZE' }, () =>
    engine.putObject(op.caller, op.bucket.name, key, file.stream, {
      meta: { user: {} },
      maxSize: MAX_SIMPLE_UPLOAD,
      digests: ['sha1'],
      verify: async (digests) => {
        await file.rest();
        const sha = params.str('sha');
        if (sha && sha.toLowerCase() !== digests.sha1!.toString('hex')) throw new CosError('ERROR_CGI_SHA_NOT_MATCH');
        insertOnly = params.flag('insertOnly', true);
        const biz = params.str('biz_attr');
        if (biz) extra.bizAttr = biz;
      },
      checksums: (d) => ({ sha1: d.sha1!.toString('base64') }),
      extra,
      within: async (tx, b) => {
        await requireFolder(parentFolder(key))(tx, b);
        if (insertOnly) await mustNotExist(key)(tx, b);
      },
    }),
  );
  return urlsOf(op);
};

export const statFile: CosHandler = async (op) => {
  const o = await op.services.engine.getObject(op.bucket.name, op.target.key);
  const urls = urlsOf(op);
  const headers = customHeadersOf(o.meta);
  return {
    name: op.target.key.slice(parentFolder(op.target.key).length),
    biz_attr: bizAttrOf(o),
    filesize: o.size,
    filelen: o.size,
    sha: shaOf(o),
    ...timesOf(o),
    access_url: urls.access_url,
    source_url: urls.source_url,
    authority: authorityOf(o),
    ...(Object.keys(headers).length ? { custom_headers: headers } : {}),
    forbid: 0,
  };
};

/**
 * Updates whichever of biz_attr, authority and custom_headers the request
 * carries (the reference's `flag` is not required: spec §8.12);
 * custom_headers replace the whole set.
 */
export const updateFile: CosHandler = async (op) => {
  const { params } = op;
  const biz = params.str('biz_attr');
  const authority = params.str('authority');
  const headers = params.get('custom_headers');
  await updateObjectAttributes(op.services.engine, op.bucket.name, op.target.key, (o) => {
    let extra = touched(o);
    if (biz !== undefined) extra.bizAttr = biz;
    if (authority !== undefined) extra = withAuthority(o, extra, authority);
    return { extra, ...(headers !== undefined && headers !== null ? { meta: metaFromCustomHeaders(o.meta, headers) } : {}) };
  });
  return undefined;
};

export const deleteFile: CosHandler = async (op) => {
  const key = op.target.key;
  await op.services.engine.deleteObject(op.caller, op.bucket.name, key, {
    within: async (tx, b) => {
      const cur = await tx.getLatest(b.id, key);
      if (!cur || cur.isDeleteMarker) throw new StorageError('NoSuchKey', undefined, { Key: key });
    },
  });
  return undefined;
};

/**
 * `dest_fileid`: a path from the bucket root when it starts with '/', else a
 * name in the source's folder (the reference's rename example).
 */
function destinationKey(op: Parameters<CosHandler>[0]): string {
  const dest = op.params.str('dest_fileid');
  if (!dest) throw new CosError('ERROR_CGI_PARAM', 'dest_fileid is required');
  const path = dest.startsWith('/') ? dest : '/' + parentFolder(op.target.key) + dest;
  if (path.endsWith('/')) throw new CosError('ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH', 'the destination must be a file path');
  if (path.split('/').slice(1).some((s) => s.trim() === '')) throw new CosError('ERROR_CMD_COS_INVALID_PATH', 'the destination has an empty segment');
  return path.slice(1);
}

function relocate(move: boolean): CosHandler {
  return async (op) => {
    const dst = destinationKey(op);
    if (dst === op.target.key) throw new CosError('ERROR_CMD_COS_PATH_CONFLICT', 'the destination is the source');
    const overwrite = op.params.flag('to_over_write', false);
    await reading({ PreconditionFailed: 'ERROR_CMD_COS_FILE_EXIST' }, () =>
      relocateObject(op.services.engine, op.caller, op.bucket.name, op.target.key, dst, { overwrite, move, within: requireFolder(parentFolder(dst)) }),
    );
    return undefined;
  };
}

export const moveFile = relocate(true);
export const copyFile = relocate(false);
