import type { Authorizer } from '../authz/authorizer.js';
import type { Directory } from '../authz/directory.js';
import type { Workers } from '../workers/index.js';
import type { Engine } from '../engine/engine.js';
import type { Credential } from '../auth/s3-verify.js';
import type { Identity } from '../identity/identity.js';
import type { DialectDomains } from './front-door.js';

export interface ServerSettings {
  /** Domains under which `<bucket>.<domain>` is virtual-hosted addressing. */
  domains: string[];
  /** The only region signatures may name; unset: any (see Config.region). */
  region?: string;
  /** A request body idle for this long fails with RequestTimeout. */
  bodyIdleMs: number;
  /** Largest accepted clock difference for signed requests. */
  maxSkewMs: number;
  /** COS download addressing: host `<bucket>-<appid>.<domain>` and path `<path>/<bucket>-<appid>/`. */
  cosDownload?: { domain: string; path: string };
  /** Website endpoints: `<bucket>.<website domain>` serves the bucket's static site (website/serve.ts). */
  websiteDomains?: string[];
  /** Hosts whose unsigned requests each XML dialect answers (`<domain>`, `<bucket>.<domain>`); also virtual-hosted domains. */
  dialectDomains?: DialectDomains;
}

/** What the front ends need from the running server. */
export interface Services {
  engine: Engine;
  /** The one authorization step every dialect runs before a handler. */
  authorizer: Authorizer;
  /** Accounts, users and their policies, as the authorizer and ACL handlers need them. */
  directory: Directory;
  /** This gateway's background workers, once started (none with --no-workers): the operator API reports and runs them. */
  workers?: Workers;
  /** Accounts, users, keys, roles and sessions (the IAM / STS front end's store). */
  identity: Identity;
  settings: ServerSettings;
  lookupCredential(accessKeyId: string): Promise<Credential | undefined>;
}
