/** Browser-style form uploads for tests: fetch + FormData, fields in order, the file last. */
export interface FormAnswer {
  status: number;
  headers: Headers;
  body: string;
}

export async function submitForm(url: string, fields: Record<string, string>, file?: { data: Buffer | string; filename?: string; type?: string }): Promise<FormAnswer> {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (file) fd.append('file', new Blob([typeof file.data === 'string' ? file.data : new Uint8Array(file.data)], { type: file.type ?? 'application/octet-stream' }), file.filename ?? 'upload.bin');
  const res = await fetch(url, { method: 'POST', body: fd, redirect: 'manual' });
  return { status: res.status, headers: res.headers, body: await res.text() };
}

/** The Code and Message of an XML error body. */
export function xmlError(body: string): { code?: string; message?: string } {
  return { code: /<Code>([^<]*)<\/Code>/.exec(body)?.[1], message: /<Message>([^<]*)<\/Message>/.exec(body)?.[1]?.replace(/&quot;/g, '"').replace(/&amp;/g, '&') };
}
