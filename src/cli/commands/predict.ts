import path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { VisionlabError } from '../../errors.js';
import { expandImagePaths, predictImages, type ImagePrediction } from '../../evaluate/predict-images.js';
import { readJsonFile, readRunInputConfig } from '../../evaluate/run-config.js';
import { loadRunModel, resolveRunDir, RUN_FILES } from '../../train/run-folder.js';
import { printable } from '../../util/printable.js';

interface PredictFlags {
  json?: boolean;
  csv?: boolean;
  batchSize?: string;
  runsDir?: string;
  threshold?: string;
}

/** `--threshold 0.3`, or `auto`: the best-F1 threshold the run's evaluation chose on its validation split. */
async function resolveThreshold(runDir: string, value: string | undefined): Promise<number | undefined> {
  if (value === undefined) return undefined;
  if (value !== 'auto') {
    const t = Number(value);
    if (value.trim() === '' || !(t >= 0 && t <= 1)) {
      throw new VisionlabError(`--threshold "${value}" is not a probability between 0 and 1, or auto`);
    }
    return t;
  }
  const metrics = await readJsonFile(
    path.join(runDir, RUN_FILES.metrics),
    'metrics.json (run `visionlab evaluate` first)',
  );
  const chosen = (metrics.thresholds as { bestF1?: { threshold?: unknown } } | undefined)?.bestF1?.threshold;
  if (typeof chosen !== 'number') {
    throw new VisionlabError(
      `${path.join(runDir, RUN_FILES.metrics)} holds no decision threshold`,
      'Thresholds exist for two-class runs once evaluated; or give one, e.g. --threshold 0.3.',
    );
  }
  return chosen;
}

function csvCell(value: string): string {
  return /[",\n\r]/.test(value) ? `"${value.replace(/"/g, '""')}"` : value;
}

/** CSV with a header `file,predicted,confidence,<class…>,error`. */
export function predictionsCsv(rows: readonly ImagePrediction[], classNames: readonly string[]): string {
  const lines = [['file', 'predicted', 'confidence', ...classNames, 'error'].map(csvCell).join(',')];
  for (const r of rows) {
    lines.push(
      [
        r.source,
        r.predicted ?? '',
        r.confidence?.toString() ?? '',
        ...classNames.map((c) => r.probabilities?.[c]?.toString() ?? ''),
        r.error ?? '',
      ]
        .map(csvCell)
        .join(','),
    );
  }
  return `${lines.join('\n')}\n`;
}

export function registerPredict(program: Command): void {
  program
    .command('predict')
    .description("class probabilities for images, with the run's own preprocessing and class names")
    .argument('<run>', 'run folder, or run name inside --runs-dir')
    .argument('<images...>', 'image files and/or folders (searched recursively)')
    .option('--json', 'print a JSON array')
    .option('--csv', 'print CSV (file, predicted, confidence, one column per class, error)')
    .option('--batch-size <n>', 'images per batch', '32')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option(
      '--threshold <p|auto>',
      "two classes: predict the second when its probability reaches p (auto: the run's best-F1 threshold, chosen on validation)",
    )
    .action(async (run: string, images: string[], flags: PredictFlags) => {
      if (flags.json && flags.csv) throw new VisionlabError('Choose one of --json and --csv.');
      const runDir = resolveRunDir(run, flags.runsDir);
      const input = await readRunInputConfig(runDir);
      const threshold = await resolveThreshold(runDir, flags.threshold);
      const files = await expandImagePaths(images);
      await initBackend();
      const model = await loadRunModel(runDir);
      let rows: ImagePrediction[];
      try {
        rows = await predictImages(model, files, input, {
          batchSize: Number(flags.batchSize ?? 32) || 32,
          threshold,
        });
      } finally {
        model.dispose();
      }
      if (flags.json) console.log(JSON.stringify(rows, null, 2));
      else if (flags.csv) console.log(predictionsCsv(rows, input.classNames).trimEnd());
      else {
        const width = Math.min(60, Math.max(...rows.map((r) => printable(r.source).length)));
        for (const r of rows) {
          const detail = r.error
            ? `error: ${printable(r.error)}`
            : `${r.predicted} ${r.confidence!.toFixed(4)}  (${input.classNames.map((c) => `${c} ${r.probabilities![c].toFixed(4)}`).join(', ')})`;
          console.log(`${printable(r.source).padEnd(width)}  ${detail}`);
        }
      }
      const failed = rows.filter((r) => r.error).length;
      if (failed > 0) console.error(`${failed} of ${rows.length} image(s) could not be read`);
    });
}
