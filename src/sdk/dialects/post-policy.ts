/** POST form-upload policies: the conditions every dialect writes the same way, and the field naming each one uses. */
import { encodePostPolicy } from '../../auth/post-policy.js';
import type { PostPolicyOptions } from '../types.js';

/** The ISO 8601 form policies use (UTC, milliseconds). */
export function policyExpiration(d: Date): string {
  return d.toISOString();
}

/** Conditions and form fields common to S3, OSS and OBS: bucket, key, length range, content type, ACL and extra fields. */
export function baseConditions(bucket: string, o: PostPolicyOptions, aclField: string): { conditions: unknown[]; fields: Record<string, string> } {
  const conditions: unknown[] = [{ bucket }];
  const fields: Record<string, string> = {};
  if (o.key !== undefined) {
    conditions.push({ key: o.key });
    fields['key'] = o.key;
  } else {
    conditions.push(['starts-with', '$key', o.keyPrefix ?? '']);
    fields['key'] = (o.keyPrefix ?? '') + '${filename}';
  }
  if (o.contentLengthRange) conditions.push(['content-length-range', o.contentLengthRange[0], o.contentLengthRange[1]]);
  if (o.contentType) {
    conditions.push({ 'Content-Type': o.contentType });
    fields['Content-Type'] = o.contentType;
  }
  if (o.acl) {
    conditions.push({ [aclField]: o.acl });
    fields[aclField] = o.acl;
  }
  for (const [k, v] of Object.entries(o.fields ?? {})) {
    conditions.push({ [k]: v });
    fields[k] = v;
  }
  conditions.push(...(o.conditions ?? []));
  return { conditions, fields };
}

export { encodePostPolicy };
