// Planned training step for a chain of layers (see plan.h). Activations stay in the layouts oneDNN
// prefers between layers and are reordered only where a consumer wants another one; weights and
// gradients are the caller's Float32Arrays (TF.js layouts), read and written without copies where the
// primitive accepts that layout. Every gradient of an op is taken with respect to its output, kept in
// the same layout as that output.
#include "plan.h"

#include "max-pool.h"

#include <chrono>
#include <cmath>
#include <cstring>
#include <memory>
#include <unordered_map>

namespace vl {
namespace {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

memory::desc plain(const memory::dims &d, dt type = dt::f32) {
  return memory::desc(d, type, d.size() == 4 ? tag::nhwc : tag::nc);
}

int64_t volume(const memory::dims &d) {
  int64_t v = 1;
  for (auto x : d) v *= x;
  return v;
}

dnnl::reorder reorder_between(const memory::desc &from, const memory::desc &to) {
  return dnnl::reorder(dnnl::reorder::primitive_desc(engine(), from, engine(), to));
}

void run(dnnl::reorder &r, memory src, memory dst) { r.execute(stream(), src, dst); }

// An input in the layout a primitive reads: the memory itself, or a copy reordered into a buffer of the plan.
struct Convert {
  memory buf;
  dnnl::reorder prim;
  bool ready = false, same = true;
  memory operator()(const memory &m, const memory::desc &want) {
    if (!ready) {
      ready = true;
      same = m.get_desc() == want;
      if (!same) {
        buf = memory(want, engine());
        prim = reorder_between(m.get_desc(), want);
      }
    }
    if (same) return m;
    run(prim, m, buf);
    return buf;
  }
};

// An output the primitive writes in its own layout, then reordered into the destination when that differs.
struct Deliver {
  memory buf;
  dnnl::reorder prim;
  bool ready = false, same = true;
  memory target(const memory::desc &have, const memory &dst) {
    if (!ready) {
      ready = true;
      same = have == dst.get_desc();
      if (!same) {
        buf = memory(have, engine());
        prim = reorder_between(have, dst.get_desc());
      }
    }
    return same ? dst : buf;
  }
  void finish(const memory &dst) {
    if (!same) run(prim, buf, dst);
  }
};

memory unbound(const memory::desc &md) { return memory(md, engine(), nullptr); }

struct Op {
  int kind = 0;
  bool wgrad = false, igrad = false, bias = false, relu = false;
  memory::dims out_dims;
  memory::desc in_md, out_md;
  memory out, dout;

