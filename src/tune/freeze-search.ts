import { existsSync, promises as fs } from 'node:fs';
import path from 'node:path';
import { VisionlabError } from '../errors.js';
import type { TrainConfig } from '../train/config.js';
import { ULMFIT_LR_FACTOR } from '../train/layer-groups.js';
import { runDirectory } from '../train/run-training.js';
import { buildModelFor, initTrainingBackend, loadTrainingData } from '../train/training-setup.js';
import { modelStructure } from '../freeze/structure.js';
import { preprocessDataset } from '../train/preprocess-dataset.js';
import { autoRgn } from './auto-rgn.js';
import { rankByRgn, type RankedCandidate } from './rank-candidates.js';
import { freezeCandidates, type CandidateMode, type FreezeCandidate } from './candidates.js';
import { InProcessExecutor, type TrialExecutor, type TrialReport } from './executor.js';
import { successiveHalving } from './halving.js';
import { openSearchState, saveSearchState } from './search-state.js';

export const SEARCH_STRATEGIES = ['fixed', 'lp-ft', 'gradual'] as const;
export type SearchStrategy = (typeof SEARCH_STRATEGIES)[number];

export interface FreezeSearchOptions {
  /** Where to cut (default auto: blocks when a backbone has at most 8, else stages). */
  candidates?: CandidateMode;
  /** Epochs of the last rung: no trial trains longer (default 4). */
  budget?: number;
  /** Keep the better 1/eta per rung (default 2). */
  eta?: number;
  /**
   * `fixed`: each trial trains at its freeze point. `lp-ft` (Kumar et al., ICLR 2022): each trial first
   * trains the head alone (linear probing for half the rung's epochs, at least 1, one probe shared by
   * all candidates of the rung), then fine-tunes from there at its freeze point for the rung's epochs.
   * `gradual` (fastai, Howard & Ruder 2018): the same head-first probe, then the rung's epochs in phases
   * (at most one per epoch), each unfreezing more stages (blocks) from the head down until the trial's
   * freeze point, with discriminative learning rates: the head at the learning rate, each stage (block)
   * below at the one above ÷ 2.6 (ULMFiT's factor). Each phase is a run folder (`<trial>-p1`, …, the
   * last one the trial's own).
   */
  strategy?: SearchStrategy;
  /** Search name: its folder in the runs folder (default `<model>-freeze-search`). */
  name?: string;
  /**
   * `auto-rgn`: before the halving, score each candidate by Auto-RGN (Lee et al., ICLR 2023) on a few
   * training batches and keep the `rankKeep` best cuts (default half), with full fine-tuning and head-only.
   */
  rank?: 'auto-rgn';
  rankKeep?: number;
  /** Batches Auto-RGN averages over (default 4). */
  rankBatches?: number;
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
  /** With `rank: 'auto-rgn'`: the relative gradient norm of the backbone weights it trains (null for head-only). */
  rgn?: number | null;
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
  /** With `rank: 'auto-rgn'`: every candidate's RGN, best first, and whether it was kept. */
  ranking?: Array<{ freeze: string; rgn: number | null; kept: boolean }>;
}

/** The search folder's disk cache of frozen-prefix outputs, shared by its trials. */
const PREFIX_CACHE_DIR = 'prefix-cache';

const slug = (label: string): string => label.replace(/=/g, '');

/** A trial of several phases as one: the last phase's result, every phase's epochs and time. */
function combineTrials(phases: TrialReport[]): TrialReport {
  const last = phases[phases.length - 1];
  const epochs = phases.reduce((sum, p) => sum + p.epochs, 0);
  const seconds = phases.reduce((sum, p) => sum + p.secondsPerEpoch * p.epochs, 0);
  const history: TrialReport['history'] = [];
  for (const p of phases) history.push(...p.history.map((h) => ({ ...h, epoch: h.epoch + history.length })));
  return { ...last, epochs, secondsPerEpoch: epochs > 0 ? seconds / epochs : 0, history };
}

