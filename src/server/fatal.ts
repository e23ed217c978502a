import type { Logger } from 'pino';

/** Exit status of a server that died of an error it did not handle (EX_SOFTWARE). */
export const FATAL_EXIT_CODE = 70;
/** First words of the line a dying server writes to stderr; supervisors and tests look for it. */
export const FATAL_MARKER = 'stratus: fatal';

/**
 * A server process that meets an uncaught exception or an unhandled rejection
 * is in an unknown state: it logs the error, says so on stderr with a fixed
 * marker, and exits with FATAL_EXIT_CODE so a supervisor restarts it (and a
 * test fails) rather than serving on half-broken.
 */
export function exitOnFatalErrors(log: Logger): void {
  const die = (kind: string) => (err: unknown) => {
    log.fatal({ err }, kind);
    process.stderr.write(`${FATAL_MARKER} ${kind}: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`, () => process.exit(FATAL_EXIT_CODE));
    // stderr may be a pipe nobody drains: do not wait for it for ever.
    setTimeout(() => process.exit(FATAL_EXIT_CODE), 1000).unref();
  };
  process.on('uncaughtException', die('uncaught exception'));
  process.on('unhandledRejection', die('unhandled rejection'));
}
