import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import type { TrainConfig } from '../train/config.js';
import { runDirectory } from '../train/run-training.js';
import { buildModelFor, initTrainingBackend, loadTrainingData } from '../train/training-setup.js';
import { freezeCandidates, type CandidateMode, type FreezeCandidate } from './candidates.js';
import { InProcessExecutor, type TrialExecutor, type TrialReport } from './executor.js';
import { successiveHalving } from './halving.js';
import { openSearchState, saveSearchState } from './search-state.js';

export interface FreezeSearchOptions {
  /** Where to cut (default auto: blocks when a backbone has at most 8, else stages). */
  candidates?: CandidateMode;
  /** Epochs of the last rung: no trial trains longer (default 4). */
  budget?: number;
  /** Keep the better 1/eta per rung (default 2). */
  eta?: number;
  /** Search name: its folder in the runs folder (default `<model>-freeze-search`). */
  name?: string;
  executor?: TrialExecutor;
  log?: (line: string) => void;
}

/** One row of the results: a candidate at the longest rung it reached. */
export interface FreezeSearchRow {
  freeze: string;
  /** The config keys that make this freeze point (`freezeStages`, `freezeBlocks`, `freezeUntil`). */
  freezeConfig: FreezeCandidate['freeze'];
  frozenLayers: number;
  trainableParams: number;
  valLoss: number;
  valAccuracy: number;
  epochs: number;
  secondsPerEpoch: number;
  rung: number;
  runDir: string;
}

export interface FreezeSearchResult {
  name: string;
  dir: string;
  candidates: FreezeSearchRow[];
  best: FreezeSearchRow;
  /** Every trial, rung by rung. */
  rungs: Array<{ epochs: number; trials: Array<{ freeze: string; id: string } & TrialReport> }>;
  /** Trials taken from an earlier, interrupted run of the same search. */
  reused: string[];
}

const slug = (label: string): string => label.replace(/=/g, '');

/**
 * Searches the freeze point: short fine-tunes of `config`'s model at candidate cuts (stage or block
 * boundaries, full fine-tuning and head-only included) under successive halving. Each trial is a run
 * folder inside `<runsDir>/<name>/`; `search.json` there records the finished ones, so running the same
 * search again skips them. Every trial starts from the same weights with the same seed.
 */
export async function freezeSearch(
  config: TrainConfig,
  options: FreezeSearchOptions = {},
): Promise<FreezeSearchResult> {
  const log = options.log ?? ((line: string) => console.error(line));
  const budget = options.budget ?? 4;
  if (!Number.isInteger(budget) || budget < 1) {
    throw new VisionlabError(`budget=${budget}: give the epochs of the longest trial, a whole number ≥ 1`);
  }
  const name = options.name ?? `${config.model}-freeze-search`;
  const dir = runDirectory(config.runsDir, name);
  await initTrainingBackend(log);
  const data = await loadTrainingData(config, log);
  const built = await buildModelFor(config, data.classNames.length, data.inputShape);
  let candidates: FreezeCandidate[];
  try {
    candidates = freezeCandidates(built.model, options.candidates ?? 'auto');
  } finally {
    built.model.dispose();
  }
  log(
    `freeze-search ${name}: ${candidates.length} candidates (${candidates.map((c) => c.label).join(', ')})`,
  );
  const base: TrainConfig = {
    ...config,
    runsDir: dir,
    freezeUntil: undefined,
    freezeNames: undefined,
    freezeStages: undefined,
    freezeBlocks: undefined,
    earlyStopping: undefined,
    checkpoint: false,
    verbose: 0,
  };
  const settings = {
    config: { ...base, runsDir: undefined, name: undefined, epochs: undefined },
    candidates: candidates.map((c) => c.label),
    budget,
    eta: options.eta ?? 2,
  };
  await fs.mkdir(dir, { recursive: true });
  const state = await openSearchState(dir, name, settings);
  const executor = options.executor ?? new InProcessExecutor();
  const reused: string[] = [];
  const rungs = await successiveHalving(
    candidates,
    { maxEpochs: budget, eta: options.eta },
    async (candidate, epochs, rung) => {
      const id = `r${rung}-${slug(candidate.label)}`;
      const done = state.trials[id];
      if (done && done.epochs === epochs) {
        reused.push(id);
        log(`  ${id}: done before (val_loss ${done.valLoss.toFixed(4)})`);
        return done;
      }
      // A trial killed half-way left a partial run folder: start it again.
      const trialDir = path.join(dir, id);
      if (existsSync(trialDir)) await fs.rm(trialDir, { recursive: true, force: true });
      log(`  ${id}: ${candidate.label}, ${epochs} epoch${epochs === 1 ? '' : 's'}`);
      const report = await executor.run({
        id,
        config: { ...base, ...candidate.freeze, name: id, epochs },
      });
      log(
        `  ${id}: val_loss ${report.valLoss.toFixed(4)}, val_accuracy ${report.valAccuracy.toFixed(4)}, ${report.secondsPerEpoch.toFixed(1)} s/epoch`,
      );
      state.trials[id] = report;
      await saveSearchState(dir, state);
      return report;
    },
  );
  const latest = new Map<string, FreezeSearchRow>();
  rungs.forEach((r, rung) => {
    for (const { candidate: c, result } of r.results) {
      latest.set(c.label, {
        freeze: c.label,
        freezeConfig: c.freeze,
        frozenLayers: c.frozenLayers,
        trainableParams: c.trainableParams,
        valLoss: result.valLoss,
        valAccuracy: result.valAccuracy,
        epochs: result.epochs,
        secondsPerEpoch: result.secondsPerEpoch,
        rung,
        runDir: result.runDir,
      });
    }
  });
  const rows = candidates.map((c) => latest.get(c.label)!);
  const best = latest.get(rungs[rungs.length - 1].results[0].candidate.label)!;
  await saveSearchState(dir, state);
  return {
    name,
    dir,
    candidates: rows,
    best,
    rungs: rungs.map((r) => ({
      epochs: r.epochs,
      trials: r.results.map(({ candidate, result }) => ({ freeze: candidate.label, ...result })),
    })),
    reused,
  };
}

/**
 * The training config that continues a search's winner into a full run: its freeze point, the config's
 * epochs, and early stopping with the best weights restored unless the config sets its own.
 */
export function bestFreezeConfig(config: TrainConfig, result: FreezeSearchResult): TrainConfig {
  return {
    ...config,
    ...result.best.freezeConfig,
    name: config.name ?? `${result.name}-best`,
    earlyStopping: config.earlyStopping ?? {
      monitor: 'val_loss',
      minDelta: 0,
      patience: 3,
      mode: 'auto',
      restoreBestWeights: true,
      startFromEpoch: 0,
      verbose: 1,
    },
  };
}
