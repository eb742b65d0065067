import * as tf from '@tensorflow/tfjs-core';
import { VisionlabError } from '../errors.js';

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const MODEL_CLASSES = new Set(['Functional', 'Model', 'Sequential']);

/** Every `keras_history` (layer, node, tensor) inside a Keras 3 call's arguments, in order. */
function kerasHistories(value: unknown): [string, number, number][] {
  if (Array.isArray(value)) return value.flatMap(kerasHistories);
  if (!isObject(value)) return [];
  if (value.class_name === '__keras_tensor__' && isObject(value.config)) {
    return [value.config.keras_history as [string, number, number]];
  }
  return Object.values(value).flatMap(kerasHistories);
}

/**
 * Keras 3 serialises nested objects as `{module, class_name, config, registered_name}` and dtypes as
 * `DTypePolicy` objects; TF.js reads Keras 2's `{class_name, config}` and dtype strings.
 */
function toKeras2Value(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(toKeras2Value);
  if (!isObject(value)) return value;
  if (typeof value.class_name === 'string' && /DTypePolicy$/.test(value.class_name)) {
    return isObject(value.config) ? value.config.name : 'float32';
  }
  if (typeof value.class_name === 'string' && 'config' in value) {
    return { class_name: value.class_name, config: toKeras2Value(value.config) };
  }
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, toKeras2Value(v)]));
}

/** A layer option TF.js has no counterpart for, or `undefined` when the layer converts as it is. */
function unsupportedOption(className: string, config: Json): string | undefined {
  if (className === 'Conv2D' && Number(config.groups ?? 1) !== 1) return `groups=${String(config.groups)}`;
  if (
    className === 'ReLU' &&
    (Number(config.negative_slope ?? 0) !== 0 || Number(config.threshold ?? 0) !== 0)
  )
    return 'negative_slope/threshold';
  if (className === 'Normalization' && config.invert) return 'invert=True';
  if (className === 'Normalization' && ![-1, undefined].includes(config.axis as number))
    return `axis=${String(config.axis)}`;
  return undefined;
}

function convertLayerConfig(className: string, config: Json): Json {
  const out = toKeras2Value(config) as Json;
  if (className === 'InputLayer' && 'batch_shape' in out) {
    out.batch_input_shape = out.batch_shape;
    delete out.batch_shape;
  }
  if (className === 'ReLU') {
    delete out.negative_slope;
    delete out.threshold;
  }
  return MODEL_CLASSES.has(className) ? convertModelConfig(className, out) : out;
}

const asNodeList = (v: unknown): unknown[] =>
  Array.isArray(v) && typeof v[0] === 'string' ? [v] : (v as unknown[]);

function convertModelConfig(className: string, config: Json): Json {
  const layers = ((config.layers as Json[] | undefined) ?? []).map((layer) => {
    const layerClass = String(layer.class_name);
    const converted: Json = {
      class_name: layerClass,
      config: convertLayerConfig(layerClass, (layer.config as Json) ?? {}),
    };
    if (className !== 'Sequential') {
      converted.name = layer.name ?? (layer.config as Json)?.name;
      converted.inbound_nodes = ((layer.inbound_nodes as Json[] | undefined) ?? []).map((node) =>
        kerasHistories(node.args).map(([name, nodeIndex, tensorIndex]) => [name, nodeIndex, tensorIndex, {}]),
      );
    }
    return converted;
  });
  if (className === 'Sequential') return { name: config.name, layers };
  return {
    name: config.name,
    layers,
    input_layers: asNodeList(config.input_layers),
    output_layers: asNodeList(config.output_layers),
  };
}

/** Layers whose class, or one of whose options, TF.js lacks: `name (Class option)`. */
function unsupportedLayers(config: Json, known: Set<string>): string[] {
  const layers = (isObject(config.config) ? (config.config.layers as Json[]) : undefined) ?? [];
  return layers.flatMap((layer) => {
    const className = String(layer.class_name);
    const layerConfig = (layer.config as Json) ?? {};
    const name = String(layer.name ?? layerConfig.name);
    if (MODEL_CLASSES.has(className)) return unsupportedLayers(layer, known);
    if (!known.has(className)) return [`${name} (${className})`];
    const option = unsupportedOption(className, layerConfig);
    return option ? [`${name} (${className} ${option})`] : [];
  });
}

/**
 * Turns the `config.json` of a Keras 3 `.keras` file into the Keras 2 model topology TF.js deserialises.
 * Throws, naming every layer, when some layer type or option has no TF.js counterpart.
 */
export function keras3ToTfjsTopology(config: Json, file: string): Json {
  const className = String(config.class_name);
  if (!MODEL_CLASSES.has(className)) {
    throw new VisionlabError(
      `${file}: config.json describes a ${className}, not a Functional or Sequential model.`,
      'Load its weights into a model you build instead (loadKerasWeights).',
    );
  }
  const known = new Set(Object.keys(tf.serialization.SerializationMap.getMap().classNameMap));
  const missing = unsupportedLayers(config, known);
  if (missing.length > 0) {
    throw new VisionlabError(
      `${file}: ${missing.length} layer(s) have no TF.js counterpart: ${missing.slice(0, 8).join(', ')}${missing.length > 8 ? ', …' : ''}.`,
      'Build the model with visionlab (the zoo or your own layers) and load the weights with loadKerasWeights.',
    );
  }
  return {
    class_name: className === 'Model' ? 'Functional' : className,
    config: convertModelConfig(className, (config.config as Json) ?? {}),
    keras_version: 'tfjs-layers',
    backend: 'tensorflow',
  };
}
