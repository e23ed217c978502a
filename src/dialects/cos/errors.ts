/**
 * COS JSON v4 errors: every failure is answered `{code, message}` with the
 * spec's negative code and, as the service does, its symbolic name as the
 * message (spec §5). HTTP statuses are 4xx (the SDKs parse any body below
 * 500) except for internal failures.
 */
import { isStorageError, type ErrorCode, type StorageError } from '../../engine/errors.js';
import type { CosAuthReason } from '../../auth/cos-v4.js';

export const COS_ERRORS = {
  // CGI (request syntax)
  ERROR_CGI_PARAM: [-5999, 400],
  ERROR_CGI_AUTHORIZATION: [-5998, 400],
  ERROR_CGI_REQ_METHOD: [-5996, 405],
  ERROR_CGI_FILESIZE: [-5995, 413],
  ERROR_CGI_URL_NOTMATCH: [-5994, 400],
  ERROR_CGI_FORM_ERR: [-5993, 400],
  ERROR_CGI_REQ_PARAM: [-5992, 400],
  ERROR_CGI_SLICE: [-5991, 413],
  ERROR_CGI_MISSING_FILECONTENT: [-5990, 400],
  ERROR_CGI_SHA_NOT_MATCH: [-5984, 400],
  ERROR_CGI_WRONG_SESSION: [-5983, 400],
  ERROR_CGI_PARAM_MISSING_OP: [-5980, 400],
  ERROR_CGI_JSON_PARSE_ERROR: [-5975, 400],
  ERROR_CGI_PARAM_MISSING_FILESIZE: [-5971, 400],
  // Proxy (signatures, sessions)
  ERROR_PROXY_AUTH_FAILED: [-97, 403],
  ERROR_PROXY_AUTH_EXPIRED: [-96, 403],
  ERROR_PROXY_NO_SESSION: [-95, 400],
  ERROR_PROXY_WRONG_SESSION: [-94, 400],
  ERROR_PROXY_AUTH_APPID_NOEXIST: [-82, 403],
  ERROR_PROXY_AUTH_SIGN_EMPTY: [-81, 401],
  ERROR_PROXY_INVALID_APPID: [-80, 400],
  ERROR_PROXY_AUTH_SECRETID_NOEXIST: [-79, 403],
  ERROR_PROXY_AUTH_REPLAY_ATTACH: [-77, 403],
  ERROR_PROXY_AUTH_ONCESIGN_NOFILEID: [-76, 403],
  ERROR_PROXY_AUTH_MULTISIGN_EXPIREDEMPTY: [-74, 403],
  ERROR_PROXY_AUTH_ONCESIGN_EXPIREDNOTEMPTY: [-73, 403],
  ERROR_PROXY_APPID_USERID_NOTMATCH: [-70, 403],
  ERROR_PROXY_FILEID_NOTMATCH: [-63, 403],
  ERROR_PROXY_AUTH_APPID: [-62, 403],
  ERROR_PROXY_SIGN_BUCKET_NOTMATCH: [-61, 403],
  // CMD (paths, files, folders)
  ERROR_CMD_FILE_MOVE_ERROR: [-199, 400],
  ERROR_CMD_FILE_NOTEXIST: [-197, 404],
  ERROR_CMD_COS_INVALID_PATH: [-180, 400],
  ERROR_CMD_COS_PATH_CONFLICT: [-178, 409],
  ERROR_CMD_COS_FILE_EXIST: [-177, 409],
  ERROR_CMD_COS_FILE_SIZE_NOT_EQU: [-175, 400],
  ERROR_CMD_COS_SHA_NOT_EQU: [-174, 400],
  ERROR_CMD_COS_DIR_NOT_EMPTY: [-173, 409],
  ERROR_CMD_COS_INVALID_SHA: [-168, 400],
  ERROR_CMD_COS_INDEX_ERROR: [-166, 404],
  ERROR_CMD_COS_MAX_NUM: [-165, 400],
  ERROR_CMD_PARAM_PATH_DIR_MISSING_SLASH: [-161, 400],
  ERROR_CMD_PARAM_PAHT_FILE_SURPLUS_SLASH: [-160, 400],
  ERROR_CMD_PARAM_MIN_NUM: [-157, 400],
  ERROR_CMD_NOT_UTF8_ENCODING: [-147, 400],
  // Process (slices)
  ERROR_PROCESS_OFFSET: [-290, 400],
  ERROR_PROCESS_FILE_TOO_LARGE: [-285, 413],
  ERROR_PROCESS_WRONG_SLICE_SIZE: [-284, 400],
  // File plugin (slice sessions)
  ErrOffsetToZero: [-4019, 409],
  ErrNotSameSHA: [-4016, 400],
  ErrTheSameOffset: [-4015, 409],
  ErrGetInputData: [-4012, 400],
  // Business
  UNKOWN: [-9999, 500],
} as const satisfies Record<string, readonly [number, number]>;

