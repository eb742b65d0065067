import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import { VisionlabError } from '../errors.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { formatShape, summarizeModel } from './summary.js';

export interface DiagramOptions {
  /** Show input and output shapes in each box (Keras' `show_shapes`). Default true. */
  showShapes?: boolean;
  /** Graph direction: `TB` (top to bottom, default) or `LR`. */
  rankdir?: 'TB' | 'LR';
  /** Draw the layers of one block (an Inception module, a residual block…) inside one frame. Default true. */
  groupBlocks?: boolean;
}

/** Prefixes that Keras applications and our builders give the layers of one block. */
const BLOCK_PATTERN =
  /^(inception_\d[a-z]|conv\d_block\d+|block\d+[a-z]?|block_\d+|expanded_conv|aux\d|stage\d+_block\d+)_/;

const escapeHtml = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const quote = (s: string): string => `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;

/** The layer graph in Graphviz DOT: one box per layer (name, class, shapes), one arrow per connection. */
export function modelToDot(model: tfl.LayersModel, options: DiagramOptions = {}): string {
  const { showShapes = true, rankdir = 'TB', groupBlocks = true } = options;
  const summary = summarizeModel(model);
  const shapeOf = new Map(summary.layers.map((l) => [l.name, l.outputShape]));
  const lines = [
    `digraph ${quote(model.name)} {`,
    `  graph [rankdir=${rankdir}, fontname="DejaVu Sans", fontsize=12, nodesep=0.25, ranksep=0.35];`,
    '  node [shape=plaintext, fontname="DejaVu Sans", fontsize=11];',
    '  edge [arrowsize=0.6];',
  ];
  const clusters = new Map<string, string[]>();
  const loose: string[] = [];
  for (const layer of summary.layers) {
    const title = `<b>${escapeHtml(layer.name)}</b>: ${escapeHtml(layer.className)}`;
    let label = `<table border="1" cellborder="0" cellspacing="0" cellpadding="3"><tr><td>${title}</td></tr>`;
    if (showShapes) {
      const inputs = layer.connectedTo.map((c) => formatShape(shapeOf.get(c.replace(/\[.*$/, '')) ?? []));
      if (inputs.length) label += `<tr><td>input: ${escapeHtml(inputs.join(', '))}</td></tr>`;
      label += `<tr><td>output: ${escapeHtml(formatShape(layer.outputShape))}</td></tr>`;
    }
    label += '</table>';
    const node = `  ${quote(layer.name)} [label=<${label}>];`;
    const block = groupBlocks ? BLOCK_PATTERN.exec(layer.name)?.[1] : undefined;
    if (block) {
      if (!clusters.has(block)) clusters.set(block, []);
      clusters.get(block)!.push(node);
    } else {
      loose.push(node);
    }
  }
  lines.push(...loose);
  let i = 0;
  for (const [block, nodes] of clusters) {
    lines.push(
      `  subgraph cluster_${i++} {`,
      `    label=${quote(block)}; style="rounded,dashed"; color="#888888";`,
    );
    lines.push(...nodes.map((n) => `  ${n}`), '  }');
  }
  for (const layer of summary.layers) {
    for (const c of layer.connectedTo)
      lines.push(`  ${quote(c.replace(/\[.*$/, ''))} -> ${quote(layer.name)};`);
  }
  lines.push('}');
  return lines.join('\n');
}

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (no system package needed). */
export async function dotToSvg(dot: string): Promise<string> {
  const { instance } = await import('@viz-js/viz');
  const viz = await instance();
  return viz.renderString(dot, { format: 'svg', engine: 'dot' });
}

/**
 * Writes the layer graph of `model` like Keras' `plot_model`: `.svg`, `.png` (rasterised by sharp) or
 * `.dot` (Graphviz source), chosen by the file's extension.
 */
export async function plotModel(
  model: tfl.LayersModel,
  file: string,
  options: DiagramOptions & { dpi?: number } = {},
): Promise<void> {
  const ext = path.extname(file).toLowerCase();
  if (!['.svg', '.png', '.dot'].includes(ext)) {
    throw new VisionlabError(
      `Cannot write a diagram to ${file}: unknown extension "${ext}".`,
      'Use a file name ending in .svg, .png or .dot.',
    );
  }
  const dot = modelToDot(model, options);
  if (ext === '.dot') return writeFileAtomic(file, dot);
  const svg = await dotToSvg(dot);
  if (ext === '.svg') return writeFileAtomic(file, svg);
  const { default: sharp } = await import('sharp');
  const png = await sharp(Buffer.from(svg), { density: options.dpi ?? 96, limitInputPixels: false })
    .png()
    .toBuffer();
  await writeFileAtomic(file, png);
}