  dnnl::primitive fwd, bwd_data, bwd_weights, act_bwd;
  memory::desc fwd_src_md, fwd_w_md, bd_ddst_md, bd_w_md, bd_dsrc_md, bw_src_md, bw_ddst_md, bw_dw_md;
  Convert c_src, c_w, c_bd_ddst, c_bd_w, c_bw_src, c_bw_ddst;
  Deliver d_dsrc, d_dw;
  memory src_used, w_used;
  // A convolution with at most 4 input channels (its weight gradient runs on one thread).
  bool few_channels = false;
  // Caller's arrays: weights, bias and their gradients.
  memory w_user, b_user, dw_user, db_user;
  // Dense: transposed views of the input and the weights for the two gradient products.
  memory src_t, w_t;
  // Element-wise: whether the backward pass reads the output (else the input).
  bool uses_dst = true;
  memory workspace;
  std::vector<float> mask;
  // Max pooling by max-pool.h instead of oneDNN: its shape and the positions of the maxima; with
  // `relu_of_in` it also does the backward of the ReLU fused into the op below (which then skips its own).
  bool own_pool = false, relu_of_in = false, relu_in_next = false;
  MaxPoolShape pool;
  std::vector<int32_t> argmax;
  // Flatten: plain 4-D views of the output and its gradient.
  memory out4, dout4;
  dnnl::reorder flat_fwd, flat_bwd;
  std::string impl;
  // Wall time of the op's last forward and backward pass, in milliseconds (for profiling).
  double fwd_ms = 0, bwd_ms = 0;
  // Work of the forward pass (FLOPs, or elements touched) for ThreadLimit: small ops run on one thread.
  double work = 0;
};

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

struct Plan {
  int64_t N = 0;
  bool bf16 = false;
  memory x;
  std::vector<std::unique_ptr<Op>> ops;
  memory y, dy;
  dnnl::reorder y_out, dy_in;
  bool dy_same = true;
};

dnnl::primitive_attr relu_attr(bool relu) {
  dnnl::primitive_attr attr;
  if (relu) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  return attr;
}

dnnl::eltwise_forward::primitive_desc eltwise_fwd_pd(dnnl::algorithm alg, const memory::desc &md, float a,
                                                     float b) {
  return {dnnl::eltwise_forward::desc(dnnl::prop_kind::forward_training, alg, md, a, b), engine()};
}

// Backward of a ReLU fused into the producing primitive, in place on the output's gradient.
dnnl::primitive relu_backward(const memory::desc &md) {
  auto alg = dnnl::algorithm::eltwise_relu_use_dst_for_bwd;
  dnnl::eltwise_backward::desc d(alg, md, md, 0.f, 0.f);
  return dnnl::eltwise_backward(dnnl::eltwise_backward::primitive_desc(d, engine(), eltwise_fwd_pd(alg, md, 0.f, 0.f)));
}

void relu_backward_in_place(Op &op) {
  op.act_bwd.execute(stream(), {{DNNL_ARG_DIFF_DST, op.dout}, {DNNL_ARG_DST, op.out}, {DNNL_ARG_DIFF_SRC, op.dout}});
}

void check(bool ok, const std::string &what) {
  if (!ok) throw std::runtime_error("plan: " + what);
}

void build_conv(Op &op, const int64_t *r, const Plan &plan) {
  const memory::dims &in = op.in_md.dims();
  int64_t C = r[3], KH = r[4], KW = r[5], OC = r[6], OH = r[7], OW = r[8];
  check(in.size() == 4 && in[1] == C && in[2] == r[1] && in[3] == r[2], "Conv2D input shape mismatch");
  dt cdt = plan.bf16 ? dt::bf16 : dt::f32;
  memory::dims src_d{plan.N, C, r[1], r[2]}, dst_d{plan.N, OC, OH, OW}, w_d{OC, C, KH, KW};
  memory::dims strides{r[9], r[10]}, dil{0, 0}, pad_l{r[11], r[12]}, pad_r{r[13], r[14]};
  memory::desc src_any(src_d, cdt, tag::any), w_any(w_d, cdt, tag::any), dst_any(dst_d, dt::f32, tag::any);
  memory::desc dst_in_any(dst_d, cdt, tag::any), dsrc_any(src_d, dt::f32, tag::any), dw_any(w_d, dt::f32, tag::any);
  memory::desc b_md({OC}, dt::f32, tag::x);
  auto alg = dnnl::algorithm::convolution_direct;
  auto prop = dnnl::prop_kind::forward_training;
  auto fdesc = op.bias ? dnnl::convolution_forward::desc(prop, alg, src_any, w_any, b_md, dst_any, strides, dil,
                                                         pad_l, pad_r)
                       : dnnl::convolution_forward::desc(prop, alg, src_any, w_any, dst_any, strides, dil, pad_l,
                                                         pad_r);
  dnnl::convolution_forward::primitive_desc fpd(fdesc, relu_attr(op.relu), engine());
  op.fwd = dnnl::convolution_forward(fpd);
  op.impl = fpd.impl_info_str();
  op.out_dims = dst_d;
  op.out_md = fpd.dst_desc();
  op.fwd_src_md = fpd.src_desc();
  op.fwd_w_md = fpd.weights_desc();
  memory::desc w_user_md(w_d, dt::f32, tag::hwio);
  op.w_user = unbound(w_user_md);
  op.b_user = unbound(b_md);
  // One thread only where the problem is small too: AlexNet's 3-channel 13×13 conv1 (12.6 GFLOP at batch 16)
  // is faster on two.
  const double conv_flops = 2.0 * plan.N * OH * OW * KH * KW * C * OC;
  op.few_channels = C <= 4 && conv_flops < 1e9;
  if (op.wgrad) {
    // oneDNN fixes a primitive's thread split when it is created: build it under the limit it runs with.
    ThreadLimit limit(op.few_channels ? 0 : 1e18);
    auto bdesc = op.bias ? dnnl::convolution_backward_weights::desc(alg, src_any, dw_any, b_md, dst_in_any, strides,
                                                                    dil, pad_l, pad_r)
                         : dnnl::convolution_backward_weights::desc(alg, src_any, dw_any, dst_in_any, strides, dil,
                                                                    pad_l, pad_r);
    dnnl::convolution_backward_weights::primitive_desc pd(bdesc, engine(), fpd);
    op.bwd_weights = dnnl::convolution_backward_weights(pd);
    op.bw_src_md = pd.src_desc();
    op.bw_ddst_md = pd.diff_dst_desc();
    op.bw_dw_md = pd.diff_weights_desc();
    op.impl += " | weights: " + std::string(pd.impl_info_str());
    op.dw_user = unbound(w_user_md);
    op.db_user = unbound(b_md);
  }
  if (op.igrad) {
    dnnl::convolution_backward_data::desc ddesc(alg, dsrc_any, w_any, dst_in_any, strides, dil, pad_l, pad_r);
    dnnl::convolution_backward_data::primitive_desc pd(ddesc, engine(), fpd);
    op.bwd_data = dnnl::convolution_backward_data(pd);
    op.bd_ddst_md = pd.diff_dst_desc();
    op.bd_w_md = pd.weights_desc();
    op.bd_dsrc_md = pd.diff_src_desc();
    op.impl += " | data: " + std::string(pd.impl_info_str());
  }
  if (op.relu) op.act_bwd = relu_backward(op.out_md);
}

// Forward of a convolution or a dense layer: input and weights in the primitive's layouts, bias and ReLU fused.
void forward_weighted(Op &op, const memory &in) {
  op.src_used = op.c_src(in, op.fwd_src_md);
  op.w_used = op.c_w(op.w_user, op.fwd_w_md);
  std::unordered_map<int, memory> args{
      {DNNL_ARG_SRC, op.src_used}, {DNNL_ARG_WEIGHTS, op.w_used}, {DNNL_ARG_DST, op.out}};
  if (op.bias) args[DNNL_ARG_BIAS] = op.b_user;
  op.fwd.execute(stream(), args);
}

void backward_conv(Op &op, const memory *prev_dout) {
  if (op.relu && !op.relu_in_next) relu_backward_in_place(op);
  memory ddst_w;
  if (op.wgrad) {
    ddst_w = op.c_bw_ddst(op.dout, op.bw_ddst_md);
    memory dw = op.d_dw.target(op.bw_dw_md, op.dw_user);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, op.c_bw_src(op.src_used, op.bw_src_md)},
                                         {DNNL_ARG_DIFF_DST, ddst_w},
                                         {DNNL_ARG_DIFF_WEIGHTS, dw}};
    if (op.bias) args[DNNL_ARG_DIFF_BIAS] = op.db_user;
    // With few input channels oneDNN's weight gradient runs about 4x slower on two threads than on one
    // (small CNN conv1, C = 1: 4.2 ms vs 1.0 ms), so it gets one thread.
    ThreadLimit limit(op.few_channels ? 0 : 1e18);
    op.bwd_weights.execute(stream(), args);
    op.d_dw.finish(op.dw_user);
  }
  if (op.igrad) {
    memory ddst = op.wgrad && op.bd_ddst_md == op.bw_ddst_md ? ddst_w : op.c_bd_ddst(op.dout, op.bd_ddst_md);
    memory dsrc = op.d_dsrc.target(op.bd_dsrc_md, *prev_dout);
    op.bwd_data.execute(stream(), {{DNNL_ARG_DIFF_DST, ddst},
                                   {DNNL_ARG_WEIGHTS, op.c_bd_w(op.w_used, op.bd_w_md)},
                                   {DNNL_ARG_DIFF_SRC, dsrc}});
    op.d_dsrc.finish(*prev_dout);
  }
}

