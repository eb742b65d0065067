import path from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { PreprocessMode } from '../models/types.js';
import { writeFileAtomic } from '../util/atomic-write.js';
import { modelGraph, type GraphNode } from './graph-walk.js';
import { emitLayer, toKeras, type TorchModuleWriter, type TorchValue } from './pytorch-layers.js';
import { pythonClassName, pythonIdentifier, readableVariables } from './python-names.js';
import { saveSafetensors, type NamedTensor } from './safetensors.js';

export interface PytorchExportOptions {
  /** Said in the module's docstring: what to apply to 0–255 pixels before `forward`. */
  preprocessing?: PreprocessMode;
  /** File name of the weights beside the `.py` file (default: the same base name, `.safetensors`). */
  weightsFile?: string;
}

export interface PytorchCode {
  className: string;
  /** The Python source: imports, the nn.Module, a safetensors reader and `load_model()`. */
  code: string;
  /** The state dict `load_model()` expects: the trained values, laid out as PyTorch wants them (read when called). */
  stateDict(): NamedTensor[];
}

const PREPROCESS_TEXT: Record<PreprocessMode, string> = {
  tf: 'x = pixels / 127.5 - 1',
  torch:
    'x = (pixels / 255 - mean) / std with the ImageNet mean (0.485, 0.456, 0.406) and std (0.229, 0.224, 0.225)',
  caffe:
    'x = pixels[:, [2, 1, 0]] - (103.939, 116.779, 123.68) per channel (RGB to BGR, then the ImageNet BGR mean)',
  raw: 'x = pixels (0-255, untouched)',
};

const SAFETENSORS_READER = `def load_safetensors(path):
    """Reads a .safetensors file (a JSON header, then raw little-endian arrays) into a state dict."""
    try:
        from safetensors.torch import load_file
    except ImportError:
        load_file = None
    if load_file is not None:
        return load_file(path)
    with open(path, "rb") as f:
        header_size = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(header_size))
        data = f.read()
    dtypes = {"F32": torch.float32, "I64": torch.int64}
    state = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        start, end = info["data_offsets"]
        flat = torch.frombuffer(bytearray(data[start:end]), dtype=dtypes[info["dtype"]])
        state[name] = flat.reshape(info["shape"])
    return state`;

/**
 * PyTorch source for the model's inference graph: one attribute per layer in `__init__`, a `forward`
 * that reads top to bottom (NCHW tensors, as PyTorch's layers want), and the state dict of its
 * trained weights. Channels-last steps of the Keras model (Flatten before a Dense layer, attention
 * reshapes) permute explicitly, with a comment where it matters.
 */
