import onnxProto from 'onnx-proto';
import type { TensorShape } from './graph-walk.js';

const { onnx } = onnxProto;

import type { Layout } from './kernel-layout.js';

export type { Layout };

/** A tensor of the ONNX graph under construction, with its Keras shape and its layout. */
export interface OnnxValue {
  name: string;
  /** The shape in Keras order, whatever the layout. */
  shape: TensorShape;
  layout: Layout;
}

export type AttributeValue = number | number[] | string | { float: number } | { floats: number[] };

/** One operator: `name` is the layer it comes from (the node is named `name/opType`). */
export interface OnnxOp {
  opType: string;
  inputs: string[];
  outputs: string[];
  name: string;
  attributes?: Record<string, AttributeValue>;
}

const TO_NCHW = [0, 3, 1, 2];
const TO_NHWC = [0, 2, 3, 1];

function attribute(name: string, value: AttributeValue): onnxProto.onnx.IAttributeProto {
  const T = onnx.AttributeProto.AttributeType;
  if (typeof value === 'string') return { name, type: T.STRING, s: new TextEncoder().encode(value) };
  if (typeof value === 'number') return { name, type: T.INT, i: value };
  if (Array.isArray(value)) return { name, type: T.INTS, ints: value };
  if ('float' in value) return { name, type: T.FLOAT, f: value.float };
  return { name, type: T.FLOATS, floats: value.floats };
}

/** Collects nodes and initializers; tensors converted between layouts once and reused. */
export class OnnxGraphBuilder {
  readonly nodes: onnxProto.onnx.INodeProto[] = [];
  readonly initializers: onnxProto.onnx.ITensorProto[] = [];
  private readonly names = new Set<string>();
  private readonly converted = new Map<string, string>();

  /** A tensor name not used yet, derived from `base`. */
  fresh(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  /** Reserves a name chosen elsewhere (graph inputs, layer outputs). */
  reserve(name: string): string {
    this.names.add(name);
    return name;
  }

  /** Adds one operator; returns its output names. */
  op({ opType, inputs, outputs, name, attributes = {} }: OnnxOp): string[] {
    this.nodes.push({
      opType,
      input: inputs,
      output: outputs,
      name: this.fresh(`${name}/${opType}`),
      attribute: Object.entries(attributes).map(([k, v]) => attribute(k, v)),
    });
    return outputs;
  }

  /** Adds a one-output operator; returns its output: `output`, or a fresh name from `name`. */
  op1(
    opType: string,
    inputs: string[],
    name: string,
    attributes: Record<string, AttributeValue> = {},
    output?: string,
  ): string {
    return this.op({ opType, inputs, outputs: [output || this.fresh(name)], name, attributes })[0];
  }

  /** A float32 initializer. */
  floats(name: string, values: ArrayLike<number>, dims: number[]): string {
    const data = values instanceof Float32Array ? values : Float32Array.from(values);
    const out = this.fresh(name);
    this.initializers.push({
      name: out,
      dataType: onnx.TensorProto.DataType.FLOAT,
      dims,
      rawData: new Uint8Array(data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength)),
    });
    return out;
  }

  /** An int64 initializer (shapes, axes, pads). */
  int64s(name: string, values: number[], dims: number[] = [values.length]): string {
    const data = BigInt64Array.from(values.map((v) => BigInt(v)));
    const out = this.fresh(name);
    this.initializers.push({
      name: out,
      dataType: onnx.TensorProto.DataType.INT64,
      dims,
      rawData: new Uint8Array(data.buffer),
    });
    return out;
  }

  /** The value with its data in Keras order (transposing an NCHW tensor back once). */
  keras(value: OnnxValue): string {
    return value.layout === 'keras' ? value.name : this.transpose(value.name, TO_NHWC);
  }

  /** The value as NCHW (transposing a 4-D Keras tensor once). */
  nchw(value: OnnxValue): string {
    if (value.layout === 'nchw') return value.name;
    if (value.shape.length !== 4) throw new Error(`${value.name} is not a 4-D tensor`);
    return this.transpose(value.name, TO_NCHW);
  }

  /** The value in `layout`. */
  as(value: OnnxValue, layout: Layout): string {
    return layout === 'nchw' ? this.nchw(value) : this.keras(value);
  }

  private transpose(name: string, perm: number[]): string {
    const key = `${name}|${perm.join(',')}`;
    const known = this.converted.get(key);
    if (known) return known;
    const out = this.op1('Transpose', [name], `${name}/${perm[1] === 3 ? 'nchw' : 'nhwc'}`, { perm });
    this.converted.set(key, out);
    return out;
  }
}

/** A value-info entry (graph input or output) for a float tensor; null sizes become symbolic `batch`. */
export function floatValueInfo(name: string, shape: TensorShape): onnxProto.onnx.IValueInfoProto {
  return {
    name,
    type: {
      tensorType: {
        elemType: onnx.TensorProto.DataType.FLOAT,
        shape: {
          dim: shape.map((d, i) =>
            d === null ? { dimParam: i === 0 ? 'batch' : `d${i}` } : { dimValue: d },
          ),
        },
      },
    },
  };
}

/** Serialises a graph as an ONNX model of opset 17. */
export function encodeModel(
  builder: OnnxGraphBuilder,
  graph: {
    name: string;
    inputs: onnxProto.onnx.IValueInfoProto[];
    outputs: onnxProto.onnx.IValueInfoProto[];
  },
  metadata: Record<string, string>,
  producerVersion: string,
): Uint8Array {
  const model = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: 17 }],
    producerName: 'visionlab',
    producerVersion,
    graph: {
      name: graph.name,
      node: builder.nodes,
      initializer: builder.initializers,
      input: graph.inputs,
      output: graph.outputs,
    },
    metadataProps: Object.entries(metadata).map(([key, value]) => ({ key, value })),
  });
  return onnx.ModelProto.encode(model).finish();
}

/** The metadata of an ONNX file (`metadata_props`), e.g. what `visionlab export` stored. */
export function readOnnxMetadata(bytes: Uint8Array): Record<string, string> {
  const model = onnx.ModelProto.decode(bytes);
  return Object.fromEntries((model.metadataProps ?? []).map((p) => [p.key ?? '', p.value ?? '']));
}
