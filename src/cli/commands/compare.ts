import type { Command } from 'commander';
import { VisionlabError } from '../../errors.js';
import { buildCompareHtml, collectRuns, COMPARISON_ROWS } from '../../report/compare.js';
import { resolveRunDir } from '../../train/run-folder.js';
import { writeOutputFile } from '../../report/output-file.js';

interface CompareFlags {
  output: string;
  runsDir?: string;
  json?: boolean;
}

function text(value: number | string | null, digits = 4): string {
  if (value === null) return '–';
  if (typeof value === 'string') return value;
  return Number.isInteger(value) ? String(value) : value.toFixed(digits);
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description(
      'compare runs side by side (parameters, epochs, validation and test metrics, time) with overlaid curves',
    )
    .argument('<runs...>', 'two or more run folders, or run names inside --runs-dir')
    .option('-o, --output <file>', 'HTML page to write', 'compare.html')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--json', 'print the comparison as JSON')
    .action(async (names: string[], flags: CompareFlags) => {
      if (names.length < 2)
        throw new VisionlabError(
          'compare needs at least two runs.',
          'Example: visionlab compare alexnet-run googlenet-run davit-run',
        );
      const runs = await collectRuns(names.map((n) => resolveRunDir(n, flags.runsDir)));
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
      const width = Math.max(...COMPARISON_ROWS.map((r) => r.label.length));
      const columns = runs.map((r) => Math.max(12, r.name.length));
      console.log(`${''.padEnd(width)}  ${runs.map((r, i) => r.name.padStart(columns[i])).join('  ')}`);
      for (const row of COMPARISON_ROWS) {
        console.log(
          `${row.label.padEnd(width)}  ${runs.map((r, i) => text(row.value(r), row.digits).padStart(columns[i])).join('  ')}`,
        );
      }
      console.log(`\nwrote ${flags.output}`);
    });
}
