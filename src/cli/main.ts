import { Command, Option } from 'commander';
import { fromEnv, fromFile, resolveConfig, type ConfigInput } from '../server/config.js';
import { startServer } from '../server/app.js';
import { exitOnFatalErrors } from '../server/fatal.js';
import { isClusterWorker, reportListening, runPrimary } from '../server/cluster.js';
import { createLogger } from '../server/logger.js';
import { registerAdmin } from './commands/admin.js';
import { registerClientCommands } from './commands/index.js';

const program = new Command();
program.name('stratus').description('Self-hosted object storage speaking S3, OSS, OBS and COS JSON v4').showHelpAfterError();

program
  .command('server')
  .description('run the storage server (SQLite and files under --data by default)')
  .option('--data <dir>', 'data directory (metadata, objects, generated credentials)')
  .option('--address <host:port>', 'listen address (default 127.0.0.1:9000)')
  .option('--access-key <id>', 'root access key id (or STRATUS_ACCESS_KEY)')
  .option('--secret-key <secret>', 'root secret key (or STRATUS_SECRET_KEY)')
  .option('--no-fsync', 'do not fsync objects and metadata (faster, not power-loss safe)')
  .addOption(new Option('--log-level <level>', 'log level').choices(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']))
  .option('--domain <name...>', 'domain(s) for virtual-hosted-style addressing')
  .option('--s3-domain <name...>', 'domain(s) whose unsigned requests S3 answers (also virtual-hosted)')
  .option('--oss-domain <name...>', 'domain(s) whose unsigned requests OSS answers (also virtual-hosted)')
  .option('--obs-domain <name...>', 'domain(s) whose unsigned requests OBS answers (also virtual-hosted)')
  .option('--region <region>', 'the only region signatures may name, given to new buckets (default: none, any signing region is accepted)')
  .option('--meta <url>', 'metadata store: SQLite file path or postgres:// URL')
  .option('--blob <location>', 'blob data: fs (the data directory, default) or s3://bucket/prefix in another S3-compatible system')
  .option('--blob-endpoint <url>', 'http(s)://host:port of the system holding --blob s3://...')
  .option('--blob-access-key <id>', 'access key for --blob s3://... (or STRATUS_BLOB_ACCESS_KEY)')
  .option('--blob-secret-key <secret>', 'secret key for --blob s3://... (or STRATUS_BLOB_SECRET_KEY)')
  .option('--blob-region <region>', 'region the blob store\'s requests are signed for (default us-east-1)')
  .option('--blob-timeout-ms <ms>', 'a blob store request with no progress for this long fails with 503 (default 30000)')
  .option('--appid <digits>', 'COS appid of the root account (or STRATUS_APPID)')
  .option('--website-domain <domain...>', 'website endpoint domain: <bucket>.<domain> serves the static site (default s3-website.<each --domain>)')
  .option('--cos-download-domain <domain>', 'COS download host domain: <bucket>-<appid>.<domain> (default file.localhost)')
  .option('--cos-download-path <path>', 'COS download path form: <path>/<bucket>-<appid>/<file> (default /cos-download)')
  .option('--max-connections <n>', 'concurrent connections accepted (default 1024)')
  .option('--headers-timeout-ms <ms>', 'time a request may take to send its headers (default 20000)')
  .option('--body-timeout-ms <ms>', 'time a request may take to send its body (default 6 hours)')
  .option('--body-min-rate <bytes/s>', 'slowest average upload rate accepted (default 1024, 0: none)')
  .option('--tls-cert <file>', 'PEM certificate chain: serve HTTPS (with --tls-key; re-read on SIGHUP)')
  .option('--tls-key <file>', 'PEM private key for --tls-cert')
  .option('--metrics-address <host:port|same|off>', 'where GET /metrics is served (default: same, the listen address)')
  .option('--workers <n|auto>', 'gateway processes sharing the listen address (default 1; auto: one per core)')
  .option('--no-workers', 'run no background workers (lifecycle, log delivery) in this gateway')
  .option('--lifecycle-day-seconds <n>', 'debug clock: one lifecycle day lasts n seconds')
  .option('--worker-lease-ms <ms>', 'background worker lease: takeover time after a gateway dies (default 30000)')
  .option('--restore-seconds <n>', 'simulated time a restore from an archive storage class takes (default 60)')
  .option('--log-flush-seconds <n>', 'access logs are written into target buckets at this interval (default 60)')
  .option('--config <file>', 'JSON config file (or STRATUS_CONFIG)')
  .action(async (o: Record<string, unknown>) => {
    const configFile = (o.config as string | undefined) ?? process.env.STRATUS_CONFIG;
    const flags: ConfigInput = {
      data: o.data as string | undefined,
      address: o.address as string | undefined,
      accessKey: o.accessKey as string | undefined,
      secretKey: o.secretKey as string | undefined,
      fsync: o.fsync === false ? false : undefined,
      logLevel: o.logLevel as string | undefined,
      domains: o.domain as string[] | undefined,
      websiteDomains: o.websiteDomain as string[] | undefined,
      s3Domains: o.s3Domain as string[] | undefined,
      ossDomains: o.ossDomain as string[] | undefined,
      obsDomains: o.obsDomain as string[] | undefined,
      region: o.region as string | undefined,
      meta: o.meta as string | undefined,
      blob: o.blob as string | undefined,
      blobEndpoint: o.blobEndpoint as string | undefined,
      blobAccessKey: o.blobAccessKey as string | undefined,
      blobSecretKey: o.blobSecretKey as string | undefined,
      blobRegion: o.blobRegion as string | undefined,
      blobTimeoutMs: o.blobTimeoutMs as string | undefined,
      appid: o.appid as string | undefined,
      cosDownloadDomain: o.cosDownloadDomain as string | undefined,
      cosDownloadPath: o.cosDownloadPath as string | undefined,
      maxConnections: o.maxConnections as string | undefined,
      headersTimeoutMs: o.headersTimeoutMs as string | undefined,
      bodyTimeoutMs: o.bodyTimeoutMs as string | undefined,
      bodyMinRate: o.bodyMinRate as string | undefined,
      tlsCert: o.tlsCert as string | undefined,
      tlsKey: o.tlsKey as string | undefined,
      metricsAddress: o.metricsAddress as string | undefined,
      workers: o.workers as string | false | undefined,
      lifecycleDaySeconds: o.lifecycleDaySeconds as string | undefined,
      workerLeaseMs: o.workerLeaseMs as string | undefined,
      restoreSeconds: o.restoreSeconds as string | undefined,
      logFlushSeconds: o.logFlushSeconds as string | undefined,
    };
    let config;
    try {
      config = resolveConfig(configFile ? fromFile(configFile) : {}, fromEnv(process.env), flags);
    } catch (e) {
      console.error(`stratus: ${(e as Error).message}`);
      process.exit(2);
    }
    const log = createLogger(config.logLevel);
    exitOnFatalErrors(log);
    const announce = (url: string, keys: { accessKey: string; secretKey: string; generated: boolean }) => {
      if (keys.generated) console.log(`Generated root credentials (kept in ${config.dataDir}/credentials.json):`);
      console.log(`Stratus listening on ${url}${config.processes > 1 ? ` (${config.processes} gateway processes)` : ''}`);
      console.log(`  access key: ${keys.accessKey}`);
      console.log(`  secret key: ${keys.secretKey}`);
    };
    if (config.processes > 1 && !isClusterWorker()) {
      await runPrimary(config, log, announce);
      return;
    }
    // Signal handlers go in before the server announces itself, so a signal
    // right after the "listening" line still shuts down cleanly.
    let running: Awaited<ReturnType<typeof startServer>> | undefined;
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) return;
      stopping = true;
      log.info({ signal }, 'shutting down');
      (running ? running.close() : Promise.resolve()).then(
        () => process.exit(0),
        (err: unknown) => {
          log.error({ err }, 'shutdown failed');
          process.exit(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
    process.on('SIGHUP', () => {
      running?.reloadTls().then(
        (reloaded) => reloaded && log.info('TLS certificate and key re-read'),
        (err: unknown) => log.error({ err }, 'TLS reload failed; keeping the current certificate'),
      );
    });
    running = await startServer(config, log);
    if (isClusterWorker()) reportListening(running.url);
    else announce(running.url, running.keys);
  });

registerClientCommands(program);
registerAdmin(program);

program.parseAsync(process.argv).catch((e: unknown) => {
  console.error(`stratus: ${(e as Error).message}`);
  process.exit(1);
});
