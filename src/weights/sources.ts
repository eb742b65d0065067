import { VisionlabError } from '../errors.js';
import { getModel, listModels } from '../models/registry.js';
import type { ChecksumAlgorithm, PretrainedWeights } from '../models/types.js';

export type { ChecksumAlgorithm };

/** A downloadable pretrained weights file and how to verify it (the part of `PretrainedWeights` a download needs). */
export type PretrainedSource = Pick<PretrainedWeights, 'fileName' | 'url' | 'checksum' | 'origin'> & {
  layout: PretrainedWeights['layout'];
  checksumNote?: string;
};

/**
 * Sources registered at run time (mirrors, test servers); they take precedence over the family files'
 * declarations (`ModelSpec.pretrained`), which are the zoo's own list.
 */
export const PRETRAINED_SOURCES: Record<string, Record<string, PretrainedSource>> = {};

/** Adds or replaces a model's pretrained source (e.g. a mirror, or a model of your own). */
export function registerPretrainedSource(model: string, tag: string, source: PretrainedSource): void {
  PRETRAINED_SOURCES[model] = { ...(PRETRAINED_SOURCES[model] ?? {}), [tag]: source };
}

function declared(model: string): PretrainedSource[] {
  try {
    return getModel(model).pretrained ?? [];
  } catch {
    return [];
  }
}

/** Every model that has pretrained weights, with their tags: `davit_t:imagenet`, … */
export function knownPretrained(): string[] {
  const tags = new Map<string, Set<string>>();
  for (const spec of listModels()) {
    for (const w of spec.pretrained ?? []) tags.set(spec.name, (tags.get(spec.name) ?? new Set()).add(w.tag));
  }
  for (const [model, sources] of Object.entries(PRETRAINED_SOURCES)) {
    for (const tag of Object.keys(sources)) tags.set(model, (tags.get(model) ?? new Set()).add(tag));
  }
  return [...tags].flatMap(([model, set]) => [...set].map((tag) => `${model}:${tag}`));
}

/** The file to download for `pretrained: tag` of a zoo model (its family file's declaration). */
export function pretrainedSource(model: string, tag: string): PretrainedSource {
  const registered = PRETRAINED_SOURCES[model]?.[tag];
  if (registered) return registered;
  const own = declared(model).find((w) => (w as PretrainedWeights).tag === tag);
  if (own && own.layout === 'tfjs-bundled') {
    throw new VisionlabError(
      `The "${tag}" weights of ${model} ship inside an npm package; there is nothing to download.`,
      `Use buildTransferModel({ backbone: '${model}', pretrained: '${tag}' }) (or --model ${model} --pretrained ${tag}).`,
    );
  }
  if (own) return own;
  const forModel = knownPretrained().filter((k) => k.startsWith(`${model}:`));
  throw new VisionlabError(
    `No pretrained weights "${tag}" are known for model "${model}".`,
    `${forModel.length ? `Known: ${forModel.join(', ')}. ` : ''}Models with pretrained weights: ${knownPretrained().join(', ')}. Or pass the path of a Keras .h5 or .keras file as \`pretrained\`.`,
  );
}
