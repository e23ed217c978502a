/**
 * Slice uploads (spec §4.7-4.11) as engine multipart uploads: a session is an
 * upload (its settings in the upload's document), slice k at offset
 * k·slice_size is part k+1, finishing completes the upload.
 *
 * The whole-file SHA-1 comes from the one pass that stores each slice,
 * never from re-reading: SHA-1 cannot be combined from per-part digests, so
 * the running SHA-1 *state* is chained across slices (Sha1State, exported
 * on the 64-byte boundaries that slice sizes are multiples of). Each part
 * records the state it started from and the state it ended in (the last
 * slice: the final digest); finishing checks that the states link up from
 * the initial one, so the last part's digest is the file's.
 *  - When the client declared `uploadparts` at init (the SDKs do with SHA
 *    verification), slice k starts from the declared state of slice k-1 and
 *    must end in its own declared state (else -4016): slices may arrive in
 *    any order and concurrently (serial_upload = 0).
 *  - Without it, the start state of slice k is the end state stored with
 *    slice k-1, so slices must arrive in order: init answers
 *    serial_upload = 1, which every SDK honours, and an early slice is
 *    refused (-290).
 */
import { Sha1State, isStateHex } from '../../digest/sha1-state.js';
import { parentFolder, requireFolder } from '../../engine/folders.js';
import type { PartRecord, UploadRecord } from '../../meta/types.js';
import { shaOf } from './attrs.js';
import { CosError, reading } from './errors.js';
import { mustNotExist, SHA_HEX } from './ops-files.js';
import { urlsOf, type CosHandler, type CosOp } from './op.js';

export const SLICE_SIZES = [524288, 1048576, 2097152, 3145728] as const;
const MAX_SLICES = 10000;
const INITIAL_STATE = Sha1State.initial().exportHex();
const FROM = 'cos-sha1-from';
const TO = 'cos-sha1-to';

/** What a slice session remembers (in its upload's settings document). */
export interface SliceSession {
  filesize: number;
  sliceSize: number;
  /** Whole-file SHA-1 the client declared. */
  sha?: string;
  /** Declared state after each slice (the last: the whole-file SHA-1). */
  states?: string[];
  insertOnly: boolean;
  bizAttr?: string;
}

const sliceCount = (s: { filesize: number; sliceSize: number }) => Math.max(1, Math.ceil(s.filesize / s.sliceSize));
const sliceLength = (s: SliceSession, k: number) => Math.min(s.sliceSize, s.filesize - k * s.sliceSize);

function sessionOf(u: UploadRecord): SliceSession | undefined {
  const s = u.extra.cosSession as SliceSession | undefined;
  return s && typeof s.filesize === 'number' && typeof s.sliceSize === 'number' ? s : undefined;
}

/** The open COS sessions of the target path, oldest first. */
async function openSessions(op: CosOp): Promise<{ upload: UploadRecord; session: SliceSession }[]> {
  const key = op.target.key;
  const rows = await op.services.engine.multipart.uploadsOfKey(op.bucket, key, 100);
  return rows.flatMap((u) => {
    const session = sessionOf(u);
    return session ? [{ upload: u, session }] : [];
  });
}

async function getSession(op: CosOp): Promise<{ upload: UploadRecord; session: SliceSession }> {
  const id = op.params.str('session');
  if (!id) throw new CosError('ERROR_PROXY_NO_SESSION');
  const upload = await reading({ NoSuchUpload: 'ERROR_CGI_WRONG_SESSION' }, () => op.services.engine.multipart.getUpload(op.bucket.name, op.target.key, id));
  const session = sessionOf(upload);
  if (!session) throw new CosError('ERROR_CGI_WRONG_SESSION');
  return { upload, session };
}

