/** Short names accepted for the longer Keras option names, in config files and `key=value` flag lists. */
const ALIASES: Record<string, string> = {
  restoreBest: 'restoreBestWeights',
  restore: 'restoreBestWeights',
  minLr: 'minLR',
  lr: 'learningRate',
  warmup: 'warmupEpochs',
  decay: 'decayEpochs',
};

function camel(key: string): string {
  return key.replace(/[-_]([a-z0-9])/g, (_, c: string) => c.toUpperCase());
}

/** An option key as the config uses it: `restore_best_weights`, `restore-best` and `restoreBestWeights` alike. */
export function optionKey(raw: string): string {
  return ALIASES[camel(raw)] ?? camel(raw);
}
