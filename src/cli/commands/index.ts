/** The client commands of `stratus`, and the exit-code convention (2 for usage errors). */
import type { Command } from 'commander';
import { EXIT_USAGE } from '../client/errors.js';
import { registerAppend } from './append.js';
import { registerCat } from './cat.js';
import { registerCp, registerMv } from './cp.js';
import { registerLs } from './ls.js';
import { registerMb } from './mb.js';
import { registerPresign } from './presign.js';
import { registerRb } from './rb.js';
import { registerRm } from './rm.js';
import { registerStat } from './stat.js';
import { registerSync } from './sync.js';

export function registerClientCommands(program: Command): void {
  // Argument and option mistakes exit with 2; help and version with 0.
  program.exitOverride((err) => {
    const ok = err.exitCode === 0 || err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version';
    process.exit(ok ? 0 : EXIT_USAGE);
  });
  registerLs(program);
  registerMb(program);
  registerRb(program);
  registerCp(program);
  registerMv(program);
  registerRm(program);
  registerSync(program);
  registerCat(program);
  registerStat(program);
  registerPresign(program);
  registerAppend(program);
}
