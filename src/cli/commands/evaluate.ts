import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import type { EvaluationMetrics } from '../../evaluate/types.js';
import { evaluateRun } from '../../report/evaluate-run.js';
import { resolveRunDir } from '../../train/run-folder.js';
import { VisionlabError } from '../../errors.js';
import { printable } from '../../util/printable.js';

interface EvaluateFlags {
  data?: string;
  split?: string;
  batchSize?: string;
  runsDir?: string;
  json?: boolean;
  report?: boolean;
}

function f(value: number | null): string {
  return value === null ? 'n/a' : value.toFixed(4);
}

function printMetrics(m: EvaluationMetrics, source: string, skipped: number): void {
  console.log(
    `evaluated ${m.numExamples} images (${printable(source)})${skipped ? `, ${skipped} unreadable skipped` : ''}`,
  );
  console.log(
    `accuracy ${f(m.accuracy)}  log loss ${f(m.logLoss)}  ROC-AUC ${f(m.rocAuc)}  PR-AUC ${f(m.prAuc)}`,
  );
  const width = Math.max(12, ...m.classNames.map((c) => c.length));
  console.log(`\n${'class'.padEnd(width)}  precision  recall     f1  support`);
  const line = (name: string, p: number, r: number, f1: number, support: number) =>
    console.log(
      `${name.padEnd(width)}  ${p.toFixed(4).padStart(9)}  ${r.toFixed(4).padStart(6)}  ${f1.toFixed(4).padStart(5)}  ${String(support).padStart(7)}`,
    );
  for (const c of m.perClass) line(c.className, c.precision, c.recall, c.f1, c.support);
  line('macro avg', m.macro.precision, m.macro.recall, m.macro.f1, m.numExamples);
  line('weighted avg', m.weighted.precision, m.weighted.recall, m.weighted.f1, m.numExamples);
  console.log('\nconfusion matrix (rows: true, columns: predicted)');
  const cell =
    Math.min(
      12,
      Math.max(
        5,
        ...m.classNames.map((c) => c.length),
        ...m.confusionMatrix.flat().map((v) => String(v).length),
      ),
    ) + 2;
  console.log(
    `${''.padEnd(width)}  ${m.classNames.map((c) => c.slice(0, cell - 2).padStart(cell)).join('')}`,
  );
  m.confusionMatrix.forEach((row, i) =>
    console.log(`${m.classNames[i].padEnd(width)}  ${row.map((v) => String(v).padStart(cell)).join('')}`),
  );
  if (m.thresholds) {
    const { bestF1, youden, positiveClass } = m.thresholds;
    const on = m.thresholds.chosenOn
      ? `, chosen on ${m.thresholds.chosenOn.replace(/^split:/, 'the ')}${m.thresholds.chosenOn.startsWith('split:') ? ' split' : ''}`
      : '';
    console.log(`\nthresholds on p(${positiveClass})${on}:`);
    if (bestF1)
      console.log(
        `  best F1      ${bestF1.threshold.toFixed(4)} (F1 ${bestF1.f1.toFixed(4)}, precision ${bestF1.precision.toFixed(4)}, recall ${bestF1.recall.toFixed(4)})`,
      );
    if (youden)
      console.log(
        `  Youden's J   ${youden.threshold.toFixed(4)} (J ${youden.j.toFixed(4)}, TPR ${youden.tpr.toFixed(4)}, FPR ${youden.fpr.toFixed(4)})`,
      );
  }
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
      const batchSize = Number(flags.batchSize ?? 32);
      if (!Number.isInteger(batchSize) || batchSize < 1)
        throw new VisionlabError(`--batch-size must be a positive integer, got ${flags.batchSize}.`);
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
      printMetrics(result.metrics, result.source, result.skipped);
      const own = result.outputDir === runDir;
      console.log(
        `\nwrote metrics.json, confusion/roc/pr charts${flags.report === false || !own ? '' : ' and report.html'} in ${printable(result.outputDir)}`,
      );
    });
}
