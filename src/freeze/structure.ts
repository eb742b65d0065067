import type { LayersModel } from '@tensorflow/tfjs-layers';

/** Where a layer sits in a classifier: before the stem, in the stem, in a stage, after the last stage, or in the head. */
export type LayerPart = 'input' | 'stem' | 'stage' | 'top' | 'head';

export interface LayerPlace {
  index: number;
  name: string;
  part: LayerPart;
  /** 1… for stage layers; 0 for the input and the stem; null for the top and the head. */
  stage: number | null;
  /** Block within its stage, 1-based; 0 for a stage's entry (its downsampling) and for the stem; null outside stages. */
  block: number | null;
  /** Block counted over the whole network (1-based), the unit of `freeze({ blocks })`; a stage's entry goes with its first block. */
  globalBlock: number | null;
}

export interface ModelStructure {
  /** The naming convention recognised (`DaViT`, `MobileNetV2`, …), or null when the names show no stages. */
  family: string | null;
  layers: LayerPlace[];
  stages: number;
  blocks: number;
  /** Index of the first head layer (the layers from there on no longer output feature maps). */
  headStart: number;
}

interface RawPlace {
  part: 'stem' | 'stage' | 'top';
  stage?: number;
  /** A key naming the block inside its stage; absent for a stage's entry layers. */
  block?: string;
}

interface NamingRule {
  family: string;
  place(name: string): RawPlace | undefined;
}

/** MobileNetV2's inverted-residual settings (Sandler et al. 2018, table 2): blocks 1–16 by stage. */
const MOBILENET_V2_STAGE_OF_BLOCK = [1, 2, 2, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7];

const match = (re: RegExp, name: string): RegExpExecArray | null => re.exec(name);

/**
 * Layer-name conventions of the families in the zoo and of the files they import: keras_cv_attention_models
 * (DaViT), keras.applications (ResNet, DenseNet, EfficientNet, MobileNetV2, VGG, ConvNeXt) and GoogLeNet.
 */
const RULES: NamingRule[] = [
  {
    family: 'DaViT',
    place(name) {
      if (name.startsWith('stem_')) return { part: 'stem' };
      let m = match(/^stack(\d+)_block(\d+)_/, name);
      if (m) return { part: 'stage', stage: Number(m[1]), block: m[2] };
      m = match(/^stack(\d+)_/, name);
      if (m) return { part: 'stage', stage: Number(m[1]) };
      if (name.startsWith('pre_output_')) return { part: 'top' };
      return undefined;
    },
  },
  {
    family: 'ConvNeXt',
    place(name) {
      if (/_(prestem|stem)_/.test(name)) return { part: 'stem' };
      let m = match(/_stage_(\d+)_block_(\d+)_/, name);
      if (m) return { part: 'stage', stage: Number(m[1]) + 1, block: m[2] };
      m = match(/_downsampling_[a-z_]+_(\d+)$/, name);
      if (m) return { part: 'stage', stage: Number(m[1]) + 2 };
      return undefined;
    },
  },
  {
    family: 'ResNet/DenseNet',
    place(name) {
      if (/^(conv1[_/]|pool1)/.test(name)) return { part: 'stem' };
      const m = match(/^conv(\d+)_block(\d+)_/, name);
      if (m) return { part: 'stage', stage: Number(m[1]) - 1, block: m[2] };
      if (name === 'bn' || name === 'relu' || name === 'post_bn' || name === 'post_relu')
        return { part: 'top' };
      return undefined;
    },
  },
  {
    family: 'EfficientNet',
    place(name) {
      if (name.startsWith('stem_')) return { part: 'stem' };
      const m = match(/^block(\d+)([a-z])_/, name);
      if (m) return { part: 'stage', stage: Number(m[1]), block: m[2] };
      if (name.startsWith('top_')) return { part: 'top' };
      return undefined;
    },
  },
  {
    family: 'MobileNetV2',
    place(name) {
      if (/^(Conv1|bn_Conv1)/.test(name)) return { part: 'stem' };
      if (name.startsWith('expanded_conv_')) return { part: 'stage', stage: 1, block: '0' };
      const m = match(/^block_(\d+)_/, name);
      if (m) {
        const stage = MOBILENET_V2_STAGE_OF_BLOCK[Number(m[1])];
        return stage ? { part: 'stage', stage, block: m[1] } : undefined;
      }
      if (/^(Conv_1|out_relu)/.test(name)) return { part: 'top' };
      return undefined;
    },
  },
  {
    family: 'VGG',
    place(name) {
      const m = match(/^block(\d+)_(conv|pool)/, name);
      return m ? { part: 'stage', stage: Number(m[1]), block: m[1] } : undefined;
    },
  },
  {
    family: 'GoogLeNet',
    place(name) {
      const m = match(/^inception_(\d)([a-z])_/, name);
      if (m) return { part: 'stage', stage: Number(m[1]) - 2, block: m[2] };
      if (/^(conv1|conv2|pool1|pool2|norm1|norm2)/.test(name)) return { part: 'stem' };
      return undefined;
    },
  },
];

