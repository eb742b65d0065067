import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { rewriteReport } from '../../report/rewrite-report.js';
import { resolveRunDir } from '../../train/run-folder.js';

interface ReportFlags {
  runsDir?: string;
  modelSummary?: boolean;
}

export function registerReport(program: Command): void {
  program
    .command('report')
    .description(
      "rewrite a run's curves and its self-contained report.html (config, dataset, model, charts, metrics)",
    )
    .argument('<run>', 'run folder, or run name inside --runs-dir')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option('--no-model-summary', 'do not load the model to print its layers')
    .action(async (run: string, flags: ReportFlags) => {
      const runDir = resolveRunDir(run, flags.runsDir);
      await initBackend();
      const { file, hasMetrics } = await rewriteReport(runDir, { modelSummary: flags.modelSummary });
      console.log(
        `wrote ${file}${hasMetrics ? '' : ` (no test metrics yet: run visionlab evaluate ${run})`}`,
      );
    });
}
