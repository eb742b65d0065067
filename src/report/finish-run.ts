import { evaluateRun, type RunEvaluation } from './evaluate-run.js';
import { writeReport } from './html-report.js';

/**
 * What every finished run gets: its test metrics when it held out a test split (metrics.json, the
 * evaluation charts and report.html), else its report.html alone. Returns the evaluation, if any.
 */
export async function finishRun(
  runDir: string,
  hasTestSplit: boolean,
  options: { onWarning?: (message: string) => void } = {},
): Promise<RunEvaluation | undefined> {
  if (!hasTestSplit) {
    await writeReport(runDir);
    return undefined;
  }
  return evaluateRun(runDir, { onWarning: options.onWarning });
}