/** The slice size to use: the client's when valid, else the next valid one that keeps the file within 10000 slices. */
function chooseSliceSize(requested: number, filesize: number, declared: boolean): number {
  const fits = (s: number) => sliceCount({ filesize, sliceSize: s }) <= MAX_SLICES;
  if (declared) {
    // Declared states were computed with the client's size: it cannot change.
    if (!(SLICE_SIZES as readonly number[]).includes(requested)) throw new CosError('ERROR_PROCESS_WRONG_SLICE_SIZE', 'slice_size must be 512 KB, 1, 2 or 3 MB');
    if (!fits(requested)) throw new CosError('ERROR_PROCESS_FILE_TOO_LARGE');
    return requested;
  }
  const size = SLICE_SIZES.find((s) => s >= requested && fits(s)) ?? SLICE_SIZES.find(fits);
  if (!size) throw new CosError('ERROR_PROCESS_FILE_TOO_LARGE');
  return size;
}

/** `uploadparts`: a JSON array of {offset, datalen, datasha}, one per slice, in order. */
function declaredStates(raw: unknown, filesize: number, sliceSize: number, sha: string | undefined): string[] {
  let doc = raw;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch {
      throw new CosError('ERROR_CGI_JSON_PARSE_ERROR', 'uploadparts is not JSON');
    }
  }
  if (!Array.isArray(doc)) throw new CosError('ERROR_CGI_PARAM', 'uploadparts must be an array');
  const s = { filesize, sliceSize };
  if (doc.length !== sliceCount(s)) throw new CosError('ERROR_PROCESS_WRONG_SLICE_SIZE', 'uploadparts does not describe every slice');
  return doc.map((p: { offset?: unknown; datalen?: unknown; datasha?: unknown }, k) => {
    const len = Math.min(sliceSize, filesize - k * sliceSize);
    if (Number(p?.offset) !== k * sliceSize || Number(p?.datalen) !== len) throw new CosError('ERROR_PROCESS_WRONG_SLICE_SIZE', `uploadparts[${k}] has the wrong offset or length`);
    if (typeof p.datasha !== 'string' || !isStateHex(p.datasha)) throw new CosError('ERROR_CMD_COS_INVALID_SHA', `uploadparts[${k}].datasha is not 40 hex digits`);
    const state = p.datasha.toLowerCase();
    if (k === doc.length - 1 && sha !== undefined && state !== sha) throw new CosError('ERROR_CMD_COS_SHA_NOT_EQU', 'the last datasha is not the file sha');
    return state;
  });
}

const sameFile = (a: SliceSession, b: SliceSession) => a.filesize === b.filesize && a.sliceSize === b.sliceSize && a.sha === b.sha;

export const sliceInit: CosHandler = async (op) => {
  const { params, target } = op;
  const engine = op.services.engine;
  const filesize = params.int('filesize');
  if (filesize === undefined) throw new CosError('ERROR_CGI_PARAM_MISSING_FILESIZE');
  let sha = params.str('sha') || undefined;
  if (sha !== undefined && !SHA_HEX.test(sha)) throw new CosError('ERROR_CMD_COS_INVALID_SHA');
  sha = sha?.toLowerCase();
  const declared = params.has('uploadparts') && params.get('uploadparts') !== '';
  const sliceSize = chooseSliceSize(params.int('slice_size') ?? 1048576, filesize, declared);
  const session: SliceSession = {
    filesize,
    sliceSize,
    insertOnly: params.flag('insertOnly', true),
    ...(sha ? { sha } : {}),
    ...(declared ? { states: declaredStates(params.get('uploadparts'), filesize, sliceSize, sha) } : {}),
    ...(params.str('biz_attr') ? { bizAttr: params.str('biz_attr') } : {}),
  };
  if (session.states && !session.sha) session.sha = session.states[session.states.length - 1];
  if (!(await engine.folders.exists(op.bucket, parentFolder(target.key)))) throw new CosError('ERROR_CMD_COS_INDEX_ERROR', 'the folder does not exist');

  const existing = await engine.latestRow(op.bucket, target.key);
  if (existing && !existing.isDeleteMarker) {
    // Instant upload: the identical file is already there.
    if (session.sha && shaOf(existing) === session.sha && existing.size === filesize) return urlsOf(op);
    if (session.insertOnly) throw new CosError('ERROR_CMD_COS_FILE_EXIST');
  }

  // One open session per path: the same file resumes it (-4019), another file replaces it.
  for (const open of await openSessions(op)) {
    if (sameFile(open.session, session)) throw new CosError('ErrOffsetToZero', 'an upload of this file is unfinished: list its slices and resume');
    await engine.multipart.abort(op.bucket.name, target.key, open.upload.uploadId).catch(() => undefined);
  }
  const created = await engine.multipart.create(op.caller, op.bucket.name, target.key, { meta: { user: {} }, extra: { cosSession: session } });
  // Two inits racing past the check above: each sees the other once both are
  // stored, and only the one with no other session stays.
  const after = await openSessions(op);
  if (after.some((o) => o.upload.uploadId !== created.uploadId)) {
    await engine.multipart.abort(op.bucket.name, target.key, created.uploadId).catch(() => undefined);
    throw new CosError('ErrOffsetToZero', 'another upload of this path is in progress');
  }
  return { session: created.uploadId, slice_size: sliceSize, serial_upload: session.states ? 0 : 1 };
};

