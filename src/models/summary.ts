import type * as tfl from '@tensorflow/tfjs-layers';
import { modelStructure, type LayerPart } from '../freeze/structure.js';
import { batchFoldFactor, layerFlops } from './flops.js';

type Shape = Array<number | null>;

/** One row of the summary. */
export interface LayerSummary {
  /** Position in `model.layers` (what `freeze({ until })` counts). */
  index: number;
  name: string;
  className: string;
  /** Output shape with `null` for the batch; a list of shapes for multi-output layers. */
  outputShape: Shape | Shape[];
  params: number;
  trainableParams: number;
  /** Forward FLOPs for one example (a multiply-add counts 2). */
  flops: number;
  /** Inbound tensors as Keras writes them: `layer[node][tensor]`. */
  connectedTo: string[];
  /** The layer's `trainable` flag (Keras' `show_trainable` column). */
  trainable: boolean;
  /** Stem, stage, top or head, read from the layer names (see `modelStructure`). */
  part: LayerPart;
  /** Stage (0 for the stem) and block within it (0 for a stage's entry), or null outside stages. */
  stage: number | null;
  block: number | null;
  /** Block counted over the whole network, what `freeze({ blocks })` counts. */
  networkBlock: number | null;
}

export interface ModelSummary {
  name: string;
  totalParams: number;
  trainableParams: number;
  nonTrainableParams: number;
  /** Forward FLOPs for one example. */
  flops: number;
  inputShapes: Shape[];
  outputShapes: Shape[];
  /** Stages and blocks recognised from the layer names (0 when the names show none). */
  stages: number;
  blocks: number;
  layers: LayerSummary[];
}

const countOf = (weights: Array<{ shape: Array<number | null> }>): number =>
  weights.reduce((sum, w) => sum + w.shape.reduce<number>((p, d) => p * (d ?? 1), 1), 0);

function isShapeList(shape: unknown): shape is Shape[] {
  return Array.isArray(shape) && shape.length > 0 && Array.isArray(shape[0]);
}

/** A model used as a layer of another (a backbone inside a transfer model). */
function isModel(layer: unknown): layer is tfl.LayersModel {
  return Array.isArray((layer as { layers?: unknown }).layers);
}

/** Layer-by-layer parameters, shapes, connections and FLOPs of a model, with Keras' totals. */
export function summarizeModel(model: tfl.LayersModel): ModelSummary {
  const modelLayers = new Set(model.layers);
  const structure = modelStructure(model);
  /** Examples of each layer's output per model input (see batchFoldFactor). */
  const fold = new Map<tfl.layers.Layer, number>();
  const layers = model.layers.map((layer, index): LayerSummary => {
    const node = layer.inboundNodes[0];
    const connectedTo: string[] = [];
    if (node) {
      node.inboundLayers.forEach((inbound, i) => {
        if (modelLayers.has(inbound))
          connectedTo.push(`${inbound.name}[${node.nodeIndices[i]}][${node.tensorIndices[i]}]`);
      });
    }
    const outputShape = layer.outputShape as Shape | Shape[];
    const inputShapes = node
      ? isShapeList(node.inputShapes)
        ? node.inputShapes
        : [node.inputShapes as Shape]
      : [];
    const firstOutput = isShapeList(outputShape) ? outputShape[0] : outputShape;
    const config = layer.getConfig() as Record<string, unknown>;
    const place = structure.layers[index];
    const inFactor = node?.inboundLayers.length ? (fold.get(node.inboundLayers[0]) ?? 1) : 1;
    fold.set(layer, batchFoldFactor(layer.getClassName(), inputShapes, firstOutput, inFactor));
    return {
      name: layer.name,
      // Keras calls a nested functional model `Functional`; TF.js' class name is `Model`.
      className: isModel(layer) ? 'Functional' : layer.getClassName(),
      outputShape,
      params: layer.countParams(),
      trainableParams: layer.trainable ? countOf(layer.trainableWeights) : 0,
      flops: isModel(layer)
        ? summarizeModel(layer).flops
        : inFactor * layerFlops(layer.getClassName(), config, inputShapes, firstOutput),
      connectedTo,
      index,
      trainable: layer.trainable,
      part: place.part,
      stage: place.stage,
      block: place.block,
      networkBlock: place.globalBlock,
    };
  });
  const trainable = countOf(model.trainableWeights);
  const nonTrainable = countOf(model.nonTrainableWeights);
  return {
    name: model.name,
    totalParams: trainable + nonTrainable,
    trainableParams: trainable,
    nonTrainableParams: nonTrainable,
    flops: layers.reduce((s, l) => s + l.flops, 0),
    inputShapes: model.inputs.map((t) => t.shape),
    outputShapes: model.outputs.map((t) => t.shape),
    stages: structure.family ? structure.stages : 0,
    blocks: structure.family ? structure.blocks : 0,
    layers,
  };
}

const grouped = (n: number): string => n.toLocaleString('en-US');

/** FLOPs as `6.32 G`, `412.5 M`, … */
export function formatFlops(flops: number): string {
  const units: Array<[number, string]> = [
    [1e12, 'T'],
    [1e9, 'G'],
    [1e6, 'M'],
    [1e3, 'K'],
  ];
  for (const [scale, unit] of units) if (flops >= scale) return `${(flops / scale).toFixed(2)} ${unit}`;
  return String(flops);
}

