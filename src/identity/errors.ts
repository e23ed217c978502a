/**
 * IAM's and STS's errors, as their query APIs answer them:
 * `<ErrorResponse><Error><Type>Sender</Type><Code>…</Code><Message>…`.
 */
export type IamErrorCode =
  | 'AccessDenied'
  | 'DeleteConflict'
  | 'EntityAlreadyExists'
  | 'ExpiredToken'
  | 'IncompleteSignature'
  | 'InvalidAction'
  | 'InvalidClientTokenId'
  | 'InvalidParameterValue'
  | 'LimitExceeded'
  | 'MalformedPolicyDocument'
  | 'MissingAction'
  | 'MissingAuthenticationToken'
  | 'NoSuchEntity'
  | 'PackedPolicyTooLarge'
  | 'RequestExpired'
  | 'ServiceFailure'
  | 'SignatureDoesNotMatch'
  | 'ValidationError';

const STATUS: Record<IamErrorCode, number> = {
  AccessDenied: 403,
  DeleteConflict: 409,
  EntityAlreadyExists: 409,
  ExpiredToken: 400,
  IncompleteSignature: 400,
  InvalidAction: 400,
  InvalidClientTokenId: 403,
  InvalidParameterValue: 400,
  LimitExceeded: 409,
  MalformedPolicyDocument: 400,
  MissingAction: 400,
  MissingAuthenticationToken: 403,
  NoSuchEntity: 404,
  PackedPolicyTooLarge: 400,
  RequestExpired: 400,
  ServiceFailure: 500,
  SignatureDoesNotMatch: 403,
  ValidationError: 400,
};

export class IamError extends Error {
  readonly status: number;
  /** Sender (the request's fault) or Receiver (the service's). */
  readonly type: 'Sender' | 'Receiver';

  constructor(
    readonly code: IamErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'IamError';
    this.status = STATUS[code];
    this.type = code === 'ServiceFailure' ? 'Receiver' : 'Sender';
  }
}

export const isIamError = (e: unknown): e is IamError => e instanceof IamError;
export const noSuchEntity = (what: string) => new IamError('NoSuchEntity', what);
export const validation = (message: string) => new IamError('ValidationError', message);