export type CosErrorName = keyof typeof COS_ERRORS;

export class CosError extends Error {
  readonly code: number;
  readonly status: number;

  constructor(
    readonly cosName: CosErrorName,
    /** Why, for the log; the wire message is the symbolic name. */
    readonly detail?: string,
  ) {
    super(cosName);
    this.name = 'CosError';
    [this.code, this.status] = COS_ERRORS[cosName];
  }
}

const BY_REASON: Record<CosAuthReason, CosErrorName> = {
  'sign-empty': 'ERROR_PROXY_AUTH_SIGN_EMPTY',
  'sign-malformed': 'ERROR_CGI_AUTHORIZATION',
  'appid-mismatch': 'ERROR_PROXY_APPID_USERID_NOTMATCH',
  'appid-unknown': 'ERROR_PROXY_AUTH_APPID_NOEXIST',
  'bucket-mismatch': 'ERROR_PROXY_SIGN_BUCKET_NOTMATCH',
  'secretid-unknown': 'ERROR_PROXY_AUTH_SECRETID_NOEXIST',
  'secretid-appid': 'ERROR_PROXY_AUTH_APPID',
  'auth-failed': 'ERROR_PROXY_AUTH_FAILED',
  'once-expired-not-empty': 'ERROR_PROXY_AUTH_ONCESIGN_EXPIREDNOTEMPTY',
  'once-no-fileid': 'ERROR_PROXY_AUTH_ONCESIGN_NOFILEID',
  'fileid-mismatch': 'ERROR_PROXY_FILEID_NOTMATCH',
  replayed: 'ERROR_PROXY_AUTH_REPLAY_ATTACH',
  'multi-expired-empty': 'ERROR_PROXY_AUTH_MULTISIGN_EXPIREDEMPTY',
  expired: 'ERROR_PROXY_AUTH_EXPIRED',
  'validity-too-long': 'ERROR_PROXY_AUTH_FAILED',
};

/** How neutral engine errors read in COS when the operation gives no better name. */
const BY_CODE: Partial<Record<ErrorCode, CosErrorName>> = {
  AccessDenied: 'ERROR_PROXY_AUTH_FAILED',
  NoSuchBucket: 'ERROR_CMD_COS_INDEX_ERROR',
  NoSuchKey: 'ERROR_CMD_FILE_NOTEXIST',
  NoSuchFolder: 'ERROR_CMD_COS_INDEX_ERROR',
  FolderNotEmpty: 'ERROR_CMD_COS_DIR_NOT_EMPTY',
  PreconditionFailed: 'ERROR_CMD_COS_FILE_EXIST',
  ConditionalRequestConflict: 'ERROR_CMD_COS_PATH_CONFLICT',
  EntityTooLarge: 'ERROR_CGI_FILESIZE',
  IncompleteBody: 'ErrGetInputData',
  RequestTimeout: 'ErrGetInputData',
  KeyTooLongError: 'ERROR_CMD_COS_INVALID_PATH',
  InvalidArgument: 'ERROR_CGI_PARAM',
  InvalidRequest: 'ERROR_CGI_PARAM',
  NoSuchUpload: 'ERROR_CGI_WRONG_SESSION',
  MethodNotAllowed: 'ERROR_CGI_REQ_METHOD',
  // CORS preflights refused (no configuration, no matching rule) or incomplete.
  AccessForbidden: 'ERROR_PROXY_AUTH_FAILED',
  BadRequest: 'ERROR_CGI_PARAM',
};

/** Per-operation readings of neutral errors (e.g. PreconditionFailed on create is a path conflict). */
export type ErrorOverrides = Partial<Record<ErrorCode, CosErrorName>>;

/** Any thrown value as a CosError (unknown failures become UNKOWN, logged by the caller). */
export function toCosError(e: unknown, overrides: ErrorOverrides = {}): CosError | undefined {
  if (e instanceof CosError) return e;
  if (!isStorageError(e)) return undefined;
  const reason = (e as StorageError).detail.reason as CosAuthReason | undefined;
  if (reason && BY_REASON[reason]) return new CosError(BY_REASON[reason], e.message);
  const name = overrides[e.code] ?? BY_CODE[e.code];
  return name ? new CosError(name, e.message) : undefined;
}

/** Runs `fn`, reading neutral errors the way this operation means them. */
export async function reading<T>(overrides: ErrorOverrides, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw toCosError(e, overrides) ?? e;
  }
}
