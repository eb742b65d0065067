import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { imageDatasetFromDirectory, type ImageDataset } from '../data/index.js';
import { evaluate, type EvaluationResult } from '../evaluate/evaluate.js';
import { filesDataset } from '../evaluate/files-dataset.js';
import { loadModelFromDir } from '../evaluate/load-model.js';
import { readRunInputConfig, readSplitFiles, type RunInputConfig } from '../evaluate/run-config.js';
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
  const input = await readRunInputConfig(runDir);
  const { dataset, source } = await datasetFor(runDir, input, options);
  const model = await loadModelFromDir(path.join(runDir, 'model'));
  let result: EvaluationResult;
  try {
    result = await evaluate(model, dataset, {
      preprocessing: input.preprocessing,
      onProgress: options.onProgress,
    });
  } finally {
    model.dispose();
  }
  const skipped = dataset.length - result.predictions.labels.length;
  const evaluation: RunEvaluation = { ...result, source, skipped };
  const metricsJson = {
    evaluatedAt: new Date().toISOString(),
    source,
    skipped,
    backend: tf.getBackend(),
    ...result.metrics,
  };
  await writeFileAtomic(path.join(runDir, 'metrics.json'), `${JSON.stringify(metricsJson, null, 2)}\n`);
  await writeEvaluationCharts(runDir, result.metrics, result.predictions);
  if (options.report ?? true) await writeReport(runDir);
  return evaluation;
}
