/**
 * The COS JSON API v4 front end (`/files/v2/<appid>/<bucket>/<path>`): one
 * URL per file or folder, the operation chosen by `op`, parameters from the
 * query string or any body form, answers in the `{code, message, data}`
 * envelope. Files and folders are objects of the shared engine: a file is an
 * object under its path, a folder the zero-byte key ending in `/`.
 */
import { checkCosUse, onceToken, type CosAuthenticated, type CosSignKind } from '../../auth/cos-v4.js';
import { isAction, type Action } from '../../authz/actions.js';
import { factsOf } from '../../authz/request-facts.js';
import { resourceOf } from '../../authz/authorizer.js';
import type { StagedBlob } from '../../engine/multipart.js';
import { applyCors, preflight } from '../../cors/answer.js';
import type { HttpContext } from '../../http/context.js';
import type { Reply } from '../../http/reply.js';
import type { Services } from '../../http/services.js';
import type { Dialect } from '../dialect.js';
import { authenticate } from './authenticate.js';
import { download } from './download.js';
import { CosError, reading, toCosError } from './errors.js';
import { bucketUnder, type CosHandler } from './op.js';
import { copyFile, deleteFile, MAX_SIMPLE_UPLOAD, moveFile, statFile, updateFile, upload } from './ops-files.js';
import { createFolder, deleteFolder, listFolderOp, statFolder, updateFolder } from './ops-folders.js';
import { sliceData, sliceFinish, sliceInit, sliceList } from './ops-slices.js';
import { readParams, type CosParams } from './params.js';
import { fileidOf, parseApiPath, type CosTarget } from './paths.js';

interface CosRoute {
  methods: readonly string[];
  /** The signature the operation needs (spec §2.2): single-use for what changes or removes a file. */
  sign: Exclude<CosSignKind, 'download'>;
  /** What the path must name: a folder (trailing '/'), a file, either, or (list) a folder or a name prefix. */
  target: 'folder' | 'file' | 'any' | 'list';
  /** The operation reads a `filecontent` part. */
  file?: boolean;
  /** What the operation does, as the authorizer sees it (the S3 vocabulary, see authz/actions.ts). */
  action: Action;
  handler: CosHandler | { file: CosHandler; folder: CosHandler };
}

/** Refuses an op table with an op that names no known action (checked once, when the module loads). */
export function checkCosRoutes(routes: Record<string, CosRoute>): Record<string, CosRoute> {
  for (const [op, r] of Object.entries(routes)) if (!isAction(r.action)) throw new Error(`cos: op ${op} names no action`);
  return routes;
}

const GET_OR_POST = ['GET', 'POST'] as const;
const POST = ['POST'] as const;

/**
 * Decisions on the spec's contradictions (§8): move and copy need a
 * single-use signature as the text says (§8.3), not the multi-use one of the
 * example; upload_slice_list answers GET and POST (§8.7); reads (stat, list)
 * accept POST as well.
 */
export const COS_ROUTES: Record<string, CosRoute> = checkCosRoutes({
  create: { methods: POST, sign: 'multi', target: 'folder', action: 's3:PutObject', handler: createFolder },
  list: { methods: GET_OR_POST, sign: 'multi', target: 'list', action: 's3:ListBucket', handler: listFolderOp },
  stat: { methods: GET_OR_POST, sign: 'multi', target: 'any', action: 's3:GetObject', handler: { file: statFile, folder: statFolder } },
  update: { methods: POST, sign: 'once', target: 'any', action: 's3:PutObject', handler: { file: updateFile, folder: updateFolder } },
  delete: { methods: POST, sign: 'once', target: 'any', action: 's3:DeleteObject', handler: { file: deleteFile, folder: deleteFolder } },
  upload: { methods: POST, sign: 'multi', target: 'file', file: true, action: 's3:PutObject', handler: upload },
  upload_slice_init: { methods: POST, sign: 'multi', target: 'file', action: 's3:PutObject', handler: sliceInit },
  upload_slice_data: { methods: POST, sign: 'multi', target: 'file', file: true, action: 's3:PutObject', handler: sliceData },
  upload_slice_finish: { methods: POST, sign: 'multi', target: 'file', action: 's3:PutObject', handler: sliceFinish },
  upload_slice_list: { methods: GET_OR_POST, sign: 'multi', target: 'file', action: 's3:ListMultipartUploadParts', handler: sliceList },
  move: { methods: POST, sign: 'once', target: 'file', action: 's3:PutObject', handler: moveFile },
  copy: { methods: POST, sign: 'once', target: 'file', action: 's3:PutObject', handler: copyFile },
});

function sendJson(ctx: HttpContext, status: number, doc: Record<string, unknown>): void {
  const res = ctx.res;
  const body = JSON.stringify({ ...doc, request_id: ctx.requestId });
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(body));
  res.setHeader('server', 'Stratus');
  // The rest of an unread upload is not worth receiving: answer and close.
  if (!ctx.req.complete) res.setHeader('connection', 'close');
  res.end(body);
}

function sendCorsPreflight(ctx: HttpContext, reply: Reply): void {
  ctx.res.writeHead(reply.status, { ...reply.headers, 'content-length': '0', server: 'Stratus' });
  ctx.res.end();
}

function sendError(ctx: HttpContext, e: unknown): void {
  if (ctx.res.headersSent) {
    ctx.res.destroy();
    return;
  }
  let err = toCosError(e);
  if (!err) {
    ctx.log.error({ err: e, reqId: ctx.requestId }, 'internal error');
    err = new CosError('UNKOWN');
  } else if (err.detail) ctx.log.debug({ reqId: ctx.requestId, code: err.code, detail: err.detail }, 'cos error');
  sendJson(ctx, err.status, { code: err.code, message: err.message });
}