void build_pool(Op &op, const int64_t *r, const Plan &plan) {
  const memory::dims &in = op.in_md.dims();
  check(in.size() == 4 && in[1] == r[3] && in[2] == r[1] && in[3] == r[2], "pooling input shape mismatch");
  bool max = r[14] != 0;
  auto alg = max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
  memory::dims dst_d{plan.N, r[3], r[6], r[7]}, strides{r[8], r[9]}, kernel{r[4], r[5]}, pad_l{r[10], r[11]},
      pad_r{r[12], r[13]};
  op.out_dims = dst_d;
  int64_t CB = 0, B = 0;
  tag t = tag::undef;
  if (max && channel_blocks(op.in_md, CB, B, t)) {
    op.own_pool = true;
    op.pool = {plan.N, CB, B, in[2], in[3], r[6], r[7], r[4], r[5], r[8], r[9], r[10], r[11]};
    op.out_md = memory::desc(dst_d, dt::f32, t);
    op.argmax.resize(op.out_md.get_size() / sizeof(float));
    op.impl = "max-pool:blocks of " + std::to_string(B);
    return;
  }
  memory::desc dst_any(dst_d, dt::f32, tag::any);
  dnnl::pooling_forward::primitive_desc fpd(
      dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, alg, op.in_md, dst_any, strides, kernel, pad_l,
                                  pad_r),
      engine());
  op.fwd = dnnl::pooling_forward(fpd);
  op.impl = fpd.impl_info_str();
  op.out_md = fpd.dst_desc();
  if (max) op.workspace = memory(fpd.workspace_desc(), engine());
  if (op.igrad) {
    dnnl::pooling_backward::primitive_desc pd(
        dnnl::pooling_backward::desc(alg, op.in_md, op.out_md, strides, kernel, pad_l, pad_r), engine(), fpd);
    op.bwd_data = dnnl::pooling_backward(pd);
    op.bd_ddst_md = pd.diff_dst_desc();
    op.bd_dsrc_md = pd.diff_src_desc();
  }
}

