import type { Command } from 'commander';
import { promises as fs } from 'node:fs';
import { initBackend } from '../../engine/backend.js';
import { writeCurves } from '../../report/curves.js';
import { writeReport } from '../../report/html-report.js';
import { resolveRunDir } from '../../train/run-folder.js';
import { readRunFolder } from '../../track/read-run-folder.js';
import { runFile } from '../../train/run-folder.js';

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
      const folder = await readRunFolder(runDir);
      if (folder.history.length > 0) {
        await writeCurves(runDir, folder.history, { restoredEpoch: folder.state?.restoredEpoch });
      }
      const file = await writeReport(runDir, { modelSummary: flags.modelSummary });
      const hasMetrics = await fs
        .access(runFile(runDir, 'metrics'))
        .then(() => true)
        .catch(() => false);
      console.log(
        `wrote ${file}${hasMetrics ? '' : ` (no test metrics yet: run visionlab evaluate ${run})`}`,
      );
    });
}
