import { Command, CommanderError } from 'commander';
import { VisionlabError } from '../errors.js';
import { commands } from './commands/index.js';
import { packageVersion } from '../train/package-root.js';
import { printableLines } from '../util/printable.js';

/** Runs the command line; resolves to the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const program = new Command('visionlab')
    .description('Build, train, fine-tune, evaluate and compare image classifiers on Node.js.')
    .version(packageVersion())
    .option('--verbose', 'print stack traces on errors')
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)');
  for (const register of commands) register(program);
  try {
    await program.parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode;
    const verbose = argv.includes('--verbose');
    if (err instanceof VisionlabError && !verbose) {
      console.error(`error: ${printableLines(err.message)}`);
    } else if (!verbose) {
      console.error(
        `error: ${printableLines((err as Error).message ?? String(err))} (run with --verbose for details)`,
      );
    } else {
      console.error(err);
    }
    return 1;
  }
}
