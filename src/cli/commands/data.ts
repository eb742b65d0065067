import type { Command } from 'commander';
import { formatInspectReport, inspectImageDirectory, type InspectOptions } from '../../data/index.js';
import { VisionlabError } from '../../errors.js';
import {
  parseFraction,
  parseNonNegativeInt,
  parsePositiveInt,
  parsePositiveNumber,
} from '../../flags/index.js';
import { printable } from '../../util/printable.js';

/** A commander argument parser from one of ours, which names the flag. */
function flag<T>(name: string, parse: (flag: string, text: string) => T): (text: string) => T {
  return (text) => parse(`--${name}`, text);
}

/** The inspect options a flag sets (all but `concurrency`), plus `--json`. */
type InspectFlags = Omit<InspectOptions, 'concurrency'> & { json?: boolean };

export function registerData(program: Command): void {
  const data = program.command('data').description('look at datasets before training on them');
  data
    .command('inspect')
    .argument('<dir>', 'folder with one sub-folder per class (or train/validation/test folders of those)')
    .description('class counts, image sizes, unreadable files, duplicates, split leakage and class imbalance')
    .option('--json', 'print one JSON object')
    .option(
      '--validation-split <fraction>',
      'check leakage for the split training would make',
      flag('validation-split', parseFraction),
    )
    .option(
      '--test-split <fraction>',
      'check leakage for the split training would make',
      flag('test-split', parseFraction),
    )
    .option('--seed <n>', 'seed of that split', flag('seed', parseNonNegativeInt))
    .option(
      '--max-pixels <n>',
      'treat larger images as unreadable (decompression bombs)',
      flag('max-pixels', parsePositiveInt),
    )
    .option('--follow-links', 'follow symbolic links to folders')
    .option(
      '--imbalance-ratio <r>',
      'warn when the largest class is this many times the smallest (default 1.5)',
      flag('imbalance-ratio', parsePositiveNumber),
    )
    .action(async (dir: string, flags: InspectFlags) => {
      const report = await inspectImageDirectory(dir, flags);
      console.log(flags.json ? JSON.stringify(report, null, 2) : formatInspectReport(report));
      if (report.problems.length > 0) {
        throw new VisionlabError(
          `${printable(dir)} cannot be trained on: ${report.problems.map(printable).join('; ')}`,
          'Give every class a sub-folder with readable images; at least two classes.',
        );
      }
    });
}