async function partAt(op: CosOp, upload: UploadRecord, partNumber: number): Promise<PartRecord | undefined> {
  const [p] = await op.services.engine.multipart.partsOf(upload, partNumber - 1, 1);
  return p?.partNumber === partNumber ? p : undefined;
}

/** Largest slice of any session (a slice is checked against its own session's size once the form is read). */
const MAX_SLICE = Math.max(...SLICE_SIZES);

/**
 * A slice. Its fields may come in any order: qcloud_cos sends `filecontent`
 * before `session` and `offset`. The data is therefore staged as a blob
 * first, the rest of the form read, and the blob attached as the part once
 * the session and offset are known; its SHA-1 state (which depends on the
 * offset) is computed then, reading the staged slice (at most 3 MB) back.
 * Slices of a session with declared states may arrive concurrently.
 */
export const sliceData: CosHandler = async (op) => {
  const { params } = op;
  const engine = op.services.engine;
  const file = params.file;
  if (!file) throw new CosError('ERROR_CGI_MISSING_FILECONTENT');
  // Fail before receiving the slice when the session came first and is wrong.
  if (params.has('session')) await getSession(op);
  const staged = await reading({ EntityTooLarge: 'ERROR_CGI_SLICE' }, () => engine.stage(file.stream, { maxSize: MAX_SLICE, verify: () => file.rest() }));
  let attached = false;
  try {
    const { upload, session: s } = await getSession(op);
    const offset = params.int('offset');
    if (offset === undefined) throw new CosError('ERROR_CGI_PARAM', 'offset is required');
    if (offset % s.sliceSize !== 0 || (offset >= s.filesize && !(offset === 0 && s.filesize === 0)))
      throw new CosError('ERROR_PROCESS_OFFSET', `offset ${offset} is not the start of a slice`);
    const k = offset / s.sliceSize;
    const expected = sliceLength(s, k);
    if (staged.size > s.sliceSize) throw new CosError('ERROR_CGI_SLICE', `a slice of this session is at most ${s.sliceSize} bytes`);
    if (staged.size !== expected) throw new CosError('ERROR_PROCESS_WRONG_SLICE_SIZE', `the slice at ${offset} must be ${expected} bytes, not ${staged.size}`);
    const last = k === sliceCount(s) - 1;
    let from: string;
    if (k === 0) from = INITIAL_STATE;
    else if (s.states) from = s.states[k - 1]!;
    else {
      const prev = await partAt(op, upload, k);
      const prevTo = prev?.checksums[TO];
      if (!prevTo) throw new CosError('ERROR_PROCESS_OFFSET', `slices must arrive in order: the slice before offset ${offset} is missing`);
      from = prevTo;
    }
    const state = k === 0 ? Sha1State.initial() : Sha1State.resume(from, offset);
    for await (const chunk of await engine.readStaged(staged)) state.update(chunk);
    const to = last ? state.digest().toString('hex') : state.exportHex();
    if (s.states && to !== s.states[k]) throw new CosError('ErrNotSameSHA', `the slice at ${offset} does not match its declared datasha`);
    const sha = params.str('sha');
    if (last && sha && s.sha && sha.toLowerCase() !== s.sha) throw new CosError('ErrNotSameSHA');
    if (!s.states) {
      // Re-sending a slice may not break the chain the next one was built on.
      const old = await partAt(op, upload, k + 1);
      if (old && old.checksums[TO] !== to && (await partAt(op, upload, k + 2))) throw new CosError('ErrTheSameOffset', `the slice at ${offset} differs from the one already stored`);
    }
    attached = true; // attachPart deletes the blob itself if it fails
    const part = await reading({ NoSuchUpload: 'ERROR_CGI_WRONG_SESSION' }, () =>
      engine.multipart.attachPart(op.bucket.name, op.target.key, upload.uploadId, k + 1, staged, () => ({ [FROM]: from, [TO]: to })),
    );
    return { datalen: part.size, offset, session: upload.uploadId };
  } finally {
    if (!attached) await engine.discardStaged(staged);
  }
};

