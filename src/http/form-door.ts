import { isFormPost, postForm, postFormFieldsSoFar } from '../api/post-form.js';
import { postFormDialect } from '../auth/post-verify.js';
import type { Dialect } from '../dialects/dialect.js';
import type { HttpContext } from './context.js';
import type { DialectName } from './front-door.js';
import type { Services } from './services.js';

/**
 * Browser form uploads (POST Object) carry no Authorization header: their
 * signature, and so their dialect, is in the body, which the front door does
 * not read. Such requests (an unsigned multipart/form-data POST without a
 * query) come here instead: the form is read up to its file part (fields come
 * first, in order, and the file is left unread), its signature field names
 * choose the dialect (x-amz-* / AWSAccessKeyId: S3, OSSAccessKeyId: OSS,
 * AccessKeyId: OBS), and that dialect handles the request as usual, finding
 * the form already started. A form too broken to read, or one with no
 * signature fields, is S3's, as any unmarked request is.
 */
export function formDoor(dialects: Partial<Record<DialectName, Dialect>>, fallback: Dialect): Dialect {
  return {
    name: 'form',
    async handle(ctx: HttpContext, services: Services): Promise<void> {
      let name: DialectName = 's3';
      try {
        name = postFormDialect((await postForm(ctx, services.settings.bodyIdleMs)).fields.keys()) ?? 's3';
      } catch {
        // The dialect named by the fields read before the failure reports it (S3's when none did).
        name = postFormDialect(postFormFieldsSoFar(ctx)) ?? 's3';
      }
      await (dialects[name] ?? fallback).handle(ctx, services);
    },
  };
}

/** True for a request the form door takes (given the dialect the headers alone chose). */
export function takesFormDoor(ctx: HttpContext, picked: DialectName): boolean {
  return picked !== 'cos' && isFormPost(ctx);
}
