/** What a trial reports back to the search. */
export interface TrialOutcome {
  valLoss: number;
  valAccuracy: number;
}

export interface HalvingOptions {
  /** Epochs of the first rung (default 1). */
  minEpochs?: number;
  /** Epochs no trial exceeds: the budget of the last rung. */
  maxEpochs: number;
  /** Keep 1/eta of the candidates per rung, and give them eta times the epochs (default 2). */
  eta?: number;
}

export interface Rung<C, R extends TrialOutcome> {
  epochs: number;
  results: Array<{ candidate: C; result: R }>;
}

/** Lower validation loss first; a NaN loss (a diverged trial) last. */
export function byValidationLoss<R extends TrialOutcome>(a: R, b: R): number {
  const x = Number.isFinite(a.valLoss) ? a.valLoss : Infinity;
  const y = Number.isFinite(b.valLoss) ? b.valLoss : Infinity;
  return x - y || b.valAccuracy - a.valAccuracy;
}

/**
 * Successive halving (Jamieson & Talwalkar 2016): every candidate trains for `minEpochs`, the better
 * 1/eta (by validation loss) for eta times as long, and so on until one is left or `maxEpochs` is reached.
 * Each trial starts from the same initial weights. Returns the rungs in order; the best candidate
 * is the first result of the last rung.
 */
export async function successiveHalving<C, R extends TrialOutcome>(
  candidates: readonly C[],
  options: HalvingOptions,
  runTrial: (candidate: C, epochs: number, rung: number) => Promise<R>,
): Promise<Array<Rung<C, R>>> {
  const eta = options.eta ?? 2;
  let epochs = Math.min(options.minEpochs ?? 1, options.maxEpochs);
  let survivors = [...candidates];
  const rungs: Array<Rung<C, R>> = [];
  for (let rung = 0; survivors.length > 0; rung++) {
    const results: Rung<C, R>['results'] = [];
    for (const candidate of survivors)
      results.push({ candidate, result: await runTrial(candidate, epochs, rung) });
    results.sort((a, b) => byValidationLoss(a.result, b.result));
    rungs.push({ epochs, results });
    if (survivors.length === 1 || epochs >= options.maxEpochs) break;
    survivors = results.slice(0, Math.ceil(results.length / eta)).map((r) => r.candidate);
    epochs = Math.min(options.maxEpochs, epochs * eta);
  }
  return rungs;
}
