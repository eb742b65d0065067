import { createHash } from 'node:crypto';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imageDatasetFromDirectory, type ImageDataset } from '../data/index.js';
import { evaluate, type EvaluationResult } from '../evaluate/evaluate.js';
import { filesDataset } from '../evaluate/files-dataset.js';
import type { LayersModel } from '@tensorflow/tfjs-layers';
import { readRunInputConfig, readSplitFiles, type RunInputConfig } from '../evaluate/run-config.js';
import type { BinaryThresholds } from '../evaluate/types.js';
import { loadRunModel, RUN_FILES, sweepRunTempFiles } from '../train/run-folder.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { writeEvaluationCharts } from './evaluation-charts.js';
import { writeReport } from './html-report.js';

export interface EvaluateRunOptions {
  /** Evaluate on this class-per-folder tree instead of a split recorded in `dataset.json`. */
  dataDir?: string;
  /** Split of `dataset.json` to evaluate on. Default `test`. */
  split?: string;
  batchSize?: number;
  /** Also rewrite `report.html`. Default true. */
  report?: boolean;
  onProgress?: (done: number, total: number) => void;
  onWarning?: (message: string) => void;
}

export interface RunEvaluation extends EvaluationResult {
  /** What was evaluated: `split:test` or the data folder. */
  source: string;
  /** Files that could not be read (left out of the metrics). */
  skipped: number;
  /** The folder its metrics.json and charts went to: the run folder for its own test split, else evaluations/<data>/. */
  outputDir: string;
}

/**
 * Where an evaluation is stored: the run's own test split in the run folder (the dashboard's "test acc" and
 * the report), anything else beside it in `evaluations/<name>`, named by the data: `split-validation`, or a
 * folder's name and a hash of its path.
 */
export function evaluationDir(runDir: string, source: string): string {
  if (source === 'split:test') return runDir;
  const name = source.startsWith('split:')
    ? `split-${source.slice(6)}`
    : `${path.basename(source).replace(/[^A-Za-z0-9._-]/g, '_')}-${createHash('sha256').update(source).digest('hex').slice(0, 8)}`;
  return path.join(runDir, RUN_FILES.evaluations, name);
}

async function datasetFor(
  runDir: string,
  input: RunInputConfig,
  options: EvaluateRunOptions,
): Promise<{ dataset: ImageDataset; source: string }> {
  if (options.dataDir) {
    const dataset = await imageDatasetFromDirectory(options.dataDir, {
      imageSize: input.imageSize,
      colorMode: input.colorMode,
      classNames: input.classNames,
      interpolation: input.interpolation,
      cropToAspectRatio: input.cropToAspectRatio,
      labelMode: 'int',
      shuffle: false,
      batchSize: options.batchSize ?? 32,
      onWarning: options.onWarning,
    });
    return { dataset, source: path.resolve(options.dataDir) };
  }
  const split = options.split ?? 'test';
  const files = await readSplitFiles(runDir, split);
  return {
    dataset: filesDataset(files, input, { batchSize: options.batchSize, onWarning: options.onWarning }),
    source: `split:${split}`,
  };
}

/**
 * Evaluates a run's saved model on its held-out test split (or a folder), with the run's own image
 * size, colour mode, preprocessing and class names; writes `metrics.json`, the evaluation charts and
 * (by default) `report.html` into the run folder.
 */
export async function evaluateRun(runDir: string, options: EvaluateRunOptions = {}): Promise<RunEvaluation> {
  await sweepRunTempFiles(runDir);
  const input = await readRunInputConfig(runDir);
  const { dataset, source } = await datasetFor(runDir, input, options);
  const model = await loadRunModel(runDir);
  let result: EvaluationResult;
  let thresholds: BinaryThresholds | undefined;
  try {
    result = await evaluate(model, dataset, {
      preprocessing: input.preprocessing,
      onProgress: options.onProgress,
    });
    if (result.metrics.thresholds && source === 'split:test') {
      thresholds = await validationThresholds(runDir, model, input, options);
    }
  } finally {
    model.dispose();
  }
  if (thresholds) result.metrics.thresholds = thresholds;
  else if (result.metrics.thresholds) result.metrics.thresholds.chosenOn = source;
  // Files dropped when the dataset was built, and those that failed to decode during the pass.
  const skipped = dataset.skipped?.length ?? dataset.length - result.predictions.labels.length;
  const outputDir = evaluationDir(runDir, source);
  const evaluation: RunEvaluation = { ...result, source, skipped, outputDir };
  const metricsJson = {
    evaluatedAt: new Date().toISOString(),
    source,
    skipped,
    backend: tf.getBackend(),
    ...result.metrics,
  };
  await writeFileAtomic(path.join(outputDir, RUN_FILES.metrics), `${JSON.stringify(metricsJson, null, 2)}\n`);
  await writeEvaluationCharts(outputDir, result.metrics, result.predictions);
  if ((options.report ?? true) && outputDir === runDir) await writeReport(runDir);
  return evaluation;
}

/** Decision thresholds chosen on the run's validation split, when it lists its files; else undefined. */
async function validationThresholds(
  runDir: string,
  model: LayersModel,
  input: RunInputConfig,
  options: EvaluateRunOptions,
): Promise<BinaryThresholds | undefined> {
  const files = await readSplitFiles(runDir, 'validation').catch(() => undefined);
  if (!files) return undefined;
  const dataset = filesDataset(files, input, { batchSize: options.batchSize, onWarning: options.onWarning });
  const { metrics } = await evaluate(model, dataset, { preprocessing: input.preprocessing });
  return metrics.thresholds ? { ...metrics.thresholds, chosenOn: 'split:validation' } : undefined;
}
