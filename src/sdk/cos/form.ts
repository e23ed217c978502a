import { randomBytes } from 'node:crypto';

/** One multipart/form-data field; `filename` as the Python SDK gives every part (requests' `files=`). */
export interface FormField {
  name: string;
  value: string | Buffer;
  filename?: string;
}

/** A multipart/form-data body, fields in the order given. */
export function buildForm(fields: FormField[]): { body: Buffer; contentType: string } {
  const boundary = '----stratus' + randomBytes(12).toString('hex');
  const chunks: Buffer[] = [];
  for (const f of fields) {
    const disposition = `form-data; name="${f.name}"` + (f.filename !== undefined ? `; filename="${f.filename}"` : '');
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n\r\n`));
    chunks.push(typeof f.value === 'string' ? Buffer.from(f.value, 'utf8') : f.value);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}