/** A shape as Keras prints it: `(None, 7, 7, 512)`. */
export function formatShape(shape: Shape | Shape[]): string {
  if (isShapeList(shape)) return `[${shape.map((s) => formatShape(s)).join(', ')}]`;
  const dims = shape.map((d) => (d == null ? 'None' : String(d)));
  return `(${dims.join(', ')}${dims.length === 1 ? ',' : ''})`;
}

function wrap(text: string, width: number): string[] {
  if (text.length <= width) return [text];
  const lines: string[] = [];
  let rest = text;
  while (rest.length > width) {
    let cut = rest.lastIndexOf(' ', width);
    if (cut <= 0) cut = width;
    lines.push(rest.slice(0, cut));
    rest = rest.slice(cut).trimStart();
  }
  if (rest) lines.push(rest);
  return lines;
}

/** Whether every layer has at most one inbound layer, as in a Sequential model (Keras then omits "Connected to"). */
function isChain(summary: ModelSummary): boolean {
  return summary.layers.every((l) => l.connectedTo.length <= 1) && summary.outputShapes.length === 1;
}

/** The line that opens a stage or block in the table: `── stage 2 · block 1 ──`. */
function boundaryLabel(
  layer: LayerSummary,
  previous: LayerSummary | undefined,
  blocks: number,
): string | undefined {
  const key = (l: LayerSummary | undefined) => (l ? `${l.part}/${l.stage}/${l.block}` : '');
  if (key(layer) === key(previous) || layer.part === 'input') return undefined;
  if (layer.part === 'stage') {
    return layer.block
      ? `stage ${layer.stage} · block ${layer.block} · block ${layer.networkBlock} of ${blocks}`
      : `stage ${layer.stage}`;
  }
  return layer.part;
}

const trainableCell = (layer: LayerSummary): string =>
  layer.params === 0 ? '-' : layer.trainable ? 'Y' : 'N';

/**
 * The Keras-style table of `model.summary()` with Keras' `show_trainable` column and each layer's index
 * (what `freeze({ until })` counts), rules at stage and block boundaries, then the totals and FLOPs.
 */
export function formatSummary(summary: ModelSummary, lineLength?: number): string {
  const chain = isChain(summary);
  const body = lineLength ?? (chain ? 72 : 110);
  const widths = chain
    ? [
        Math.floor(body * 0.45),
        Math.floor(body * 0.3),
        body - Math.floor(body * 0.45) - Math.floor(body * 0.3),
      ]
    : [Math.floor(body * 0.3), Math.floor(body * 0.22), Math.floor(body * 0.12)];
  if (!chain) widths.push(body - widths[0] - widths[1] - widths[2]);
  widths.unshift(6);
  widths.push(10);
  const total = widths.reduce((a, b) => a + b, 0);
  const headers = [
    '#',
    'Layer (type)',
    'Output Shape',
    'Param #',
    ...(chain ? [] : ['Connected to']),
    'Trainable',
  ];
  const row = (cells: string[]): string[] => {
    const columns = cells.map((c, i) => wrap(c, widths[i] - 1));
    const height = Math.max(...columns.map((c) => c.length));
    const lines: string[] = [];
    for (let r = 0; r < height; r++) {
      lines.push(
        columns
          .map((c, i) => ` ${(c[r] ?? '').padEnd(widths[i] - 1)}`)
          .join('')
          .trimEnd(),
      );
    }
    return lines;
  };
  const marks = summary.stages > 0;
  const out: string[] = [`Model: "${summary.name}"`, '_'.repeat(total), ...row(headers), '='.repeat(total)];
  summary.layers.forEach((layer, i) => {
    const label = marks ? boundaryLabel(layer, summary.layers[i - 1], summary.blocks) : undefined;
    if (label) out.push(`── ${label} ${'─'.repeat(Math.max(2, total - label.length - 4))}`, '');
    const cells = [
      String(layer.index),
      `${layer.name} (${layer.className})`,
      formatShape(layer.outputShape),
      grouped(layer.params),
    ];
    if (!chain)
      cells.push(layer.connectedTo.length ? `[${layer.connectedTo.map((c) => `'${c}'`).join(', ')}]` : '[]');
    cells.push(trainableCell(layer));
    out.push(...row(cells));
    if (i < summary.layers.length - 1) out.push('');
  });
  out.push('='.repeat(total));
  out.push(`Total params: ${grouped(summary.totalParams)}`);
  out.push(`Trainable params: ${grouped(summary.trainableParams)}`);
  out.push(`Non-trainable params: ${grouped(summary.nonTrainableParams)}`);
  if (marks) out.push(`Stages: ${summary.stages} after the stem, ${summary.blocks} blocks`);
  out.push(`FLOPs (forward, one example): ${formatFlops(summary.flops)} (${grouped(summary.flops)})`);
  out.push('_'.repeat(total));
  return out.join('\n');
}

/** `model.summary()` as text and as JSON data. */
export function summary(model: tfl.LayersModel, lineLength?: number): { text: string; json: ModelSummary } {
  const json = summarizeModel(model);
  return { text: formatSummary(json, lineLength), json };
}
