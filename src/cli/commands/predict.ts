import type { Command } from 'commander';
import { VisionlabError } from '../../errors.js';
import { formatPredictions, predictionsCsv } from '../../evaluate/format-predictions.js';
import { parseBatchSize, parseEngine, parseThreshold } from '../../flags/index.js';
import { predictRun } from '../../report/predict-run.js';

interface PredictFlags {
  json?: boolean;
  csv?: boolean;
  batchSize: string;
  runsDir?: string;
  threshold?: string;
  engine: string;
  onnx?: string;
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
      '--threshold <p|auto>',
      "two classes: predict the second when its probability reaches p (auto: the run's best-F1 threshold, chosen on validation)",
    )
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
      const { rows, input } = await predictRun(run, images, {
        engine: parseEngine(flags.engine),
        onnxFile: flags.onnx,
        runsDir: flags.runsDir,
        batchSize: parseBatchSize(flags.batchSize),
        threshold: flags.threshold === undefined ? undefined : parseThreshold(flags.threshold),
      });
      if (flags.json) console.log(JSON.stringify(rows, null, 2));
      else if (flags.csv) console.log(predictionsCsv(rows, input.classNames).trimEnd());
      else if (rows.length > 0) console.log(formatPredictions(rows, input.classNames));
      const failed = rows.filter((r) => r.error).length;
      if (failed > 0) console.error(`${failed} of ${rows.length} image(s) could not be read`);
    });
}
