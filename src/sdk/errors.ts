/**
 * Typed SDK errors. A service error carries what the server said (the
 * dialect's own code, the HTTP status, the request id and message); errors
 * raised on the client side use the same class with status 0 and one of the
 * CLIENT_CODES, so callers test `code` and `status` and nothing else.
 */
export type DialectName = 's3' | 'oss' | 'obs' | 'obs-v2' | 'cos';

/** Codes the SDK itself raises (never sent by a server). */
export type ClientErrorCode =
  | 'NetworkError'
  | 'Timeout'
  | 'Aborted'
  | 'IntegrityError'
  | 'InvalidArgument'
  | 'NotSupported'
  | 'CredentialsError'
  | 'InvalidResponse'
  | 'LocalIOError';

export interface StratusErrorInit {
  dialect: DialectName;
  code: string;
  message: string;
  status?: number;
  requestId?: string;
  hostId?: string;
  /** Other fields of the error document (e.g. ArgumentName, StringToSign). */
  details?: Record<string, string>;
  headers?: Record<string, string | string[] | undefined>;
  cause?: unknown;
}

export class StratusError extends Error {
  override readonly name = 'StratusError';
  readonly dialect: DialectName;
  /** The dialect's error code (`NoSuchKey`, `-197`...) or a ClientErrorCode. */
  readonly code: string;
  /** HTTP status; 0 for errors raised on the client side. */
  readonly status: number;
  readonly requestId?: string;
  readonly hostId?: string;
  readonly details: Record<string, string>;
  readonly headers: Record<string, string | string[] | undefined>;

  constructor(init: StratusErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.dialect = init.dialect;
    this.code = init.code;
    this.status = init.status ?? 0;
    this.requestId = init.requestId;
    this.hostId = init.hostId;
    this.details = init.details ?? {};
    this.headers = init.headers ?? {};
  }

  /** True for a missing bucket, object, version, upload or COS path. */
  get notFound(): boolean {
    return this.status === 404 || NOT_FOUND_CODES.has(this.code);
  }

  /** True when the server answered (as opposed to a client-side failure). */
  get fromServer(): boolean {
    return this.status !== 0;
  }

  override toString(): string {
    const rid = this.requestId ? ` (request id ${this.requestId})` : '';
    return `${this.code}${this.status ? ` [${this.status}]` : ''}: ${this.message}${rid}`;
  }
}

// COS v4 reports "not found" in its JSON code (-197 file, -166 folder/path, -180 bucket).
const NOT_FOUND_CODES = new Set(['NoSuchKey', 'NoSuchBucket', 'NoSuchUpload', 'NoSuchVersion', 'NotFound', '-197', '-166', '-180']);

export function clientError(dialect: DialectName, code: ClientErrorCode, message: string, cause?: unknown): StratusError {
  return new StratusError({ dialect, code, message, cause });
}

export function isStratusError(e: unknown): e is StratusError {
  return e instanceof StratusError;
}

/** An abort error in the DOM shape (name AbortError) callers of AbortSignal expect, as a StratusError. */
export function abortError(dialect: DialectName, signal?: AbortSignal): StratusError {
  const reason = signal?.reason;
  const msg = reason instanceof Error ? reason.message : typeof reason === 'string' ? reason : 'the operation was aborted';
  return clientError(dialect, 'Aborted', msg, reason);
}
