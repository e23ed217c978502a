/**
 * How the CLI fails: exit code 2 for usage (bad arguments, unknown
 * profile, an operation the dialect lacks), 3 for not found (bucket,
 * object, local source), 1 for any other failure; and a message that says
 * what to do next.
 */
import { StratusError } from '../../sdk/errors.js';

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;
export const EXIT_NOT_FOUND = 3;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
    readonly code = exitCode === EXIT_USAGE ? 'UsageError' : exitCode === EXIT_NOT_FOUND ? 'NotFound' : 'Failed',
  ) {
    super(message);
  }
}

export const usage = (message: string) => new CliError(message, EXIT_USAGE);
export const notFound = (message: string) => new CliError(message, EXIT_NOT_FOUND);
export const failure = (message: string) => new CliError(message, EXIT_FAILURE);

/** What the failing command was working on, to word the advice. */
export interface ErrorContext {
  scheme?: string;
  bucket?: string;
  key?: string;
  profile?: string;
  endpoint?: string;
  configFile?: string;
}

export interface Explained {
  exitCode: number;
  message: string;
  code: string;
  status?: number;
  requestId?: string;
}

const AUTH_CODES = new Set(['AccessDenied', 'SignatureDoesNotMatch', 'InvalidAccessKeyId', 'AuthorizationHeaderMalformed', '-97', '-96', '-79', '-70']);

export function explain(e: unknown, ctx: ErrorContext = {}): Explained {
  if (e instanceof CliError) return { exitCode: e.exitCode, message: e.message, code: e.code };
  if (!(e instanceof StratusError)) {
    const err = e as NodeJS.ErrnoException;
    if (err?.code === 'ENOENT') return { exitCode: EXIT_NOT_FOUND, message: `${err.message}: check the path`, code: 'NotFound' };
    if (err?.code === 'EACCES' || err?.code === 'EPERM') return { exitCode: EXIT_FAILURE, message: `${err.message}: check the file's permissions`, code: 'LocalIOError' };
    return { exitCode: EXIT_FAILURE, message: err?.message ?? String(e), code: 'Failed' };
  }
  const where = ctx.scheme && ctx.bucket ? `${ctx.scheme}://${ctx.bucket}` : undefined;
  const rid = e.requestId ? ` (request id ${e.requestId})` : '';
  const base = { code: e.code, status: e.status || undefined, requestId: e.requestId };
  const prof = ctx.profile ? `profile "${ctx.profile}"` : 'the profile';
  if (e.code === 'NoSuchBucket' || (e.notFound && ctx.bucket && !ctx.key && e.code !== 'NoSuchKey')) {
    return {
      ...base,
      exitCode: EXIT_NOT_FOUND,
      message: `bucket "${ctx.bucket ?? '?'}" does not exist${rid}: create it with \`stratus mb ${where ?? 's3://BUCKET'}\`, or list the buckets with \`stratus ls\``,
    };
  }
  if (e.notFound) {
    const what = ctx.key ? `"${ctx.key}" in ${where}` : 'the object';
    return { ...base, exitCode: EXIT_NOT_FOUND, message: `${what} does not exist${rid}: see what is there with \`stratus ls ${where ? `${where}/` : 's3://BUCKET/'}\`` };
  }
  switch (e.code) {
    case 'NetworkError':
    case 'Timeout':
      return { ...base, exitCode: EXIT_FAILURE, message: `cannot reach ${ctx.endpoint ?? 'the server'}: ${e.message}. Is the server running? Check the endpoint of ${prof}${ctx.configFile ? ` in ${ctx.configFile}` : ''}` };
    case 'CredentialsError':
      return { ...base, exitCode: EXIT_USAGE, message: `${e.message}. Add accessKey and secretKey to ${prof}${ctx.configFile ? ` in ${ctx.configFile}` : ''}, or set STRATUS_ACCESS_KEY and STRATUS_SECRET_KEY` };
    case 'NotSupported':
      return { ...base, exitCode: EXIT_USAGE, message: e.message };
    case 'InvalidArgument':
      return { ...base, exitCode: e.status ? EXIT_FAILURE : EXIT_USAGE, message: `${e.message}${rid}` };
    case 'LocalIOError': {
      const cause = (e.cause as NodeJS.ErrnoException | undefined)?.code;
      if (cause === 'ENOENT') return { ...base, exitCode: EXIT_NOT_FOUND, message: `${e.message}: check the path` };
      return { ...base, exitCode: EXIT_FAILURE, message: `${e.message}: check the path and its permissions` };
    }
    case 'BucketNotEmpty':
      return { ...base, exitCode: EXIT_FAILURE, message: `bucket "${ctx.bucket}" is not empty${rid}: remove its objects with \`stratus rm -r ${where}\`, or use \`stratus rb --force ${where}\`` };
    case 'BucketAlreadyExists':
    case 'BucketAlreadyOwnedByYou':
      return { ...base, exitCode: EXIT_FAILURE, message: `bucket "${ctx.bucket}" already exists${rid}: pick another name` };
    case 'IntegrityError':
      return { ...base, exitCode: EXIT_FAILURE, message: `${e.message}: the data was not kept; run the command again` };
    case 'Aborted':
      return { ...base, exitCode: EXIT_FAILURE, message: 'interrupted: run the same command again to resume' };
  }
  if (AUTH_CODES.has(e.code) || e.status === 403) {
    return {
      ...base,
      exitCode: EXIT_FAILURE,
      message: `the server refused the request (${e.code}: ${e.message})${rid}: check the keys of ${prof}${ctx.configFile ? ` in ${ctx.configFile}` : ''} (or STRATUS_ACCESS_KEY / STRATUS_SECRET_KEY)`,
    };
  }
  return { ...base, exitCode: EXIT_FAILURE, message: `${e.code}${e.status ? ` [${e.status}]` : ''}: ${e.message}${rid}` };
}