function checkTarget(route: CosRoute, t: CosTarget): void {
  if (route.target === 'folder' && !t.folder) throw new CosError('ERROR_CMD_PARAM_PATH_DIR_MISSING_SLASH');
  if (route.target === 'file' && t.folder) throw new CosError('ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH');
}

async function handleApi(ctx: HttpContext, services: Services): Promise<void> {
  const t = parseApiPath(ctx.rawPath);
  // CORS (cors/answer.ts): a preflight is answered before authentication; every other answer carries the matching rule's headers.
  if (ctx.method === 'OPTIONS') return sendCorsPreflight(ctx, await preflight(ctx, services.engine, t.bucket, t.key || undefined));
  if (ctx.req.headers.origin !== undefined) await applyCors(ctx, services.engine, t.bucket);
  // The signature is checked before any body is read.
  const auth = await authenticate(services, t, ctx.header('authorization'));
  if (ctx.method !== 'GET' && ctx.method !== 'POST') throw new CosError('ERROR_CGI_REQ_METHOD');
  const params = await readParams(ctx, services.settings.bodyIdleMs);
  let spooled: StagedBlob | undefined;
  try {
    let opName = params.str('op');
    const file = params.file;
    let inferred = false;
    if (!opName && file) {
      if (params.has('session') || params.has('offset')) {
        // `op` follows the file (a Python 2 dict's order): the fields before it tell a slice.
        opName = 'upload_slice_data';
        inferred = true;
      } else {
        // Nothing before the file tells the operation: keep the file aside
        // until the whole form, `op` included, has been read.
        spooled = await spoolFile(params, services);
        opName = params.str('op');
      }
    }
    if (!opName) throw new CosError('ERROR_CGI_PARAM_MISSING_OP');
    const route = COS_ROUTES[opName];
    if (!route) throw new CosError('ERROR_CGI_REQ_PARAM', `unknown op "${opName}"`);
    if (!route.methods.includes(ctx.method)) throw new CosError('ERROR_CGI_REQ_METHOD');
    if (file && !route.file) throw new CosError('ERROR_CGI_REQ_PARAM', `${opName} takes no filecontent`);
    if (file && inferred) {
      const rest = file.rest;
      file.rest = async () => {
        await rest();
        const late = params.str('op');
        if (late !== undefined && late !== opName) throw new CosError('ERROR_CGI_FORM_ERR', `op ${late} contradicts the session and offset before filecontent`);
      };
    }
    await dispatch(ctx, services, t, auth, route, params);
  } finally {
    if (spooled) await services.engine.discardStaged(spooled);
  }
}

/**
 * Stages the form's file as a blob and reads the rest of the form; the file
 * is then read back from the blob. For forms whose `op` comes after the file.
 */
async function spoolFile(params: CosParams, services: Services): Promise<StagedBlob> {
  const file = params.file!;
  const engine = services.engine;
  const staged = await reading({ EntityTooLarge: 'ERROR_CGI_FILESIZE' }, () => engine.stage(file.stream, { maxSize: MAX_SIMPLE_UPLOAD, verify: () => file.rest() }));
  params.file = {
    stream: (async function* () {
      for await (const chunk of await engine.readStaged(staged)) yield chunk as Buffer;
    })(),
    rest: async () => undefined,
  };
  return staged;
}

async function dispatch(ctx: HttpContext, services: Services, t: CosTarget, auth: CosAuthenticated, route: CosRoute, params: CosParams): Promise<void> {
  checkTarget(route, t);

  const nowS = Math.floor(Date.now() / 1000);
  const skewS = services.settings.maxSkewMs / 1000;
  checkCosUse(auth, route.sign, { fileid: fileidOf(t), path: t.path }, nowS, skewS);
  const engine = services.engine;
  if (route.sign === 'once') {
    // The replay record lives in the metadata store, so a second use fails on any gateway.
    const { token, expiresAt } = onceToken(auth, skewS);
    if (!(await engine.useOnce('cos-once', token, expiresAt))) throw new CosError('ERROR_PROXY_AUTH_REPLAY_ATTACH');
  }
  const bucket = await bucketUnder(services, t);
  if (!bucket) throw new CosError('ERROR_CMD_COS_INDEX_ERROR', 'no such bucket for this appid');
  ctx.action = route.action;
  // The authorizer's COS gate holds the signer to the bucket owner's appid (authz/cos-authority.ts).
  await services.authorizer.authorize(auth.principal, route.action, resourceOf(t.bucket, t.key), factsOf(ctx, 'cos', 'header'));

  const h = route.handler;
  const handler = typeof h === 'function' ? h : t.folder ? h.folder : h.file;
  const data = await handler({ http: ctx, services, target: t, params, caller: { accountId: auth.accountId }, bucket });
  sendJson(ctx, 200, data === undefined ? { code: 0, message: 'SUCCESS' } : { code: 0, message: 'SUCCESS', data });
}

export const cosDialect: Dialect = {
  name: 'cos',
  async handle(ctx: HttpContext, services: Services): Promise<void> {
    if (!ctx.rawPath.startsWith('/files/v2/')) return download(ctx, services);
    try {
      await handleApi(ctx, services);
    } catch (e) {
      sendError(ctx, e);
    }
  },
};
