import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { formatMetrics } from '../../evaluate/format-metrics.js';
import { parseBatchSize } from '../../flags/index.js';
import { evaluateRun } from '../../report/evaluate-run.js';
import { resolveRunDir } from '../../train/run-folder.js';
import { printable } from '../../util/printable.js';

interface EvaluateFlags {
  data?: string;
  split?: string;
  batchSize: string;
  runsDir?: string;
  json?: boolean;
  report?: boolean;
}

export function registerEvaluate(program: Command): void {
  program
    .command('evaluate')
    .description(
      "evaluate a run's model on its held-out test split (or a folder); writes metrics.json, charts and report.html",
    )
    .argument('<run>', 'run folder, or run name inside --runs-dir')
    .option(
      '--data <dir>',
      "evaluate on this class-per-folder tree instead of the run's test split (stored in evaluations/)",
    )
    .option('--split <name>', 'split of dataset.json to evaluate on', 'test')
    .option('--batch-size <n>', 'images per batch', '32')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--no-report', 'do not rewrite report.html')
    .option('--json', 'print metrics.json content instead of tables')
    .action(async (run: string, flags: EvaluateFlags) => {
      const batchSize = parseBatchSize(flags.batchSize);
      const runDir = resolveRunDir(run, flags.runsDir);
      await initBackend();
      const result = await evaluateRun(runDir, {
        dataDir: flags.data,
        split: flags.split,
        batchSize,
        report: flags.report,
        onWarning: (m) => console.error(m),
      });
      if (flags.json) {
        console.log(
          JSON.stringify(
            { runDir, source: result.source, skipped: result.skipped, ...result.metrics },
            null,
            2,
          ),
        );
        return;
      }
      console.log(formatMetrics(result.metrics, result.source, result.skipped));
      const own = result.outputDir === runDir;
      console.log(
        `\nwrote metrics.json, confusion/roc/pr charts${flags.report === false || !own ? '' : ' and report.html'} in ${printable(result.outputDir)}`,
      );
    });
}
