import { VisionlabError } from '../errors.js';
import type { TrainConfig } from '../train/config.js';
import { preprocessDataset } from '../train/preprocess-dataset.js';
import { setRandomSeed } from '../train/random.js';
import type { FindLearningRateArgs } from '../train/run-training.js';
import {
  buildModelFor,
  freezeFromConfig,
  initTrainingBackend,
  loadTrainingData,
} from '../train/training-setup.js';
import { lrFind, type LrFindOptions, type LrFindResult } from './lr-find.js';

export interface LrFindRunResult extends LrFindResult {
  model: string;
  /** What was frozen, as `freeze` describes it. */
  freeze?: string;
}

export interface LrFindRunOptions extends LrFindOptions {
  log?: (line: string) => void;
}

/**
 * `visionlab lr-find` as a library call: the data, model and freezing of a training config (as
 * `trainRun` would build them), then `lrFind` on the training split.
 */
export async function lrFindForConfig(
  config: TrainConfig,
  options: LrFindRunOptions = {},
): Promise<LrFindRunResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  await initTrainingBackend(log);
  const data = await loadTrainingData(config, log);
  const built = await buildModelFor(config, data.classNames.length, data.inputShape);
  try {
    const frozen = freezeFromConfig(built.model, config);
    if (frozen) log(frozen.description);
    const result = await lrFind(built.model, preprocessDataset(data.splits.train, built.preprocessing), {
      optimizer: { name: config.optimizer, momentum: config.momentum },
      ...options,
    });
    return { ...result, model: config.model, freeze: frozen?.description };
  } finally {
    built.model.dispose();
  }
}

export interface LrFindHookOptions extends LrFindOptions {
  /** Draws the curve into the run folder (the report module's `writeLrFindChart`). */
  writeChart?: (runDir: string, result: LrFindResult) => Promise<void>;
}

/** The `findLearningRate` hook of `trainRun` for `learningRate: 'auto'`: runs `lrFind`, reseeds, returns the suggestion. */
export function lrFindHook(options: LrFindHookOptions = {}): (args: FindLearningRateArgs) => Promise<number> {
  return async ({ model, train, optimizer, runDir, seed, log }) => {
    log('learning rate: auto; running the learning-rate finder');
    const result = await lrFind(model, train, { optimizer, ...options });
    if (!Number.isFinite(result.suggestion) || result.suggestion <= 0) {
      throw new VisionlabError(`the learning-rate finder found no usable rate (${result.suggestion})`);
    }
    await options.writeChart?.(runDir, result);
    // Training starts from the same random state as it would have without the search.
    setRandomSeed(seed);
    log(
      `learning rate: ${result.suggestion.toPrecision(3)} (${result.ruleDescription}; ${result.points.length} batches, stopped by ${result.stoppedBy})`,
    );
    return result.suggestion;
  };
}
