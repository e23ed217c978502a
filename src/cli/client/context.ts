/**
 * The common part of every client command: options (--profile,
 * --endpoint, --json, --quiet, --no-progress), one client per scheme, and
 * the wrapper that turns errors into messages and exit codes.
 */
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { StratusClient } from '../../sdk/client.js';
import { clientOptions, resolveProfile, type ResolvedProfile, type Scheme } from './profiles.js';
import { explain, EXIT_OK, type ErrorContext } from './errors.js';
import { Output } from './output.js';

export interface CommonOptions {
  profile?: string;
  endpoint?: string;
  json?: boolean;
  quiet?: boolean;
  progress?: boolean;
  caBundle?: string;
  insecure?: boolean;
}

export function addCommonOptions(cmd: Command): Command {
  return cmd
    .option('--profile <name>', 'profile from the config file (or STRATUS_PROFILE)')
    .option('--endpoint <url>', "override the profile's endpoint")
    .option('--json', 'print the result as JSON (for scripts)')
    .option('-q, --quiet', 'print nothing but errors')
    .option('--no-progress', 'no progress bars even on a terminal')
    .option('--ca-bundle <file>', 'PEM certificate authorities to trust for https endpoints (or STRATUS_CA_BUNDLE)')
    .option('--insecure', 'accept any https certificate (self-signed test servers; or STRATUS_INSECURE=1)');
}

/** Trust for https endpoints: a CA bundle file, or none at all with --insecure. */
export function tlsOptions(o: CommonOptions, env: NodeJS.ProcessEnv = process.env): { ca?: Buffer; insecure?: boolean } {
  const bundle = o.caBundle ?? env.STRATUS_CA_BUNDLE;
  const insecure = o.insecure === true || /^(1|true|yes)$/i.test(env.STRATUS_INSECURE ?? '');
  return { ...(bundle ? { ca: readFileSync(bundle) } : {}), ...(insecure ? { insecure } : {}) };
}

export class CliContext {
  readonly out: Output;
  readonly #clients = new Map<string, { client: StratusClient; profile: ResolvedProfile }>();
  /** What the command works on, for error advice. */
  errorContext: ErrorContext = {};

  constructor(readonly opts: CommonOptions) {
    this.out = new Output(opts);
  }

  /** The client for a URL scheme (or the default profile). */
  client(scheme?: Scheme): { client: StratusClient; profile: ResolvedProfile } {
    const k = scheme ?? '';
    let c = this.#clients.get(k);
    if (!c) {
      const profile = resolveProfile(scheme, this.opts);
      this.errorContext = { ...this.errorContext, profile: profile.name, endpoint: profile.profile.endpoint, configFile: profile.configFile };
      c = { client: new StratusClient({ ...clientOptions(profile.profile), ...tlsOptions(this.opts), maxSockets: 64 }), profile };
      this.#clients.set(k, c);
    }
    return c;
  }

  /** Whether two schemes resolve to the very same client (same profile). */
  sameClient(a: Scheme, b: Scheme): boolean {
    return this.client(a).profile.name === this.client(b).profile.name;
  }

  close(): void {
    this.out.close();
    for (const c of this.#clients.values()) c.client.destroy();
  }
}

/** Runs a command body; any error becomes a message on stderr (and JSON with --json) and an exit code. */
export function action<A extends unknown[]>(body: (ctx: CliContext, ...args: A) => Promise<void>) {
  return async (...args: unknown[]) => {
    const cmd = args[args.length - 1] as Command;
    const opts = cmd.optsWithGlobals() as CommonOptions;
    const ctx = new CliContext(opts);
    try {
      await body(ctx, ...(args.slice(0, -1) as A));
      process.exitCode = process.exitCode ?? EXIT_OK;
    } catch (e) {
      ctx.out.close();
      const x = explain(e, ctx.errorContext);
      ctx.out.error(x.message);
      ctx.out.emit({ error: { code: x.code, status: x.status, message: x.message, requestId: x.requestId } });
      process.exitCode = x.exitCode;
    } finally {
      ctx.close();
    }
  };
}
