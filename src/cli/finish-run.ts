import { finishRun } from '../report/finish-run.js';

/** Evaluates a finished run (or writes its report when it has no test split) and says so in one line. */
export async function evaluateAndReport(
  runDir: string,
  hasTestSplit: boolean,
  print: (line: string) => void = (line) => console.log(line),
): Promise<void> {
  const evaluation = await finishRun(runDir, hasTestSplit, { onWarning: (m) => print(`warning: ${m}`) });
  if (!evaluation) return;
  const { metrics } = evaluation;
  print(
    `test: accuracy ${metrics.accuracy.toFixed(4)}, log loss ${metrics.logLoss.toFixed(4)}; report.html written`,
  );
}
