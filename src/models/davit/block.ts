import * as tfl from '@tensorflow/tfjs-layers';
import '../../layers/gelu-activation.js';
import { channelSelfAttention, windowAttention } from './attention.js';
import { call, dims, layerNorm, torchUniform, type Sym } from './graph.js';

/** Depthwise 3×3 conv added back to its input: DaViT's convolutional position encoding. */
function convPositionalEncoding(x: Sym, name: string): Sym {
  const channels = dims(x)[2];
  const padded = call(tfl.layers.zeroPadding2d({ padding: 1, name: `${name}pad` }), x);
  const conv = call(
    tfl.layers.depthwiseConv2d({
      kernelSize: 3,
      padding: 'valid',
      useBias: true,
      depthwiseInitializer: torchUniform(channels * 9),
      name: `${name}dw_conv`,
    }),
    padded,
  );
  return call(tfl.layers.add({ name: `${name}output` }), [x, conv]);
}

function mlp(x: Sym, ratio: number, name: string): Sym {
  const channels = dims(x)[2];
  let nn = call(tfl.layers.dense({ units: channels * ratio, name: `${name}Dense_0` }), x);
  nn = call(tfl.layers.activation({ activation: 'gelu', name: `${name}gelu` }), nn);
  return call(tfl.layers.dense({ units: channels, name: `${name}Dense_1` }), nn);
}

export interface DavitBlockOptions {
  windowSize: [number, number];
  numHeads: number;
  /** Odd blocks of a stage use channel attention, even blocks window attention. */
  useChannelAttention: boolean;
  mlpRatio: number;
  /** Layer-name prefix, e.g. `stack1_block1_`. */
  name: string;
}

/** One dual-attention block: CPE → LN → (window | channel) attention → add, CPE → LN → MLP → add. */
export function davitBlock(x: Sym, options: DavitBlockOptions): Sym {
  const { windowSize, numHeads, useChannelAttention, mlpRatio, name } = options;
  const preAttention = convPositionalEncoding(x, `${name}pre_attn_cpe_`);
  let attention = layerNorm(preAttention, `${name}attn_ln`);
  attention = useChannelAttention
    ? channelSelfAttention(attention, numHeads, `${name}channel_attn_`)
    : windowAttention(attention, windowSize, numHeads, `${name}attn_`);
  const attentionOut = call(tfl.layers.add({ name: `${name}1_output` }), [preAttention, attention]);

  const preFfn = convPositionalEncoding(attentionOut, `${name}pre_ffn_cpe_`);
  let ffn = layerNorm(preFfn, `${name}mlp_ln`);
  ffn = mlp(ffn, mlpRatio, `${name}mlp_`);
  return call(tfl.layers.add({ name: `${name}2_output` }), [preFfn, ffn]);
}