/**
 * Gradual unfreezing's phases for a trial of `epochs` epochs that ends at `path[path.length - 1]`
 * (`path`: the freeze points from the head down, each unfreezing one more stage or block): at most one
 * phase per epoch, the freeze points and the epochs spread evenly over them.
 */
export function gradualPhases<T>(path: readonly T[], epochs: number): Array<{ freeze: T; epochs: number }> {
  const count = Math.min(epochs, path.length);
  return Array.from({ length: count }, (_, p) => ({
    freeze: path[Math.ceil((path.length * (p + 1)) / count) - 1],
    epochs: Math.floor((epochs * (p + 1)) / count) - Math.floor((epochs * p) / count),
  }));
}

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
  const keep = options.rankKeep;
  if (keep !== undefined && (!Number.isInteger(keep) || keep < 1)) {
    throw new VisionlabError(`rankKeep=${keep}: give the cuts to keep, a whole number ≥ 1`);
  }
  const name = options.name ?? `${config.model}-freeze-search`;
  const dir = runDirectory(config.runsDir, name);
  await initTrainingBackend(log);
  const data = await loadTrainingData(config, log);
  const built = await buildModelFor(config, data.classNames.length, data.inputShape);
  let candidates: FreezeCandidate[];
  let ranking: RankedCandidate[] | undefined;
  try {
    candidates = freezeCandidates(built.model, options.candidates ?? 'auto');
    if (options.rank === 'auto-rgn') {
      const rgn = await autoRgn(built.model, preprocessDataset(data.splits.train, built.preprocessing), {
        batches: options.rankBatches,
      });
      const headStart = modelStructure(built.model).headStart;
      ranking = rankByRgn(candidates, rgn.layers, headStart, options.rankKeep);
      log(
        `Auto-RGN on ${rgn.batches} batches: ${ranking.map((r) => `${r.candidate.label} ${r.rgn === undefined ? '–' : r.rgn.toExponential(2)}${r.kept ? '' : ' (pruned)'}`).join(', ')}`,
      );
      const kept = new Set(ranking.filter((r) => r.kept).map((r) => r.candidate));
      candidates = candidates.filter((c) => kept.has(c));
    }
  } finally {
    built.model.dispose();
  }
  log(
    `freeze-search ${name}: ${candidates.length} candidates (${candidates.map((c) => c.label).join(', ')})`,
  );
  const rgnOf = new Map(ranking?.map((r) => [r.candidate.label, r.rgn]));
  const base: TrainConfig = {
    ...config,
    runsDir: dir,
    freezeUntil: undefined,
    freezeNames: undefined,
    freezeStages: undefined,
    freezeBlocks: undefined,
    freezeKinds: undefined,
    earlyStopping: undefined,
    checkpoint: false,
    verbose: 0,
    frozenPrefixCache: true,
    // Trials with the same frozen prefix (later rungs, the probes, worker processes) share its outputs.
    frozenPrefixCacheDir: path.join(dir, PREFIX_CACHE_DIR),
    discriminativeLr: undefined,
  };
  const settings = {
    config: {
      ...base,
      runsDir: undefined,
      name: undefined,
      epochs: undefined,
      frozenPrefixCacheDir: undefined,
    },
    candidates: candidates.map((c) => c.label),
    budget,
    eta: options.eta ?? 2,
    strategy: options.strategy ?? 'fixed',
    ...(options.rank ? { rank: options.rank } : {}),
  };
  await fs.mkdir(dir, { recursive: true });
  const state = await openSearchState(dir, name, config.model, settings);
  await saveSearchState(dir, state);
  const executor = options.executor ?? new InProcessExecutor();
  const reused: string[] = [];
  const runOnce = async (id: string, trial: TrainConfig): Promise<TrialReport> => {
    const done = state.trials[id];
    if (done && done.epochs === trial.epochs) {
      reused.push(id);
      log(`  ${id}: done before (val_loss ${done.valLoss.toFixed(4)})`);
      return done;
    }
    // A trial killed half-way left a partial run folder: start it again.
    const trialDir = path.join(dir, id);
    if (existsSync(trialDir)) await fs.rm(trialDir, { recursive: true, force: true });
    log(`  ${id}: ${trial.epochs} epoch${trial.epochs === 1 ? '' : 's'}`);
    const report = await executor.run({ id, config: { ...trial, name: id } });
    log(
      `  ${id}: val_loss ${report.valLoss.toFixed(4)}, val_accuracy ${report.valAccuracy.toFixed(4)}, ${report.secondsPerEpoch.toFixed(1)} s/epoch`,
    );
    state.trials[id] = report;
    await saveSearchState(dir, state);
    return report;
  };
  const headOnly = candidates.find((c) => c.label === 'head-only');
  const unit = candidates.some((c) => c.freeze.freezeBlocks !== undefined) ? 'blocks' : 'stages';
  // Shallowest freeze first: a deeper trial computes its frozen prefix from a shallower one's cached outputs.
  const halving = successiveHalving(
    candidates,
    { maxEpochs: budget, eta: options.eta },
    async (candidate, epochs, rung) => {
      const id = `r${rung}-${slug(candidate.label)}`;
      if (settings.strategy === 'fixed' || candidate === headOnly || !headOnly) {
        return runOnce(id, { ...base, ...candidate.freeze, epochs });
      }
      const lpEpochs = Math.max(1, Math.floor(epochs / 2));
      const lp = await runOnce(`lp-e${lpEpochs}`, { ...base, ...headOnly.freeze, epochs: lpEpochs });
      if (settings.strategy === 'lp-ft') {
        const ft = await runOnce(id, {
          ...base,
          ...candidate.freeze,
          epochs,
          initialWeights: path.join(lp.runDir, 'model'),
        });
        return combineTrials([lp, ft]);
      }
      const from = candidates.indexOf(headOnly);
      const unfreezing = candidates.slice(candidates.indexOf(candidate), from).reverse();
      const phases = gradualPhases(unfreezing, epochs);
      const reports = [lp];
      for (const [p, phase] of phases.entries()) {
        const previous = reports[reports.length - 1];
        reports.push(
          await runOnce(p === phases.length - 1 ? id : `${id}-p${p + 1}`, {
            ...base,
            ...phase.freeze.freeze,
            epochs: phase.epochs,
            initialWeights: path.join(previous.runDir, 'model'),
            discriminativeLr: { unit, factor: ULMFIT_LR_FACTOR },
          }),
        );
      }
      return combineTrials(reports);
    },
  );
  const rungs = await halving.catch(async (err: Error) => {
    const ended = new Date().toISOString();
    await saveSearchState(dir, { ...state, status: 'failed', endedAt: ended, message: err.message });
    throw err;
  });
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
        ...(ranking ? { rgn: rgnOf.get(c.label) ?? null } : {}),
      });
    }
  });
  const rows = candidates.map((c) => latest.get(c.label)!);
  const best = latest.get(rungs[rungs.length - 1].results[0].candidate.label)!;
  state.status = 'finished';
  state.endedAt = new Date().toISOString();
  state.best = best.freeze;
  state.results = rows.map(({ freeze, runDir, valLoss, valAccuracy, epochs }) => ({
    freeze,
    runDir,
    valLoss,
    valAccuracy,
    epochs,
  }));
  await saveSearchState(dir, state);
  // The search is done: its prefix outputs go (a killed search keeps them for its resume).
  await fs.rm(path.join(dir, PREFIX_CACHE_DIR), { recursive: true, force: true });
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
    ...(ranking
      ? { ranking: ranking.map((r) => ({ freeze: r.candidate.label, rgn: r.rgn ?? null, kept: r.kept })) }
      : {}),
  };
}

/**
 * The training config that continues a search's winner into a full run: from the winning trial's
 * weights, at its freeze point, for the config's epochs, with early stopping that restores the best
 * weights unless the config sets its own.
 */
export function bestFreezeConfig(config: TrainConfig, result: FreezeSearchResult): TrainConfig {
  return {
    ...config,
    ...result.best.freezeConfig,
    initialWeights: path.join(result.best.runDir, 'model'),
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