void forward_pool(Op &op, const memory &in) {
  if (op.own_pool) {
    max_pool_forward(op.pool, static_cast<const float *>(in.get_data_handle()),
                     static_cast<float *>(op.out.get_data_handle()), op.argmax.data());
    return;
  }
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, op.out}};
  if (op.workspace) args[DNNL_ARG_WORKSPACE] = op.workspace;
  op.fwd.execute(stream(), args);
}

void backward_pool(Op &op, const memory &prev_dout) {
  if (op.own_pool) {
    max_pool_backward(op.pool, static_cast<const float *>(op.dout.get_data_handle()), op.argmax.data(),
                      static_cast<const float *>(op.out.get_data_handle()), op.relu_of_in,
                      static_cast<float *>(prev_dout.get_data_handle()));
    return;
  }
  memory dsrc = op.d_dsrc.target(op.bd_dsrc_md, prev_dout);
  std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, op.c_bd_ddst(op.dout, op.bd_ddst_md)},
                                       {DNNL_ARG_DIFF_SRC, dsrc}};
  if (op.workspace) args[DNNL_ARG_WORKSPACE] = op.workspace;
  op.bwd_data.execute(stream(), args);
  op.d_dsrc.finish(prev_dout);
}

void build_dense(Op &op, const int64_t *r, const Plan &plan) {
  int64_t IN = r[1], OUT = r[2], N = plan.N;
  check(op.in_md == plain({N, IN}), "Dense needs a flat input of " + std::to_string(IN) + " features");
  dt cdt = plan.bf16 ? dt::bf16 : dt::f32;
  memory::desc src_md({N, IN}, cdt, tag::ab), w_md({IN, OUT}, cdt, tag::ab), b_md({1, OUT}, dt::f32, tag::ab);
  memory::desc dst_md({N, OUT}, dt::f32, tag::ab);
  auto fdesc = op.bias ? dnnl::matmul::desc(src_md, w_md, b_md, dst_md) : dnnl::matmul::desc(src_md, w_md, dst_md);
  dnnl::matmul::primitive_desc fpd(fdesc, relu_attr(op.relu), engine());
  op.fwd = dnnl::matmul(fpd);
  op.impl = fpd.impl_info_str();
  op.out_dims = {N, OUT};
  op.out_md = dst_md;
  op.fwd_src_md = src_md;
  op.fwd_w_md = w_md;
  op.w_user = unbound(memory::desc({IN, OUT}, dt::f32, tag::ab));
  op.b_user = unbound(b_md);
  memory::desc ddst_md({N, OUT}, cdt, tag::ab);
  op.bw_ddst_md = ddst_md;
  if (op.wgrad) {
    memory::desc src_t_md({IN, N}, cdt, tag::ba);
    op.bwd_weights =
        dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(src_t_md, ddst_md, plain({IN, OUT})), engine()));
    op.src_t = unbound(src_t_md);
    op.dw_user = unbound(plain({IN, OUT}));
    op.db_user = unbound(memory::desc({OUT}, dt::f32, tag::x));
  }
  if (op.igrad) {
    memory::desc w_t_md({OUT, IN}, cdt, tag::ba);
    op.bwd_data =
        dnnl::matmul(dnnl::matmul::primitive_desc(dnnl::matmul::desc(ddst_md, w_t_md, plain({N, IN})), engine()));
    op.w_t = unbound(w_t_md);
  }
  if (op.relu) op.act_bwd = relu_backward(op.out_md);
}

void backward_dense(Op &op, const memory *prev_dout) {
  if (op.relu) relu_backward_in_place(op);
  memory ddst = op.c_bw_ddst(op.dout, op.bw_ddst_md);
  if (op.wgrad) {
    op.src_t.set_data_handle(op.src_used.get_data_handle());
    op.bwd_weights.execute(stream(), {{DNNL_ARG_SRC, op.src_t}, {DNNL_ARG_WEIGHTS, ddst}, {DNNL_ARG_DST, op.dw_user}});
    if (op.bias) {
      stream().wait();
      const memory::dims &d = op.out_dims;
      const float *g = static_cast<const float *>(op.dout.get_data_handle());
      float *db = static_cast<float *>(op.db_user.get_data_handle());
      std::memset(db, 0, sizeof(float) * d[1]);
      for (int64_t n = 0; n < d[0]; n++)
        for (int64_t j = 0; j < d[1]; j++) db[j] += g[n * d[1] + j];
    }
  }
  if (op.igrad) {
    op.w_t.set_data_handle(op.w_used.get_data_handle());
    op.bwd_data.execute(stream(), {{DNNL_ARG_SRC, ddst}, {DNNL_ARG_WEIGHTS, op.w_t}, {DNNL_ARG_DST, *prev_dout}});
  }
}