export function pytorchCode(model: tfl.LayersModel, options: PytorchExportOptions = {}): PytorchCode {
  const graph = modelGraph(model, [model.outputs[0]]);
  const init: string[] = [];
  const entries: Array<{ name: string; shape: number[]; values: () => Float32Array | BigInt64Array }> = [];
  const attrs = new Map<tfl.layers.Layer, string>();
  const usedAttrs = new Set<string>();
  const attrOf = (node: GraphNode): string => {
    let attr = attrs.get(node.layer);
    if (!attr) {
      const base = pythonIdentifier(node.layer.name);
      attr = base;
      for (let i = 1; usedAttrs.has(attr); i++) attr = `${base}_${i}`;
      usedAttrs.add(attr);
      attrs.set(node.layer, attr);
    }
    return attr;
  };
  const declared = new Set<string>();
  const writer: TorchModuleWriter = {
    attr: attrOf,
    submodule(node, constructor) {
      const attr = attrOf(node);
      if (!declared.has(attr)) {
        declared.add(attr);
        init.push(`self.${attr} = ${constructor}`);
      }
      return `self.${attr}`;
    },
    constant(node, suffix, values, view) {
      const attr = `${attrOf(node)}_${suffix}`;
      if (!declared.has(attr)) {
        declared.add(attr);
        const list = Array.from(values, (v) => String(v)).join(', ');
        init.push(
          `self.register_buffer("${attr}", torch.tensor([${list}]).view(${view.join(', ')}), persistent=False)`,
        );
      }
      return `self.${attr}`;
    },
    tensor(key, shape, values) {
      entries.push({ name: key, shape, values });
    },
  };

  const variables = readableVariables(graph);
  const values = new Map<string, TorchValue>();
  const input = graph.inputs[0];
  const inputShape = graph.shapes.get(input)!;
  values.set(input, { expr: 'x', shape: inputShape, layout: 'nchw' });
  const forward: string[] = [];
  const commented = new Set<string>();
  graph.nodes.forEach((node) => {
    const statement = emitLayer(
      node,
      node.inputs.map((t) => values.get(t)!),
      writer,
    );
    const names = node.outputs.map((t) => variables.get(t)!);
    if (statement.comment && !commented.has(statement.comment)) {
      commented.add(statement.comment);
      forward.push(`# ${statement.comment}`);
    }
    forward.push(`${names.join(', ')} = ${statement.expr}`);
    node.outputs.forEach((t, k) =>
      values.set(t, { expr: names[k], shape: graph.shapes.get(t)!, layout: statement.layout }),
    );
  });
  const output = values.get(graph.outputs[0])!;
  forward.push(`return ${toKeras(output)}`);

  const name = pythonClassName(model.name);
  const [h, w, c] = inputShape.slice(1);
  const outShape = graph.shapes.get(graph.outputs[0])!;
  const outActivation = String(
    (model.outputs[0].sourceLayer.getConfig() as { activation?: unknown }).activation ?? 'linear',
  );
  const weightsFile = options.weightsFile ?? 'model.safetensors';
  const doc = [
    `${name}: the "${model.name}" model, exported by visionlab from its TF.js/Keras definition.`,
    '',
    `forward(x) takes x of shape [batch, ${c}, ${h}, ${w}] (NCHW, PyTorch's order; transpose an NHWC`,
    'image batch with x.permute(0, 3, 1, 2)) and returns',
    `[batch, ${outShape.slice(1).join(', ')}] (the last layer's activation: ${outActivation}).`,
    options.preprocessing
      ? `Preprocess 0-255 RGB pixels first: ${PREPROCESS_TEXT[options.preprocessing]}.`
      : 'Feed it what the visionlab model was given.',
    '',
    `model = load_model() builds it and loads the trained weights from ${weightsFile}`,
    'beside this file; call model.eval() (load_model does) so dropout and batch norm run as in inference.',
  ];
  const indent = (lines: string[], n: number): string => lines.map((l) => `${' '.repeat(n)}${l}`).join('\n');
  const code = `"""${doc.join('\n')}
"""
import json
import os
import struct

import torch
import torch.nn.functional as F
from torch import nn


class ${name}(nn.Module):
    def __init__(self):
        super().__init__()
${indent(init, 8)}

    def forward(self, x):
${indent(forward, 8)}


${SAFETENSORS_READER}


def load_model(weights=os.path.join(os.path.dirname(os.path.abspath(__file__)), "${weightsFile}")):
    """${name} with the trained weights, in eval mode."""
    model = ${name}()
    model.load_state_dict(load_safetensors(weights))
    return model.eval()
`;
  const stateDict = (): NamedTensor[] =>
    entries.map(({ name: key, shape, values: read }) => {
      const data = read();
      return { name: key, dtype: data instanceof BigInt64Array ? 'I64' : 'F32', shape, data };
    });
  return { className: name, code, stateDict };
}

/** Writes `file` (the `.py` module) and its weights beside it; returns both paths. */
export async function savePytorch(
  model: tfl.LayersModel,
  file: string,
  options: Omit<PytorchExportOptions, 'weightsFile'> = {},
): Promise<string[]> {
  const weightsPath = file.replace(/\.py$/, '') + '.safetensors';
  const { code, stateDict } = pytorchCode(model, { ...options, weightsFile: path.basename(weightsPath) });
  await saveSafetensors(weightsPath, stateDict(), { format: 'pt', producer: 'visionlab' });
  await writeFileAtomic(file, code);
  return [file, weightsPath];
}
