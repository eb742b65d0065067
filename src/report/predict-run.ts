import path from 'node:path';
import { initBackend } from '../engine/backend.js';
import { VisionlabError } from '../errors.js';
import { expandImagePaths, predictImages, type ImagePrediction } from '../evaluate/predict-images.js';
import { readJsonFile, readRunInputConfig, type RunInputConfig } from '../evaluate/run-config.js';
import { loadOnnxPredictor } from '../export/onnx-predictor.js';
import { loadRunModel, resolveRunDir, RUN_FILES } from '../train/run-folder.js';

/** What runs the model: TF.js, or an exported ONNX file in onnxruntime. */
export const INFERENCE_ENGINES = ['tfjs', 'onnxruntime'] as const;
export type InferenceEngine = (typeof INFERENCE_ENGINES)[number];

export interface PredictRunOptions {
  /** Default `tfjs`. */
  engine?: InferenceEngine;
  /** onnxruntime with a run folder: the ONNX file (default `model.onnx` in the run folder). */
  onnxFile?: string;
  /** Where run names are looked up. Default `runs`. */
  runsDir?: string;
  /** Images per batch. Default 32. */
  batchSize?: number;
  /** Two classes: predict the second when its probability reaches this; `auto`: the run's best-F1 threshold. */
  threshold?: number | 'auto';
}

export interface RunPredictions {
  rows: ImagePrediction[];
  /** The run settings the images were prepared with (its class names among them). */
  input: RunInputConfig;
}

/** The best-F1 threshold the run's evaluation chose on its validation split (`metrics.json`). */
async function chosenThreshold(runDir: string): Promise<number> {
  const file = path.join(runDir, RUN_FILES.metrics);
  const metrics = await readJsonFile(file, 'metrics.json (run `visionlab evaluate` first)');
  const chosen = (metrics.thresholds as { bestF1?: { threshold?: unknown } } | undefined)?.bestF1?.threshold;
  if (typeof chosen !== 'number') {
    throw new VisionlabError(
      `${file} holds no decision threshold`,
      'Thresholds exist for two-class runs once evaluated; or give one, e.g. --threshold 0.3.',
    );
  }
  return chosen;
}

async function resolveThreshold(
  runDir: string | undefined,
  threshold: number | 'auto' | undefined,
): Promise<number | undefined> {
  if (threshold !== 'auto') return threshold;
  if (runDir === undefined)
    throw new VisionlabError(
      '--threshold auto needs the run folder.',
      'Pass the run folder and --onnx FILE.',
    );
  return chosenThreshold(runDir);
}

/**
 * onnxruntime: `run` is an ONNX file written by `visionlab export` (it carries the run's input
 * settings), or a run folder with its ONNX file.
 */
async function predictWithOnnxruntime(
  run: string,
  files: string[],
  options: PredictRunOptions,
): Promise<RunPredictions> {
  const fromFile = run.endsWith('.onnx');
  const runDir = fromFile ? undefined : resolveRunDir(run, options.runsDir);
  const file = fromFile ? run : (options.onnxFile ?? path.join(runDir!, 'model.onnx'));
  const runInput = runDir ? await readRunInputConfig(runDir) : undefined;
  const threshold = await resolveThreshold(runDir, options.threshold);
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
    const rows = await predictImages(predictor, files, input, { batchSize: options.batchSize, threshold });
    return { rows, input };
  } finally {
    await predictor.release();
  }
}

/**
 * Class probabilities for image files and folders (searched recursively) with a run's model (a run
 * folder, or a run name inside `runsDir`), its preprocessing and its class names. An unreadable image
 * gets a row with its error.
 */
export async function predictRun(
  run: string,
  images: readonly string[],
  options: PredictRunOptions = {},
): Promise<RunPredictions> {
  if ((options.engine ?? 'tfjs') === 'onnxruntime') {
    return predictWithOnnxruntime(run, await expandImagePaths(images), options);
  }
  const runDir = resolveRunDir(run, options.runsDir);
  const input = await readRunInputConfig(runDir);
  const threshold = await resolveThreshold(runDir, options.threshold);
  const files = await expandImagePaths(images);
  await initBackend();
  const model = await loadRunModel(runDir);
  try {
    return {
      rows: await predictImages(model, files, input, { batchSize: options.batchSize, threshold }),
      input,
    };
  } finally {
    model.dispose();
  }
}