void build_eltwise(Op &op, const int64_t *r, const float *f) {
  using A = dnnl::algorithm;
  A alg;
  switch (r[1]) {
    case kEltRelu: alg = A::eltwise_relu_use_dst_for_bwd; break;
    case kEltSigmoid: alg = A::eltwise_logistic_use_dst_for_bwd; break;
    case kEltTanh: alg = A::eltwise_tanh_use_dst_for_bwd; break;
    case kEltLinear: alg = A::eltwise_linear; break;
    default: throw std::runtime_error("plan: unknown element-wise function " + std::to_string(r[1]));
  }
  op.uses_dst = r[1] != kEltLinear;
  auto fpd = eltwise_fwd_pd(alg, op.in_md, f[0], f[1]);
  op.fwd = dnnl::eltwise_forward(fpd);
  op.impl = fpd.impl_info_str();
  op.out_dims = op.in_md.dims();
  op.out_md = fpd.dst_desc();
  if (op.igrad) {
    dnnl::eltwise_backward::desc d(alg, op.out_md, op.uses_dst ? op.out_md : op.in_md, f[0], f[1]);
    op.bwd_data = dnnl::eltwise_backward(dnnl::eltwise_backward::primitive_desc(d, engine(), fpd));
  }
}

void build_softmax(Op &op) {
  check(op.in_md.dims().size() == 2, "softmax needs a flat input");
  dnnl::softmax_forward::primitive_desc fpd(
      dnnl::softmax_forward::desc(dnnl::prop_kind::forward_training, op.in_md, 1), engine());
  op.fwd = dnnl::softmax_forward(fpd);
  op.impl = fpd.impl_info_str();
  op.out_dims = op.in_md.dims();
  op.out_md = fpd.dst_desc();
  if (op.igrad) {
    op.bwd_data = dnnl::softmax_backward(dnnl::softmax_backward::primitive_desc(
        dnnl::softmax_backward::desc(op.out_md, op.out_md, 1), engine(), fpd));
  }
}

// tf.dropout's multiplier, drawn as tfjs-core's randomUniform draws it: seedrandom's alea generator from
// `state` = [s0, s1, s2, c, rate] (seeded in src/engine/plan/dropout-mask.ts), each draw rounded to
// float32 as u, then floor(u + keep) / keep in float32.
//
// Alea's double arithmetic is exact integer arithmetic: its s values are multiples of 2^-32 in [0, 1)
// and c an integer below 2091639, so t = 2091639 * s0 + c * 2^-32 is (2091639 * x0 + c) * 2^-32 with a
// numerator below 2^53, and `c = t | 0; s2 = t - c` split it into its high and low 32 bits. The loop
// runs that multiply-with-carry generator on 64-bit integers. And since u and floor(u + keep) only grow
// with x, "kept" is x >= the smallest x whose float32 arithmetic keeps it, found once by bisection.
constexpr double kTwoToMinus32 = 2.3283064365386963e-10;

bool alea_keeps(uint64_t x, float keep) {
  const float u = static_cast<float>(static_cast<double>(x) * kTwoToMinus32);
  return std::floor(u + keep) >= 1.0f;
}

uint64_t alea_keep_threshold(float keep) {
  uint64_t lo = 0, hi = uint64_t{1} << 32;  // the answer is in [lo, hi]; hi means "never kept"
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (alea_keeps(mid, keep)) hi = mid; else lo = mid + 1;
  }
  return lo;
}

bool is_alea_word(double s) {
  const double x = s / kTwoToMinus32;
  return x >= 0 && x < 4294967296.0 && x == std::floor(x);
}

uint64_t alea_word(double s) { return static_cast<uint64_t>(s / kTwoToMinus32); }