export const sliceFinish: CosHandler = async (op) => {
  const { params } = op;
  const { upload, session: s } = await getSession(op);
  const filesize = params.int('filesize');
  if (filesize === undefined) throw new CosError('ERROR_CGI_PARAM_MISSING_FILESIZE');
  if (filesize !== s.filesize) throw new CosError('ERROR_CMD_COS_FILE_SIZE_NOT_EQU', 'filesize differs from the one given at init');
  const n = sliceCount(s);
  const parts = await op.services.engine.multipart.partsOf(upload, 0, n + 1);
  let received = 0;
  for (let k = 0; k < parts.length; k++) received += parts[k]!.size;
  if (parts.length !== n || parts.some((p, k) => p.partNumber !== k + 1 || p.size !== sliceLength(s, k)))
    throw new CosError('ERROR_CMD_COS_FILE_SIZE_NOT_EQU', `${received} of ${s.filesize} bytes received`);
  for (let k = 0; k < n; k++) {
    const expectFrom = k === 0 ? INITIAL_STATE : parts[k - 1]!.checksums[TO];
    if (parts[k]!.checksums[FROM] !== expectFrom) throw new CosError('ERROR_CMD_COS_SHA_NOT_EQU', `slice ${k} does not continue the one before it`);
  }
  const whole = parts[n - 1]!.checksums[TO]!;
  const sha = params.str('sha');
  if ((sha && sha.toLowerCase() !== whole) || (s.sha && s.sha !== whole)) throw new CosError('ERROR_CMD_COS_SHA_NOT_EQU');
  const key = op.target.key;
  // The slices as checked here, by ETag: one sent again meanwhile fails the
  // completion (-174) instead of joining a file whose SHA-1 was not checked.
  await reading({ InvalidPart: 'ERROR_CMD_COS_SHA_NOT_EQU' }, () => op.services.engine.multipart.complete(
    op.caller,
    op.bucket.name,
    key,
    upload.uploadId,
    parts.map((p) => ({ partNumber: p.partNumber, etag: p.etag })),
    {
      minPartSize: 0,
      checksums: () => ({ sha1: Buffer.from(whole, 'hex').toString('base64') }),
      // The session's settings end with it; the file keeps its biz_attr.
      extra: { cosSession: undefined, ...(s.bizAttr ? { bizAttr: s.bizAttr } : {}) },
      within: async (tx, b) => {
        await requireFolder(parentFolder(key))(tx, b);
        if (s.insertOnly) await mustNotExist(key)(tx, b);
      },
    },
  ));
  return urlsOf(op);
};

export const sliceList: CosHandler = async (op) => {
  const [open] = await openSessions(op);
  if (open) {
    const parts = await op.services.engine.multipart.partsOf(open.upload, 0, MAX_SLICES + 1);
    return {
      session: open.upload.uploadId,
      slice_size: open.session.sliceSize,
      serial_upload: open.session.states ? 0 : 1,
      listparts: parts.map((p) => ({ offset: (p.partNumber - 1) * open.session.sliceSize, datalen: p.size })),
    };
  }
  const existing = await op.services.engine.latestRow(op.bucket, op.target.key);
  if (existing && !existing.isDeleteMarker) return urlsOf(op);
  throw new CosError('ERROR_CMD_FILE_NOTEXIST');
};