function outputRank(layer: LayersModel['layers'][number]): number {
  const shape = layer.outputShape as unknown;
  const first = Array.isArray(shape) && Array.isArray(shape[0]) ? shape[0] : shape;
  return Array.isArray(first) ? first.length : 0;
}

/** The rule that recognises most stage layers of the model, if any recognises at least one. */
function pickRule(names: string[]): NamingRule | undefined {
  let best: NamingRule | undefined;
  let bestCount = 0;
  for (const rule of RULES) {
    const count = names.filter((n) => rule.place(n)?.part === 'stage').length;
    if (count > bestCount) [best, bestCount] = [rule, count];
  }
  return best;
}

/**
 * The stem, stages and blocks of a model, read from its layer names. Layers a convention does not name
 * (automatic names such as `zero_padding2d_ZeroPadding2D1`, which some input sizes add) belong where
 * the layer before them belongs, so the same stage or block holds the same weights at every input size.
 */
export function modelStructure(model: LayersModel): ModelStructure {
  const names = model.layers.map((l) => l.name);
  const rule = pickRule(names);
  let headStart = model.layers.length;
  while (headStart > 0 && outputRank(model.layers[headStart - 1]) === 2) headStart--;

  const blockIds = new Map<string, number>();
  const stageFirstBlock = new Map<number, number>();
  let current: Omit<LayerPlace, 'index' | 'name'> = { part: 'input', stage: 0, block: 0, globalBlock: 0 };
  const pendingEntries: LayerPlace[] = [];
  const layers = names.map((name, index): LayerPlace => {
    const raw = rule?.place(name);
    if (index >= headStart) {
      current = { part: 'head', stage: null, block: null, globalBlock: null };
    } else if (raw?.part === 'stem') {
      current = { part: 'stem', stage: 0, block: 0, globalBlock: 0 };
    } else if (raw?.part === 'top') {
      current = { part: 'top', stage: null, block: null, globalBlock: null };
    } else if (raw?.part === 'stage' && raw.stage !== undefined) {
      if (raw.block === undefined) {
        current = { part: 'stage', stage: raw.stage, block: 0, globalBlock: null };
      } else {
        const key = `${raw.stage}/${raw.block}`;
        if (!blockIds.has(key)) blockIds.set(key, blockIds.size + 1);
        const globalBlock = blockIds.get(key)!;
        if (!stageFirstBlock.has(raw.stage)) stageFirstBlock.set(raw.stage, globalBlock);
        const block = globalBlock - stageFirstBlock.get(raw.stage)! + 1;
        current = { part: 'stage', stage: raw.stage, block, globalBlock };
      }
    }
    const place = { index, name, ...current };
    if (place.part === 'stage' && place.globalBlock === null) pendingEntries.push(place);
    return place;
  });
  // A stage's entry layers go with the stage's first block.
  for (const place of pendingEntries) place.globalBlock = stageFirstBlock.get(place.stage!) ?? null;
  const stages = Math.max(0, ...layers.map((l) => (l.part === 'stage' ? l.stage! : 0)));
  return { family: rule?.family ?? null, layers, stages, blocks: blockIds.size, headStart };
}