void fill_dropout_mask(const double *state, float *mask, int64_t n) {
  uint64_t x0 = alea_word(state[0]), x1 = alea_word(state[1]), x2 = alea_word(state[2]);
  uint64_t c = static_cast<uint64_t>(state[3]);
  const float keep = static_cast<float>(1.0 - state[4]);
  const float kept = 1.0f / keep;
  uint32_t kept_bits;
  std::memcpy(&kept_bits, &kept, sizeof kept);
  const uint64_t threshold = alea_keep_threshold(keep);
  uint32_t *out = reinterpret_cast<uint32_t *>(mask);
  for (int64_t i = 0; i < n; i++) {
    const uint64_t t = 2091639 * x0 + c;
    x0 = x1;
    x1 = x2;
    x2 = t & 0xffffffffu;
    c = t >> 32;
    out[i] = kept_bits & (0u - static_cast<uint32_t>(x2 >= threshold));  // no branch: half the draws go each way
  }
}

// The [s0, s1, s2, c, rate] in `v`, checked to be an alea state (so that the integer loop is exact).
const double *dropout_state(const Napi::Value &v, const std::string &what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      v.As<Napi::TypedArray>().ElementLength() != 5)
    throw Napi::TypeError::New(v.Env(), what + ": expected a Float64Array [s0, s1, s2, c, rate]");
  const double *s = v.As<Napi::Float64Array>().Data();
  const bool carry = s[3] >= 0 && s[3] < 2091639 && s[3] == std::floor(s[3]);
  if (!is_alea_word(s[0]) || !is_alea_word(s[1]) || !is_alea_word(s[2]) || !carry || !(s[4] >= 0 && s[4] < 1))
    throw Napi::RangeError::New(v.Env(), what + ": not a seedrandom alea state and a rate in [0, 1)");
  return s;
}

void build_dropout(Op &op) {
  op.out_dims = op.in_md.dims();
  op.out_md = plain(op.out_dims);
  op.mask.resize(volume(op.out_dims));
  op.impl = "dropout:plain";
}

void forward_dropout(Op &op, const memory &in) {
  memory src = op.c_src(in, op.out_md);
  stream().wait();
  const float *x = static_cast<const float *>(src.get_data_handle());
  float *y = static_cast<float *>(op.out.get_data_handle());
  const float *m = op.mask.data();
  const int64_t n = static_cast<int64_t>(op.mask.size());
  for (int64_t i = 0; i < n; i++) y[i] = x[i] * m[i];
}

void backward_dropout(Op &op, const memory &prev_dout) {
  memory dsrc = op.d_dsrc.target(op.out_md, prev_dout);
  const float *g = static_cast<const float *>(op.dout.get_data_handle());
  float *dx = static_cast<float *>(dsrc.get_data_handle());
  const float *m = op.mask.data();
  const int64_t n = static_cast<int64_t>(op.mask.size());
  for (int64_t i = 0; i < n; i++) dx[i] = g[i] * m[i];
  op.d_dsrc.finish(prev_dout);
}

void build_flatten(Op &op, const Plan &plan) {
  const memory::dims &in = op.in_md.dims();
  memory::desc in_plain = plain(in);
  op.out_dims = {plan.N, volume(in) / plan.N};
  op.out_md = plain(op.out_dims);
  op.out4 = memory(in_plain, engine());
  op.dout4 = memory(in_plain, engine());
  op.flat_fwd = reorder_between(op.in_md, in_plain);
  op.flat_bwd = reorder_between(in_plain, op.in_md);
  op.impl = "flatten:" + std::string(op.in_md == in_plain ? "copy" : "reorder");
}

