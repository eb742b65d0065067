import { promises as fs } from 'node:fs';
import { readRunFolder } from '../track/read-run-folder.js';
import { runFile } from '../train/run-folder.js';
import { writeCurves } from './curves.js';
import { writeReport, type ReportOptions } from './html-report.js';

/** Rewrites a run's curves (when it has a history) and its report.html; says whether it holds test metrics yet. */
export async function rewriteReport(
  runDir: string,
  options: ReportOptions = {},
): Promise<{ file: string; hasMetrics: boolean }> {
  const folder = await readRunFolder(runDir);
  if (folder.history.length > 0) {
    await writeCurves(runDir, folder.history, { restoredEpoch: folder.state?.restoredEpoch });
  }
  const file = await writeReport(runDir, options);
  const hasMetrics = await fs
    .access(runFile(runDir, 'metrics'))
    .then(() => true)
    .catch(() => false);
  return { file, hasMetrics };
}
