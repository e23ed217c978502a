/** Folder operations: create, list, stat, update (biz_attr), delete (only when empty). */
import { updateObjectAttributes } from '../../engine/attributes.js';
import { deleteEmptyFolder, parentFolder, requireFolder, type FolderEntry, type FolderFilter } from '../../engine/folders.js';
import type { ObjectRecord } from '../../meta/types.js';
import { authorityOf, bizAttrOf, seconds, shaOf, timesOf, touched } from './attrs.js';
import { CosError, reading } from './errors.js';
import { nothing, urlsOf, type CosHandler, type CosOp } from './op.js';

/** Entries per list page: the SDKs' default and the `-165` limit, not the reference table's 1000 (spec §8.5). */
export const MAX_LIST_NUM = 199;

const PATTERNS: Record<string, FolderFilter> = { eListBoth: 'both', eListDirOnly: 'folders', eListFileOnly: 'files' };

function rootRefused(op: CosOp, what: string): void {
  if (op.target.key === '') throw new CosError('ERROR_CGI_PARAM', `the bucket root cannot be ${what}`);
}

export const createFolder: CosHandler = async (op) => {
  rootRefused(op, 'created');
  const key = op.target.key;
  const biz = op.params.str('biz_attr') ?? '';
  const o = await reading({ PreconditionFailed: 'ERROR_CMD_COS_PATH_CONFLICT' }, () =>
    op.services.engine.putObject(op.caller, op.bucket.name, key, nothing(), {
      meta: { user: {} },
      size: 0,
      extra: biz ? { bizAttr: biz } : {},
      ifNoneMatch: '*',
      within: requireFolder(parentFolder(key)),
    }),
  );
  return { ctime: seconds(o.lastModified), resource_path: urlsOf(op).resource_path };
};

export const statFolder: CosHandler = async (op) => {
  const { engine } = op.services;
  if (op.target.key === '') {
    const t = seconds(op.bucket.createdAt);
    return { biz_attr: '', ctime: t, mtime: t };
  }
  const marker = await engine.latestRow(op.bucket, op.target.key);
  if (marker && !marker.isDeleteMarker) return { biz_attr: bizAttrOf(marker), ...timesOf(marker) };
  // A folder only implied by the keys under it (written through another front end).
  const first = await engine.folders.first(op.bucket, op.target.key);
  if (!first) throw new CosError('ERROR_CMD_FILE_NOTEXIST');
  return { biz_attr: '', ...timesOf(first) };
};

export const updateFolder: CosHandler = async (op) => {
  rootRefused(op, 'updated');
  const biz = op.params.str('biz_attr');
  await reading({ NoSuchKey: 'ERROR_CMD_FILE_NOTEXIST' }, () =>
    updateObjectAttributes(op.services.engine, op.bucket.name, op.target.key, (o) => ({
      extra: { ...touched(o), ...(biz !== undefined ? { bizAttr: biz } : {}) },
    })),
  );
  return undefined;
};

export const deleteFolder: CosHandler = async (op) => {
  rootRefused(op, 'deleted');
  await reading({ NoSuchFolder: 'ERROR_CMD_FILE_NOTEXIST' }, () => deleteEmptyFolder(op.services.engine, op.caller, op.bucket.name, op.target.key));
  return undefined;
};

/** A file as a list entry (spec §4.2; biz_attr is left out of listings). */
export function fileInfo(op: CosOp, o: ObjectRecord, name: string): Record<string, unknown> {
  const urls = urlsOf(op, '/' + o.key);
  return {
    name,
    filesize: o.size,
    filelen: o.size,
    sha: shaOf(o),
    ...timesOf(o),
    access_url: urls.access_url,
    source_url: urls.source_url,
    authority: authorityOf(o),
  };
}

function folderInfo(e: FolderEntry, name: string): Record<string, unknown> {
  const o = e.object ?? e.sample;
  return { name, ...(o ? timesOf(o) : { ctime: 0, mtime: 0 }) };
}

export const listFolderOp: CosHandler = async (op) => {
  const { params, target, bucket } = op;
  const num = params.int('num') ?? MAX_LIST_NUM;
  if (num > MAX_LIST_NUM) throw new CosError('ERROR_CMD_COS_MAX_NUM');
  if (num < 1) throw new CosError('ERROR_CMD_PARAM_MIN_NUM');
  const pattern = params.str('pattern') || 'eListBoth';
  const filter = PATTERNS[pattern];
  if (!filter) throw new CosError('ERROR_CGI_PARAM', `unknown pattern "${pattern}"`);
  const order = params.int('order') ?? 0;
  if (order > 1) throw new CosError('ERROR_CGI_PARAM', 'order must be 0 (ascending) or 1 (descending)');
  const delimiter = params.str('delimiter') ?? '';
  if (delimiter !== '' && delimiter !== '/') throw new CosError('ERROR_CGI_PARAM', 'the only delimiter is "/"');
  // The context is `/<bucket>/<last key or sub-folder>` (the form of the reference's example), opaque to clients.
  const context = params.str('context') ?? '';
  let after: string | undefined;
  if (context) {
    const head = `/${bucket.name}/`;
    if (!context.startsWith(head)) throw new CosError('ERROR_CGI_PARAM', 'context does not belong to this listing');
    after = context.slice(head.length);
  }
  // A path without a trailing '/' lists its folder's entries starting with the last segment.
  const folder = target.folder ? target.key : parentFolder(target.key);
  const { folders } = op.services.engine;
  const page = await folders.list(bucket, { folder, prefix: target.key, after, limit: num, descending: order === 1, filter });
  if (page.entries.length === 0 && !context && !(await folders.exists(bucket, folder))) throw new CosError('ERROR_CMD_FILE_NOTEXIST');
  const infos = page.entries.map((e) =>
    e.kind === 'file' ? fileInfo(op, e.object!, e.key.slice(folder.length)) : folderInfo(e, e.key.slice(folder.length, -1)),
  );
  return { context: page.last !== undefined ? `/${bucket.name}/${page.last}` : '', listover: !page.truncated, infos };
};