std::unique_ptr<Plan> build(const std::vector<int64_t> &spec, const float *floats_, size_t nfloats) {
  check(spec.size() >= 6, "spec too short");
  auto plan = std::make_unique<Plan>();
  plan->N = spec[0];
  plan->bf16 = spec[4] != 0;
  int64_t nops = spec[5];
  check(spec.size() == static_cast<size_t>(6 + nops * kPlanRecord) && nfloats >= static_cast<size_t>(2 * nops),
        "spec length does not match its op count");
  memory::desc in_md = plain({plan->N, spec[3], spec[1], spec[2]});
  plan->x = unbound(in_md);
  for (int64_t i = 0; i < nops; i++) {
    const int64_t *r = spec.data() + 6 + i * kPlanRecord;
    auto op = std::make_unique<Op>();
    op->kind = static_cast<int>(r[0]);
    op->bias = r[15] != 0;
    op->relu = r[16] != 0;
    op->wgrad = r[17] != 0;
    op->igrad = r[18] != 0;
    check(!(i == 0 && op->igrad), "the first op has no input gradient");
    op->in_md = in_md;
    switch (op->kind) {
      case kPlanConv: build_conv(*op, r, *plan); break;
      case kPlanPool: build_pool(*op, r, *plan); break;
      case kPlanDense: build_dense(*op, r, *plan); break;
      case kPlanEltwise: build_eltwise(*op, r, floats_ + 2 * i); break;
      case kPlanSoftmax: build_softmax(*op); break;
      case kPlanDropout: build_dropout(*op); break;
      case kPlanFlatten: build_flatten(*op, *plan); break;
      default: throw std::runtime_error("plan: unknown op kind " + std::to_string(op->kind));
    }
    if (op->kind == kPlanFlatten) {
      op->out = memory(op->out_md, engine(), op->out4.get_data_handle());
      op->dout = memory(op->out_md, engine(), op->dout4.get_data_handle());
    } else {
      op->out = memory(op->out_md, engine());
      op->dout = memory(op->out_md, engine());
    }
    op->work = static_cast<double>(volume(op->out_dims));
    if (op->kind == kPlanConv) op->work *= 2.0 * r[3] * r[4] * r[5];
    if (op->kind == kPlanDense) op->work *= 2.0 * r[1];
    if (op->kind == kPlanPool) op->work *= r[4] * r[5];
    if (op->own_pool && i > 0 && plan->ops.back()->kind == kPlanConv && plan->ops.back()->relu) {
      op->relu_of_in = true;
      plan->ops.back()->relu_in_next = true;
    }
    in_md = op->out_md;
    plan->ops.push_back(std::move(op));
  }
  check(nops > 0, "a plan needs at least one op");
  const Op &last = *plan->ops.back();
  plan->y = unbound(plain(last.out_dims));
  plan->dy = unbound(plain(last.out_dims));
  plan->y_out = reorder_between(last.out_md, plan->y.get_desc());
  plan->dy_same = plan->dy.get_desc() == last.out_md;
  if (!plan->dy_same) plan->dy_in = reorder_between(plan->dy.get_desc(), last.out_md);
  return plan;
}

void forward(Plan &plan) {
  for (size_t i = 0; i < plan.ops.size(); i++) {
    Op &op = *plan.ops[i];
    const memory &in = i == 0 ? plan.x : plan.ops[i - 1]->out;
    auto t0 = std::chrono::steady_clock::now();
    ThreadLimit limit(op.work);
    switch (op.kind) {
      case kPlanConv: forward_weighted(op, in); break;
      case kPlanPool: forward_pool(op, in); break;
      case kPlanDense: forward_weighted(op, in); break;
      case kPlanEltwise: op.fwd.execute(stream(), {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, op.out}}); break;
      case kPlanSoftmax: op.fwd.execute(stream(), {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, op.out}}); break;
      case kPlanDropout: forward_dropout(op, in); break;
      case kPlanFlatten: run(op.flat_fwd, in, op.out4); break;
    }
    stream().wait();
    op.fwd_ms = ms_since(t0);
  }
  run(plan.y_out, plan.ops.back()->out, plan.y);
  stream().wait();
}

void backward(Plan &plan) {
  Op &last = *plan.ops.back();
  if (plan.dy_same) std::memcpy(last.dout.get_data_handle(), plan.dy.get_data_handle(), last.dout.get_desc().get_size());
  else run(plan.dy_in, plan.dy, last.dout);
  for (size_t k = plan.ops.size(); k-- > 0;) {
    Op &op = *plan.ops[k];
    if (!op.wgrad && !op.igrad) break;
    const memory *prev = k > 0 ? &plan.ops[k - 1]->dout : nullptr;
    const memory &in = k == 0 ? plan.x : plan.ops[k - 1]->out;
    auto t0 = std::chrono::steady_clock::now();
    ThreadLimit limit(op.work);
    switch (op.kind) {
      case kPlanConv: backward_conv(op, prev); break;
      case kPlanPool: backward_pool(op, *prev); break;
      case kPlanDense: backward_dense(op, prev); break;
      case kPlanEltwise: {
        std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, op.dout}, {DNNL_ARG_DIFF_SRC, *prev}};
        args[op.uses_dst ? DNNL_ARG_DST : DNNL_ARG_SRC] = op.uses_dst ? op.out : in;
        op.bwd_data.execute(stream(), args);
        break;
      }
      case kPlanSoftmax:
        op.bwd_data.execute(stream(), {{DNNL_ARG_DST, op.out}, {DNNL_ARG_DIFF_DST, op.dout}, {DNNL_ARG_DIFF_SRC, *prev}});
        break;
      case kPlanDropout: stream().wait(); backward_dropout(op, *prev); break;
      case kPlanFlatten: run(op.flat_bwd, op.dout4, *prev); break;
    }
    stream().wait();
    op.bwd_ms = ms_since(t0);
    if (!op.igrad) break;
  }
  stream().wait();
}

Plan &plan_of(const Napi::CallbackInfo &info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "argument 0 must be a plan");
  return *info[0].As<Napi::External<Plan>>().Data();
}

