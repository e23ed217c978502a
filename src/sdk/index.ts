/** The Stratus SDK: one client for S3, OSS, OBS and COS JSON v4, with resumable transfers. */
export { StratusClient, DIALECTS, registerDialect, type StratusClientOptions, type DialectFactory } from './client.js';
export { StratusError, isStratusError, type DialectName, type ClientErrorCode } from './errors.js';
export { credentialsFromEnv, type Credentials, type CredentialProvider, type CredentialsInput } from './credentials.js';
export type { HttpOptions } from './http.js';
export type { ListEntry, VersionEntry, UploadEntry } from './listing.js';
export { collect } from './listing.js';
export type { CreateBucketOptions, MultipartLimits } from './dialects/dialect.js';
export type { UploadFileOptions, UploadFileResult } from './transfer/upload-file.js';
export type { DownloadFileOptions, DownloadFileResult } from './transfer/download-file.js';
export type { ProgressEvent, ProgressListener } from './transfer/progress.js';
export type * from './types.js';
/** The COS JSON v4 client with the Python SDK v4's own surface (the `cos` dialect wraps it). */
export { CosClient, Auth as CosAuth, type CosClientConfig, type CosResult } from './cos/index.js';
