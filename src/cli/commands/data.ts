import type { Command } from 'commander';
import { formatInspectReport, inspectImageDirectory, type InspectOptions } from '../../data/index.js';
import { VisionlabError } from '../../errors.js';
import { printable } from '../../util/printable.js';

function number(name: string): (value: string) => number {
  return (value) => {
    const parsed = Number(value);
    if (!Number.isFinite(parsed)) throw new VisionlabError(`--${name} expects a number, got "${value}".`);
    return parsed;
  };
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
      number('validation-split'),
    )
    .option(
      '--test-split <fraction>',
      'check leakage for the split training would make',
      number('test-split'),
    )
    .option('--seed <n>', 'seed of that split', number('seed'))
    .option(
      '--max-pixels <n>',
      'treat larger images as unreadable (decompression bombs)',
      number('max-pixels'),
    )
    .option('--follow-links', 'follow symbolic links to folders')
    .option(
      '--imbalance-ratio <r>',
      'warn when the largest class is this many times the smallest (default 1.5)',
      number('imbalance-ratio'),
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
