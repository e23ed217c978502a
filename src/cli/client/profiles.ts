/**
 * Named profiles, one per endpoint and dialect, in a JSON file
 * (~/.config/stratus/config.json, or STRATUS_CONFIG_FILE), plus the
 * environment. A URL's scheme (s3://, oss://, obs://, cos://) picks the
 * dialect; the profile is the one named by --profile / STRATUS_PROFILE, else
 * the file's default for that scheme, else its only profile of that dialect,
 * else one made from STRATUS_ENDPOINT and the key variables.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DIALECTS, type StratusClientOptions } from '../../sdk/client.js';
import { credentialsFromEnv } from '../../sdk/credentials.js';
import type { DialectName } from '../../sdk/errors.js';
import { usage } from './errors.js';

export type Scheme = 's3' | 'oss' | 'obs' | 'cos';
export const SCHEMES: readonly Scheme[] = ['s3', 'oss', 'obs', 'cos'];

export interface Profile {
  dialect: DialectName;
  endpoint?: string;
  accessKey?: string;
  secretKey?: string;
  sessionToken?: string;
  region?: string;
  pathStyle?: boolean;
  signature?: 'v4' | 'v2' | 'v1';
  appid?: string;
  cosDownloadPath?: string;
}

export interface ConfigFile {
  /** Profile used when a command names no dialect (ls without a URL). */
  defaultProfile?: string;
  /** Profile per URL scheme, when several share a dialect. */
  defaults?: Partial<Record<Scheme, string>>;
  profiles?: Record<string, Profile>;
}

export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.STRATUS_CONFIG_FILE) return path.resolve(env.STRATUS_CONFIG_FILE);
  const base = env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config');
  return path.join(base, 'stratus', 'config.json');
}

export function loadConfig(file: string): ConfigFile {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw usage(`cannot read the config file ${file}: ${(e as Error).message}`);
  }
  let doc: ConfigFile;
  try {
    doc = JSON.parse(text) as ConfigFile;
  } catch (e) {
    throw usage(`the config file ${file} is not valid JSON (${(e as Error).message}); fix it or point STRATUS_CONFIG_FILE elsewhere`);
  }
  for (const [name, p] of Object.entries(doc.profiles ?? {})) {
    if (!p || !DIALECTS.includes(p.dialect)) {
      throw usage(`profile "${name}" in ${file} needs "dialect": one of ${DIALECTS.join(', ')}`);
    }
  }
  return doc;
}

export const schemeOf = (d: DialectName): Scheme => (d === 'obs-v2' ? 'obs' : d);

export interface ResolvedProfile {
  name: string;
  profile: Profile;
  configFile: string;
}

export interface ProfileFlags {
  profile?: string;
  endpoint?: string;
}

/** The profile for a scheme (or, with none, the default profile). */
export function resolveProfile(scheme: Scheme | undefined, flags: ProfileFlags, env: NodeJS.ProcessEnv = process.env): ResolvedProfile {
  const configFile = configPath(env);
  const cfg = loadConfig(configFile);
  const profiles = cfg.profiles ?? {};
  const names = Object.keys(profiles);
  const listed = names.length ? names.join(', ') : 'none';
  const wanted = flags.profile ?? env.STRATUS_PROFILE;
  let name: string | undefined;
  if (wanted !== undefined) {
    if (!profiles[wanted]) {
      throw usage(`unknown profile "${wanted}" (profiles in ${configFile}: ${listed}); add it to that file or pick another with --profile`);
    }
    name = wanted;
    if (scheme && schemeOf(profiles[wanted]!.dialect) !== scheme) {
      throw usage(`profile "${wanted}" speaks ${profiles[wanted]!.dialect}, not ${scheme}: use ${schemeOf(profiles[wanted]!.dialect)}:// URLs with it, or pick a ${scheme} profile`);
    }
  } else if (scheme) {
    const byDefault = cfg.defaults?.[scheme];
    if (byDefault && profiles[byDefault]) name = byDefault;
    else {
      const matching = names.filter((n) => schemeOf(profiles[n]!.dialect) === scheme);
      if (matching.length === 1) name = matching[0];
      else if (matching.length > 1) {
        name = matching.find((n) => n === scheme || n === 'default');
        if (!name) throw usage(`several ${scheme} profiles (${matching.join(', ')}): choose one with --profile, or set "defaults": {"${scheme}": NAME} in ${configFile}`);
      }
    }
  } else {
    name = cfg.defaultProfile && profiles[cfg.defaultProfile] ? cfg.defaultProfile : names.length === 1 ? names[0] : undefined;
    if (!name && names.length > 1) throw usage(`several profiles (${listed}): choose one with --profile, or set "defaultProfile" in ${configFile}`);
  }

  let profile: Profile;
  if (name) profile = { ...profiles[name]! };
  else {
    const endpoint = flags.endpoint ?? env.STRATUS_ENDPOINT;
    if (!endpoint) {
      const s = scheme ?? 's3';
      throw usage(
        `no ${scheme ?? ''}${scheme ? ' ' : ''}profile: add one to ${configFile} ({"profiles": {"local": {"dialect": "${s}", "endpoint": "http://127.0.0.1:9000", "accessKey": "...", "secretKey": "..."}}}) or set STRATUS_ENDPOINT`,
      );
    }
    const dialect = (env.STRATUS_DIALECT as DialectName | undefined) ?? scheme ?? 's3';
    if (!DIALECTS.includes(dialect)) throw usage(`STRATUS_DIALECT must be one of ${DIALECTS.join(', ')}`);
    profile = { dialect, endpoint, region: env.STRATUS_REGION, appid: env.STRATUS_APPID };
    name = 'environment';
  }
  if (flags.endpoint) profile.endpoint = flags.endpoint;
  if (!profile.endpoint) throw usage(`profile "${name}" has no endpoint: add "endpoint": "http://host:port" to it in ${configFile}`);
  // Keys missing from the profile come from the environment.
  if (!profile.accessKey || !profile.secretKey) {
    const c = credentialsFromEnv(profile.dialect, env);
    if (c) {
      profile.accessKey = c.accessKeyId;
      profile.secretKey = c.secretAccessKey;
      profile.sessionToken ??= c.sessionToken;
    }
  }
  return { name, profile, configFile };
}

export function clientOptions(p: Profile): StratusClientOptions {
  return {
    dialect: p.dialect,
    endpoint: p.endpoint!,
    credentials: p.accessKey && p.secretKey ? { accessKeyId: p.accessKey, secretAccessKey: p.secretKey, sessionToken: p.sessionToken } : 'env',
    region: p.region,
    pathStyle: p.pathStyle,
    signature: p.signature,
    appid: p.appid,
    cosDownloadPath: p.cosDownloadPath,
  };
}
