export { Auth, CosClient, type CosClientConfig, type CosResult, type CustomHeaders, type DownloadRequest, type ListFolderRequest, type UpdateFileRequest, type UploadFileRequest, type UploadSliceFileRequest } from './client.js';
export { buildForm, type FormField } from './form.js';
