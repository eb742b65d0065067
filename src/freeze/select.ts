import type { LayersModel } from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { modelStructure, type LayerPlace, type ModelStructure } from './structure.js';

/**
 * What to freeze; every criterion given adds layers (their union is frozen):
 * `{ until: 80 }` the first 80 layers (Keras: `for layer in model.layers[:80]: layer.trainable = False`),
 * `{ names: /^stack1_/ }` layers by name, `{ stages: 2 }` the stem and the first two stages,
 * `{ blocks: 3 }` the stem and the first three blocks, `{ backbone: true }` everything but the head
 * (linear probing), `{ kinds: ['BatchNormalization'] }` every layer of those classes (Keras'
 * `isinstance(layer, BatchNormalization)`, timm's `freeze_batch_norm_2d`). Stages and blocks are read
 * from the layer names, so they hold the same weights at every input size; an index can fall elsewhere
 * when an input size adds padding layers.
 */
export interface FreezeSpec {
  until?: number;
  names?: RegExp | string;
  stages?: number;
  blocks?: number;
  backbone?: boolean;
  /** Layer class names as `visionlab summary` prints them, matched without regard to case. */
  kinds?: string[];
}

function wholeNumber(what: string, value: number, max: number, hint: string): void {
  if (!Number.isInteger(value) || value < 0 || value > max) {
    throw new VisionlabError(`${what}=${value} is not a whole number from 0 to ${max}.`, hint);
  }
}

function needStructure(structure: ModelStructure, model: LayersModel, what: string): void {
  if (structure.family === null) {
    throw new VisionlabError(
      `${what} needs a model whose layer names show its stages (DaViT, ResNet, MobileNetV2, EfficientNet, …); the layers of "${model.name}" do not.`,
      'Freeze by layer count (until / --freeze-until) or by name (names / --freeze-names) instead.',
    );
  }
}

/** Whether the spec asks for anything. */
export function isEmptyFreezeSpec(spec: FreezeSpec): boolean {
  return (
    spec.until === undefined &&
    spec.names === undefined &&
    spec.stages === undefined &&
    spec.blocks === undefined &&
    !spec.backbone &&
    spec.kinds === undefined
  );
}

/** Indices of the layers of the given classes; each class must name at least one layer. */
function selectKinds(model: LayersModel, kinds: string[]): number[] {
  const classes = model.layers.map((l) => l.getClassName());
  const indices: number[] = [];
  for (const kind of kinds) {
    const matched = classes
      .map((c, i) => (c.toLowerCase() === kind.toLowerCase() ? i : -1))
      .filter((i) => i >= 0);
    if (matched.length === 0) {
      const present = [...new Set(classes)].sort().join(', ');
      throw new VisionlabError(
        `"${model.name}" has no layer of kind ${kind}`,
        `Its layers are of these kinds: ${present}.`,
      );
    }
    indices.push(...matched);
  }
  return indices;
}

/** Indices into `model.layers` of the layers `spec` freezes, in order. */
export function selectFrozenLayers(
  model: LayersModel,
  spec: FreezeSpec,
  structure: ModelStructure = modelStructure(model),
): number[] {
  if (isEmptyFreezeSpec(spec)) {
    throw new VisionlabError(
      'freeze needs until (a layer count), names (a pattern), stages, blocks, backbone or kinds',
    );
  }
  const n = model.layers.length;
  const chosen = new Set<number>();
  if (spec.until !== undefined) {
    wholeNumber('freeze until', spec.until, n, `"${model.name}" has ${n} layers; see \`visionlab summary\`.`);
    for (let i = 0; i < spec.until; i++) chosen.add(i);
  }
  if (spec.names !== undefined) {
    const pattern = typeof spec.names === 'string' ? new RegExp(spec.names) : spec.names;
    const matched = model.layers.map((l, i) => (pattern.test(l.name) ? i : -1)).filter((i) => i >= 0);
    if (matched.length === 0) {
      throw new VisionlabError(
        `no layer of "${model.name}" matches ${pattern}`,
        'Check the layer names with `visionlab summary`.',
      );
    }
    matched.forEach((i) => chosen.add(i));
  }
  if (spec.kinds !== undefined) selectKinds(model, spec.kinds).forEach((i) => chosen.add(i));
  const byUnit = (unit: 'stage' | 'block', count: number, max: number, keep: (l: LayerPlace) => boolean) => {
    needStructure(structure, model, `freezing by ${unit}`);
    wholeNumber(`freeze ${unit}s`, count, max, `"${model.name}" has ${max} ${unit}s after its stem.`);
    for (const l of structure.layers) if (keep(l)) chosen.add(l.index);
  };
  const { stages, blocks } = spec;
  if (stages !== undefined) {
    byUnit(
      'stage',
      stages,
      structure.stages,
      (l) => l.stage !== null && l.part !== 'head' && l.stage <= stages,
    );
  }
  if (blocks !== undefined) {
    byUnit('block', blocks, structure.blocks, (l) => l.globalBlock !== null && l.globalBlock <= blocks);
  }
  if (spec.backbone) {
    if (structure.headStart === 0 || structure.headStart === n) {
      throw new VisionlabError(
        `cannot tell the head of "${model.name}" from its backbone (no layer turns the feature map into a vector)`,
        'Freeze by layer count (until) instead.',
      );
    }
    for (let i = 0; i < structure.headStart; i++) chosen.add(i);
  }
  return [...chosen].sort((a, b) => a - b);
}
