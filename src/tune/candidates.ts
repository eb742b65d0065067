import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { countTrainableParams } from '../freeze/counts.js';
import { freeze, unfreeze } from '../freeze/freeze.js';
import { modelStructure } from '../freeze/structure.js';

/** Where a search may cut: at stage boundaries, at block boundaries, or whichever gives a handful. */
export type CandidateMode = 'stages' | 'blocks' | 'auto';

/** The freeze keys of a training config that a candidate sets (none: full fine-tuning). */
export interface CandidateFreeze {
  freezeUntil?: number;
  freezeStages?: number;
  freezeBlocks?: number;
}

export interface FreezeCandidate {
  /** `full`, `stem`, `stages=2`, `blocks=5`, `head-only`. */
  label: string;
  freeze: CandidateFreeze;
  /** Layers frozen, counted from the input: the depth of the cut. */
  frozenLayers: number;
  trainableParams: number;
  /** Indices of the layers with weights that the candidate trains. */
  trainableLayers: number[];
}

/** `auto` cuts at blocks when there are at most this many, else at stages. */
const AUTO_MAX_BLOCKS = 8;

/**
 * The freeze points a search tries, from full fine-tuning to head-only: nothing frozen, the stem, the
 * stem and the first k stages (or blocks) for each k, and the whole backbone. Points that freeze the same
 * layers appear once. The model is left unfrozen.
 */
export function freezeCandidates(model: LayersModel, mode: CandidateMode = 'auto'): FreezeCandidate[] {
  const structure = modelStructure(model);
  if (structure.family === null) {
    throw new VisionlabError(
      `the layer names of "${model.name}" show no stages or blocks to cut at`,
      'freeze-search needs a backbone from the zoo (DaViT, ResNet, MobileNetV2, EfficientNet, ConvNeXt, …).',
    );
  }
  const unit = mode === 'auto' ? (structure.blocks <= AUTO_MAX_BLOCKS ? 'blocks' : 'stages') : mode;
  const count = unit === 'blocks' ? structure.blocks : structure.stages;
  const specs: Array<{ label: string; freeze: CandidateFreeze }> = [{ label: 'full', freeze: {} }];
  for (let k = 0; k <= count; k++) {
    const label = k === 0 ? 'stem' : `${unit}=${k}`;
    specs.push({ label, freeze: unit === 'blocks' ? { freezeBlocks: k } : { freezeStages: k } });
  }
  specs.push({ label: 'head-only', freeze: { freezeUntil: structure.headStart } });
  const seen = new Set<string>();
  const out: FreezeCandidate[] = [];
  for (const { label, freeze: f } of specs) {
    unfreeze(model);
    const report =
      f.freezeUntil !== undefined || f.freezeStages !== undefined || f.freezeBlocks !== undefined
        ? freeze(model, { until: f.freezeUntil, stages: f.freezeStages, blocks: f.freezeBlocks })
        : undefined;
    const frozen = model.layers.filter((l) => !l.trainable && l.weights.length > 0).map((l) => l.name);
    const key = frozen.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      label,
      freeze: f,
      frozenLayers: report ? Math.max(0, ...report.indices.map((i) => i + 1)) : 0,
      trainableParams: countTrainableParams(model),
      trainableLayers: model.layers.flatMap((l, i) => (l.trainable && l.weights.length > 0 ? [i] : [])),
    });
  }
  unfreeze(model);
  return out;
}