float *optional_floats(const Napi::Value &v) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(v.Env(), "expected a Float32Array or null");
  return v.As<Napi::Float32Array>().Data();
}

// Points the weight memories (and with `grads`, the gradient memories) at the caller's arrays: two entries per op.
void bind_weights(Plan &plan, const Napi::Array &weights, const Napi::Array *grads) {
  for (uint32_t i = 0; i < plan.ops.size(); i++) {
    Op &op = *plan.ops[i];
    if (op.kind != kPlanConv && op.kind != kPlanDense) continue;
    op.w_user.set_data_handle(optional_floats(weights.Get(2 * i)));
    if (op.bias) op.b_user.set_data_handle(optional_floats(weights.Get(2 * i + 1)));
    if (grads && op.wgrad) {
      op.dw_user.set_data_handle(optional_floats(grads->Get(2 * i)));
      if (op.bias) op.db_user.set_data_handle(optional_floats(grads->Get(2 * i + 1)));
    }
  }
}

// planCreate(spec: Int32Array, floats: Float32Array) -> plan
Napi::Value Create(const Napi::CallbackInfo &info) {
  auto spec = ints(info, 0);
  const float *f = floats(info, 1);
  size_t nf = length(info, 1);
  std::unique_ptr<Plan> plan;
  try {
    plan = build(spec, f, nf);
  } catch (const dnnl::error &e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  } catch (const std::runtime_error &e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return Napi::External<Plan>::New(info.Env(), plan.release(), [](Napi::Env, Plan *p) { delete p; });
}

// planForward(plan, x, weights: (Float32Array|null)[], masks: (Float64Array|null)[] dropout states, y)
Napi::Value Forward(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  plan.x.set_data_handle(floats(info, 1));
  bind_weights(plan, info[2].As<Napi::Array>(), nullptr);
  Napi::Array masks = info[3].As<Napi::Array>();
  for (uint32_t i = 0; i < plan.ops.size(); i++) {
    Op &op = *plan.ops[i];
    if (op.kind != kPlanDropout) continue;
    const double *state = dropout_state(masks.Get(i), "plan: dropout mask " + std::to_string(i));
    fill_dropout_mask(state, op.mask.data(), static_cast<int64_t>(op.mask.size()));
  }
  plan.y.set_data_handle(floats(info, 4));
  return guarded(info, [&] { forward(plan); });
}

// planBackward(plan, x, dy, weights, grads: (Float32Array|null)[])
Napi::Value Backward(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  plan.x.set_data_handle(floats(info, 1));
  plan.dy.set_data_handle(floats(info, 2));
  Napi::Array grads = info[4].As<Napi::Array>();
  bind_weights(plan, info[3].As<Napi::Array>(), &grads);
  return guarded(info, [&] { backward(plan); });
}

// planDescribe(plan) -> the oneDNN implementation of each op's forward primitive.
Napi::Value Describe(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  Napi::Array a = Napi::Array::New(info.Env(), plan.ops.size());
  for (uint32_t i = 0; i < plan.ops.size(); i++) a.Set(i, plan.ops[i]->impl);
  return a;
}

// planTimes(plan) -> [forward ms, backward ms] of each op in the last step.
Napi::Value Times(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  Napi::Array a = Napi::Array::New(info.Env(), plan.ops.size());
  for (uint32_t i = 0; i < plan.ops.size(); i++) {
    Napi::Array t = Napi::Array::New(info.Env(), 2);
    t.Set(0u, plan.ops[i]->fwd_ms);
    t.Set(1u, plan.ops[i]->bwd_ms);
    a.Set(i, t);
  }
  return a;
}

}  // namespace

// dropoutMask(state: Float64Array [s0, s1, s2, c, rate], mask: Float32Array)
Napi::Value DropoutMask(const Napi::CallbackInfo &info) {
  const double *state = dropout_state(info[0], "dropoutMask");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), "dropoutMask: argument 1 must be a Float32Array");
  Napi::Float32Array mask = info[1].As<Napi::Float32Array>();
  fill_dropout_mask(state, mask.Data(), static_cast<int64_t>(mask.ElementLength()));
  return info.Env().Undefined();
}

void InitPlan(Napi::Env env, Napi::Object exports) {
  exports.Set("dropoutMask", Napi::Function::New(env, DropoutMask));
  exports.Set("planCreate", Napi::Function::New(env, Create));
  exports.Set("planForward", Napi::Function::New(env, Forward));
  exports.Set("planBackward", Napi::Function::New(env, Backward));
  exports.Set("planDescribe", Napi::Function::New(env, Describe));
  exports.Set("planTimes", Napi::Function::New(env, Times));
}

}  // namespace vl
