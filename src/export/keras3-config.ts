import type * as tfl from '@tensorflow/tfjs-layers';
import { unsupportedLayer } from './graph-walk.js';

type Json = Record<string, unknown>;

const FORMAT = 'Keras 3 (.keras)';

const DTYPE_POLICY = {
  module: 'keras',
  class_name: 'DTypePolicy',
  config: { name: 'float32' },
  registered_name: null,
};

/** visionlab layers written as the Keras class that computes the same (or lives in keras.applications). */
const KERAS_CLASS: Record<string, (config: Json) => { module: string; className: string; config: Json }> = {
  LayerNormalizationLastAxis: (c) => ({
    module: 'keras.layers',
    className: 'LayerNormalization',
    config: { axis: -1, epsilon: c.epsilon, center: true, scale: true },
  }),
  Normalization: (c) => ({
    module: 'keras.layers',
    className: 'Normalization',
    config: { axis: -1, mean: c.mean ?? null, variance: c.variance ?? null, invert: false },
  }),
  LayerScale: (c) => ({
    module: 'keras.src.applications.convnext',
    className: 'LayerScale',
    config: { init_values: c.init_values, projection_dim: c.projection_dim },
  }),
};

/** Keras classes whose `call` takes a `mask`, which Keras 3 records as `kwargs: {mask: null}`. */
const MASK_KWARG = new Set(['BatchNormalization', 'Softmax']);

/** Layers of ours that Keras has no class for. */
const NOT_IN_KERAS = new Set(['BatchReshape', 'BatchMatMul', 'SplitLastAxis', 'ScaleByConstant']);

/** The Keras 3 class a TF.js layer is saved as. */
export function kerasClassName(layer: tfl.layers.Layer): string {
  const cls = layer.getClassName();
  return cls in KERAS_CLASS ? KERAS_CLASS[cls]({}).className : cls;
}

/** Adds Keras 3's `module`/`registered_name` to nested initializer, regularizer and constraint objects. */
function withModules(config: Json): Json {
  const out: Json = {};
  for (const [key, value] of Object.entries(config)) {
    if (value && typeof value === 'object' && !Array.isArray(value) && 'class_name' in value) {
      const kind = key.endsWith('_regularizer')
        ? 'regularizers'
        : key.endsWith('_constraint')
          ? 'constraints'
          : 'initializers';
      const inner = { ...((value as Json).config as Json) };
      // TF.js' VarianceScaling 'normal' is a truncated normal, which Keras 3 calls so.
      if (inner.distribution === 'normal') inner.distribution = 'truncated_normal';
      out[key] = {
        module: `keras.${kind}`,
        class_name: (value as Json).class_name,
        config: inner,
        registered_name: null,
      };
    } else out[key] = value;
  }
  return out;
}

function kerasTensor(model: tfl.LayersModel, [name, node, index]: [string, number, number]): Json {
  const shape = model.getLayer(name).inboundNodes[node].outputTensors[index].shape;
  return {
    class_name: '__keras_tensor__',
    config: { shape, dtype: 'float32', keras_history: [name, node, index] },
  };
}

/**
 * The `config.json` of a Keras 3 `.keras` file for a functional model, from TF.js' own Keras 2-style
 * JSON: every layer with its Keras 3 module, config, build shape and inbound tensors.
 */
export function keras3Config(model: tfl.LayersModel): Json {
  const json = model.toJSON(null, false) as unknown as {
    config: { layers: Json[]; input_layers: unknown[]; output_layers: unknown[] };
  };
  const layers = json.config.layers.map((entry) => {
    const name = entry.name as string;
    const layer = model.getLayer(name);
    const cls = entry.class_name as string;
    const pythonic = entry.config as Json;
    if (cls === 'InputLayer') {
      return {
        module: 'keras.layers',
        class_name: 'InputLayer',
        config: {
          batch_shape: pythonic.batch_input_shape,
          dtype: 'float32',
          sparse: false,
          ragged: false,
          name,
          optional: false,
        },
        registered_name: null,
        name,
        inbound_nodes: [],
      };
    }
    if (NOT_IN_KERAS.has(cls) || 'layers' in pythonic) {
      throw unsupportedLayer(
        { layer, className: cls, config: {}, inputs: [], outputs: [] },
        FORMAT,
        'Keras has no such layer',
      );
    }
    const mapped = KERAS_CLASS[cls]?.(pythonic) ?? {
      module: 'keras.layers',
      className: cls,
      config: pythonic,
    };
    const { name: _n, trainable, batch_input_shape: _b, ...rest } = mapped.config;
    const nodes = (entry.inbound_nodes as Array<Array<[string, number, number, Json]>>).map((node) => {
      const tensors = node.map(([n, i, t]) => kerasTensor(model, [n, i, t]));
      const kwargs = MASK_KWARG.has(mapped.className) ? { mask: null } : {};
      return { args: tensors.length === 1 ? tensors : [tensors], kwargs };
    });
    const inputShapes = layer.inboundNodes[0].inputTensors.map((t) => t.shape);
    return {
      module: mapped.module,
      class_name: mapped.className,
      config: { name, trainable: trainable ?? layer.trainable, dtype: DTYPE_POLICY, ...withModules(rest) },
      registered_name: mapped.module === 'keras.layers' ? null : mapped.className,
      build_config: { input_shape: inputShapes.length === 1 ? inputShapes[0] : inputShapes },
      name,
      inbound_nodes: nodes,
    };
  });
  const ends = (list: unknown[]): unknown => (list.length === 1 ? list[0] : list);
  return {
    module: 'keras.src.models.functional',
    class_name: 'Functional',
    config: {
      name: model.name,
      trainable: true,
      layers,
      input_layers: ends(json.config.input_layers),
      output_layers: ends(json.config.output_layers),
    },
    registered_name: 'Functional',
    build_config: { input_shape: null },
  };
}
