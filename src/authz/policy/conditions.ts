import { BlockList, isIP } from 'node:net';
import { wildcard, type Matcher } from './wildcard.js';

/**
 * Condition operators of the policy language (IAM's), compiled once: the
 * String*, Numeric*, Date*, Bool, Binary, IpAddress, Arn* and Null families,
 * the `...IfExists` forms and the `ForAnyValue:` / `ForAllValues:` set
 * qualifiers. A compiled condition tests the request's values of its key
 * (undefined: the request has none), with IAM's rules for absent keys: a
 * positive operator is false, a negated one true, `IfExists` true, and
 * `ForAllValues` true.
 */
export type ConditionTest = (values: readonly string[] | undefined) => boolean;

/** Thrown for an operator or value the language does not allow (the parser says where). */
export class ConditionError extends Error {}

interface Family {
  /** Compiles one policy value into a test of one request value. */
  compile(policyValue: string): (v: string) => boolean;
  negated: boolean;
}

const num = (s: string): number | undefined => {
  const t = s.trim();
  if (t === '' || !/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(t)) return undefined;
  return Number(t);
};

/** Dates as ISO 8601 or epoch seconds, as IAM accepts them. */
const date = (s: string): number | undefined => {
  const t = s.trim();
  if (/^\d+$/.test(t)) return Number(t) * 1000;
  if (!/^\d{4}-\d{2}-\d{2}/.test(t)) return undefined;
  const ms = Date.parse(t);
  return Number.isNaN(ms) ? undefined : ms;
};

function numeric(cmp: (a: number, b: number) => boolean, negated = false): Family {
  return {
    negated,
    compile(pv) {
      const b = num(pv);
      if (b === undefined) throw new ConditionError(`invalid number ${JSON.stringify(pv)}`);
      return (v) => {
        const a = num(v);
        return a !== undefined && cmp(a, b);
      };
    },
  };
}

function dated(cmp: (a: number, b: number) => boolean, negated = false): Family {
  return {
    negated,
    compile(pv) {
      const b = date(pv);
      if (b === undefined) throw new ConditionError(`invalid date ${JSON.stringify(pv)}`);
      return (v) => {
        const a = date(v);
        return a !== undefined && cmp(a, b);
      };
    },
  };
}

const str = (test: (pv: string) => Matcher, negated = false): Family => ({ negated, compile: test });
const exact = (pv: string): Matcher => (v) => v === pv;
const exactIgnoreCase = (pv: string): Matcher => {
  const p = pv.toLowerCase();
  return (v) => v.toLowerCase() === p;
};

/** An ARN matched field by field: six colon-separated parts, wildcards within each. */
function arnMatcher(pv: string): Matcher {
  const parts = pv.split(':');
  if (parts.length < 6 && pv !== '*') throw new ConditionError(`invalid ARN ${JSON.stringify(pv)}`);
  return wildcard(pv);
}

function ip(pv: string): Matcher {
  const [addr, bits] = pv.trim().split('/');
  const family = isIP(addr ?? '');
  if (!family) throw new ConditionError(`invalid IP address ${JSON.stringify(pv)}`);
  const type = family === 4 ? 'ipv4' : 'ipv6';
  // Plain decimal digits only: BlockList aborts the process on a prefix that is not an int32 ('-0', '1e1' ...).
  if (bits !== undefined && !/^\d{1,3}$/.test(bits)) throw new ConditionError(`invalid CIDR ${JSON.stringify(pv)}`);
  const prefix = bits === undefined ? (family === 4 ? 32 : 128) : parseInt(bits, 10);
  if (prefix > (family === 4 ? 32 : 128)) throw new ConditionError(`invalid CIDR ${JSON.stringify(pv)}`);
  const list = new BlockList();
  list.addSubnet(addr!, prefix, type);
  return (v) => {
    const a = v.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/, '$1');
    const f = isIP(a);
    return f !== 0 && list.check(a, f === 4 ? 'ipv4' : 'ipv6');
  };
}

const bool = (pv: string): Matcher => {
  const p = pv.toLowerCase();
  if (p !== 'true' && p !== 'false') throw new ConditionError(`invalid boolean ${JSON.stringify(pv)}`);
  return (v) => v.toLowerCase() === p;
};

const FAMILIES: Record<string, Family> = {
  stringequals: str(exact),
  stringnotequals: str(exact, true),
  stringequalsignorecase: str(exactIgnoreCase),
  stringnotequalsignorecase: str(exactIgnoreCase, true),
  stringlike: str((pv) => wildcard(pv)),
  stringnotlike: str((pv) => wildcard(pv), true),
  numericequals: numeric((a, b) => a === b),
  numericnotequals: numeric((a, b) => a === b, true),
  numericlessthan: numeric((a, b) => a < b),
  numericlessthanequals: numeric((a, b) => a <= b),
  numericgreaterthan: numeric((a, b) => a > b),
  numericgreaterthanequals: numeric((a, b) => a >= b),
  dateequals: dated((a, b) => a === b),
  datenotequals: dated((a, b) => a === b, true),
  datelessthan: dated((a, b) => a < b),
  datelessthanequals: dated((a, b) => a <= b),
  dategreaterthan: dated((a, b) => a > b),
  dategreaterthanequals: dated((a, b) => a >= b),
  bool: str(bool),
  binaryequals: str(exact),
  ipaddress: str(ip),
  notipaddress: str(ip, true),
  arnequals: str(arnMatcher),
  arnlike: str(arnMatcher),
  arnnotequals: str(arnMatcher, true),
  arnnotlike: str(arnMatcher, true),
};

/**
 * Compiles `Operator: { key: values }` for one key. `operator` as written in
 * the policy (case-insensitive, with its qualifiers).
 */
export function compileCondition(operator: string, policyValues: readonly string[]): ConditionTest {
  let name = operator.toLowerCase();
  let set: 'any' | 'all' | undefined;
  if (name.startsWith('foranyvalue:')) [set, name] = ['any', name.slice('foranyvalue:'.length)];
  else if (name.startsWith('forallvalues:')) [set, name] = ['all', name.slice('forallvalues:'.length)];
  let ifExists = false;
  if (name.endsWith('ifexists') && name !== 'null') [ifExists, name] = [true, name.slice(0, -'ifexists'.length)];

  if (name === 'null') {
    if (set || ifExists) throw new ConditionError(`operator ${operator} is not valid`);
    const want = policyValues.map((pv) => bool(pv));
    // Null: true means "the key is absent".
    return (values) => want.some((m) => m(values === undefined || values.length === 0 ? 'true' : 'false'));
  }
  const family = FAMILIES[name];
  if (!family) throw new ConditionError(`unknown condition operator ${operator}`);
  const tests = policyValues.map((pv) => family.compile(pv));
  // One request value against the policy's values: any matches (positive), none matches (negated).
  const one = (v: string) => (family.negated ? !tests.some((t) => t(v)) : tests.some((t) => t(v)));

  return (values) => {
    const absent = values === undefined || values.length === 0;
    if (set === 'all') return absent || values.every(one);
    if (set === 'any') return !absent && values.some(one);
    if (absent) return ifExists || family.negated;
    return values.some(one);
  };
}
