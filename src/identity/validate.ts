/** IAM's parameter constraints, refused with its ValidationError wording. */
import { validation } from './errors.js';

const NAME = /^[\w+=,.@-]+$/;

function constraint(field: string, value: string, rule: string) {
  return validation(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: ${rule}`);
}

/** User, role and policy names: 1..max of `[\w+=,.@-]`. */
export function checkName(field: string, value: string | undefined, max: number): string {
  if (value === undefined || value === '') throw validation(`The request must contain the parameter ${field[0]!.toUpperCase() + field.slice(1)}.`);
  if (value.length > max) throw constraint(field, value, `Member must have length less than or equal to ${max}`);
  if (!NAME.test(value)) throw constraint(field, value, 'Member must satisfy regular expression pattern: [\\w+=,.@-]+');
  return value;
}

/** Paths: `/` or `/…/` of printable ASCII, up to 512. */
export function checkPath(value: string | undefined): string {
  if (value === undefined) return '/';
  if (value.length > 512) throw constraint('path', value, 'Member must have length less than or equal to 512');
  if (!/^(\/|\/[\x21-\x7e]+\/)$/.test(value)) throw constraint('path', value, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return value;
}

/** A whole number of seconds within [min, max]. */
export function checkSeconds(field: string, value: string | undefined, min: number, max: number, dflt: number): number {
  if (value === undefined) return dflt;
  const n = /^\d{1,9}$/.test(value) ? Number(value) : NaN;
  if (Number.isNaN(n) || n < min) throw constraint(field, value, `Member must have value greater than or equal to ${min}`);
  if (n > max) throw constraint(field, value, `Member must have value less than or equal to ${max}`);
  return n;
}

export function required(field: string, value: string | undefined): string {
  if (value === undefined || value === '') throw validation(`The request must contain the parameter ${field}.`);
  return value;
}
