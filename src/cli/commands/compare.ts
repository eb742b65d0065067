import type { Command } from 'commander';
import { VisionlabError } from '../../errors.js';
import { buildCompareHtml, collectRuns } from '../../report/compare.js';
import { formatComparison } from '../../report/format-comparison.js';
import { resolveRunDir } from '../../train/run-folder.js';
import { writeOutputFile } from '../../report/output-file.js';

interface CompareFlags {
  output: string;
  runsDir?: string;
  json?: boolean;
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'compare runs side by side (parameters, epochs, validation and test metrics, time) with overlaid curves',
    )
    .argument('<runs...>', 'two or more run folders or names inside --runs-dir, or one freeze-search folder')
    .option('-o, --output <file>', 'HTML page to write', 'compare.html')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--json', 'print the comparison as JSON')
    .action(async (names: string[], flags: CompareFlags) => {
      const runs = await collectRuns(names.map((n) => resolveRunDir(n, flags.runsDir, '', true)));
      if (runs.length < 2)
        throw new VisionlabError(
          'compare needs at least two runs (or a freeze-search folder, whose trials it compares).',
          'Example: visionlab compare alexnet-run googlenet-run davit-run',
        );
      await writeOutputFile(flags.output, await buildCompareHtml(runs));
      if (flags.json) {
        console.log(
          JSON.stringify(
            runs.map(({ history: _history, ...r }) => r),
            null,
            2,
          ),
        );
        return;
      }
      console.log(formatComparison(runs));
      console.log(`\nwrote ${flags.output}`);
    });
}
