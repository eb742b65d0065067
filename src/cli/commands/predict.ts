import path from 'node:path';
import type { Command } from 'commander';
import { initBackend } from '../../engine/backend.js';
import { VisionlabError } from '../../errors.js';
import { loadModelFromDir } from '../../evaluate/load-model.js';
import { expandImagePaths, predictImages, type ImagePrediction } from '../../evaluate/predict-images.js';
import { readRunInputConfig, type RunInputConfig } from '../../evaluate/run-config.js';
import { loadOnnxPredictor } from '../../export/onnx-predictor.js';
import { resolveRunDir } from '../../report/run-dir.js';

interface PredictFlags {
  json?: boolean;
  csv?: boolean;
  batchSize?: string;
  runsDir?: string;
  engine?: string;
  onnx?: string;
}

/**
 * `--engine onnxruntime`: `<run>` is an ONNX file written by `visionlab export` (it carries the run's
 * input settings), or a run folder with `--onnx FILE` (default `model.onnx` in the run folder).
 */
async function predictWithOnnxruntime(
  run: string,
  files: string[],
  flags: PredictFlags,
): Promise<{ rows: ImagePrediction[]; input: RunInputConfig }> {
  const fromFile = run.endsWith('.onnx');
  const runDir = fromFile ? undefined : resolveRunDir(run, flags.runsDir);
  const file = fromFile ? run : (flags.onnx ?? path.join(runDir!, 'model.onnx'));
  const runInput = runDir ? await readRunInputConfig(runDir) : undefined;
  const predictor = await loadOnnxPredictor(file, runInput);
  try {
    const input = runInput ?? predictor.inputConfig;
    if (!input) {
      throw new VisionlabError(
        `${file} holds no run settings (image size, classes).`,
        'Pass the run folder and --onnx FILE instead.',
      );
    }
    await initBackend();
    const rows = await predictImages(predictor, files, input, {
      batchSize: Number(flags.batchSize ?? 32) || 32,
    });
    return { rows, input };
  } finally {
    await predictor.release();
  }
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
    .argument('<run>', 'run folder, or run name inside --runs-dir (an .onnx file with --engine onnxruntime)')
    .argument('<images...>', 'image files and/or folders (searched recursively)')
    .option('--json', 'print a JSON array')
    .option('--csv', 'print CSV (file, predicted, confidence, one column per class, error)')
    .option('--batch-size <n>', 'images per batch', '32')
    .option('--runs-dir <dir>', 'where run folders are', 'runs')
    .option(
      '--engine <tfjs|onnxruntime>',
      'run the TF.js model, or an exported ONNX file in onnxruntime',
      'tfjs',
    )
    .option(
      '--onnx <file>',
      'with --engine onnxruntime and a run folder: the ONNX file (default <run>/model.onnx)',
    )
    .action(async (run: string, images: string[], flags: PredictFlags) => {
      if (flags.json && flags.csv) throw new VisionlabError('Choose one of --json and --csv.');
      if (flags.engine !== 'tfjs' && flags.engine !== 'onnxruntime')
        throw new VisionlabError(`Unknown --engine "${flags.engine}".`, 'Use tfjs or onnxruntime.');
      const files = await expandImagePaths(images);
      let rows: ImagePrediction[];
      let input: RunInputConfig;
      if (flags.engine === 'onnxruntime') {
        ({ rows, input } = await predictWithOnnxruntime(run, files, flags));
      } else {
        const runDir = resolveRunDir(run, flags.runsDir);
        input = await readRunInputConfig(runDir);
        await initBackend();
        const model = await loadModelFromDir(path.join(runDir, 'model'));
        try {
          rows = await predictImages(model, files, input, { batchSize: Number(flags.batchSize ?? 32) || 32 });
        } finally {
          model.dispose();
        }
      }
      if (flags.json) console.log(JSON.stringify(rows, null, 2));
      else if (flags.csv) console.log(predictionsCsv(rows, input.classNames).trimEnd());
      else {
        const width = Math.min(60, Math.max(...rows.map((r) => r.source.length)));
        for (const r of rows) {
          const detail = r.error
            ? `error: ${r.error}`
            : `${r.predicted} ${r.confidence!.toFixed(4)}  (${input.classNames.map((c) => `${c} ${r.probabilities![c].toFixed(4)}`).join(', ')})`;
          console.log(`${r.source.padEnd(width)}  ${detail}`);
        }
      }
      const failed = rows.filter((r) => r.error).length;
      if (failed > 0) console.error(`${failed} of ${rows.length} image(s) could not be read`);
    });
}
