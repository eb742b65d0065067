// The ops a chain model is made of: convolution, pooling, dense, element-wise and softmax (see plan-ops.h).
#include <cstring>
#include <unordered_map>

#include "conv-impl.h"
#include "plan-ops.h"
#include "tune.h"

namespace vl {
namespace plan {

namespace {

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

}  // namespace

void build_conv(Op &op, const int64_t *r, const Plan &plan) {
  const memory::dims &in = op.in_md.dims();
  int64_t C = r[3], KH = r[4], KW = r[5], OC = r[6], OH = r[7], OW = r[8];
  check(in.size() == 4 && in[1] == C && in[2] == r[1] && in[3] == r[2], "Conv2D input shape mismatch");
  memory::dims src_d{plan.N, C, r[1], r[2]}, dst_d{plan.N, OC, OH, OW}, w_d{OC, C, KH, KW};
  memory::dims strides{r[9], r[10]}, dil{0, 0}, pad_l{r[11], r[12]}, pad_r{r[13], r[14]};
  memory::desc b_md({OC}, dt::f32, tag::x);
  auto alg = dnnl::algorithm::convolution_direct;
  auto any = [](const memory::dims &d, dt type) { return memory::desc(d, type, tag::any); };
  auto forward_pd = [&](dt cdt) {
    auto prop = dnnl::prop_kind::forward_training;
    memory::desc src = any(src_d, cdt), w = any(w_d, cdt), dst = any(dst_d, dt::f32);
    auto d = op.bias ? dnnl::convolution_forward::desc(prop, alg, src, w, b_md, dst, strides, dil, pad_l, pad_r)
                     : dnnl::convolution_forward::desc(prop, alg, src, w, dst, strides, dil, pad_l, pad_r);
    return dnnl::convolution_forward::primitive_desc(d, relu_attr(op.relu), engine());
  };
  const double conv_flops = 2.0 * plan.N * OH * OW * KH * KW * C * OC;
  std::string key = key_of("conv", {plan.N, C, r[1], r[2], OC, KH, KW, r[9], r[10], r[11], r[12], r[13], r[14],
                                    op.bias, op.relu, plan.bf16});
  auto any_impl = [](const char *) { return true; };
  auto fpd = forward_pd(plan.bf16 ? dt::bf16 : dt::f32);
  op.fwd = dnnl::convolution_forward(fpd);
  // A bf16 plan runs each backward pass in bf16 or in float32, whichever is faster.
  std::vector<dnnl::convolution_forward::primitive_desc> hints{fpd};
  if (plan.bf16 && tuned_size(conv_flops)) hints.push_back(forward_pd(dt::f32));
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
  op.few_channels = C <= 4 && conv_flops < 1e9;
  auto type_name = [](dt t) { return t == dt::bf16 ? " bf16" : ""; };
  if (op.wgrad) {
    // oneDNN fixes a primitive's thread split when it is created: build it under the limit it runs with.
    ThreadLimit limit(op.few_channels ? 0 : 1e18);
    Candidates<dnnl::convolution_backward_weights> candidates;
    for (const auto &hint : hints) {
      dt t = hint.src_desc().data_type();
      memory::desc src = any(src_d, t), dw = any(w_d, dt::f32), ddst = any(dst_d, t);
      auto d = op.bias ? dnnl::convolution_backward_weights::desc(alg, src, dw, b_md, ddst, strides, dil, pad_l, pad_r)
                       : dnnl::convolution_backward_weights::desc(alg, src, dw, ddst, strides, dil, pad_l, pad_r);
      candidates.add(d, hint);
    }
    dnnl::convolution_backward_weights::primitive_desc pd;
    op.bwd_weights = fastest<dnnl::convolution_backward_weights>(
        candidates, key + ",wgrad", conv_flops,
        [&](const auto &p) {
          ArgDescs a{{DNNL_ARG_SRC, p.src_desc()},
                     {DNNL_ARG_DIFF_DST, p.diff_dst_desc()},
                     {DNNL_ARG_DIFF_WEIGHTS, p.diff_weights_desc()}};
          if (op.bias) a.push_back({DNNL_ARG_DIFF_BIAS, p.diff_bias_desc()});
          return a;
        },
        pd, [&](const char *impl) { return !broken_1x1_wgrad(impl, KH, KW, r[9], r[10]); });
    op.bw_src_md = pd.src_desc();
    op.bw_ddst_md = pd.diff_dst_desc();
    op.bw_dw_md = pd.diff_weights_desc();
    op.impl += " | weights: " + std::string(pd.impl_info_str()) + type_name(pd.src_desc().data_type());
    op.dw_user = unbound(w_user_md);
    op.db_user = unbound(b_md);
  }
  if (op.igrad) {
    Candidates<dnnl::convolution_backward_data> candidates;
    for (const auto &hint : hints) {
      dt t = hint.src_desc().data_type();
      candidates.add({alg, any(src_d, dt::f32), any(w_d, t), any(dst_d, t), strides, dil, pad_l, pad_r}, hint);
    }
    dnnl::convolution_backward_data::primitive_desc pd;
    op.bwd_data = fastest<dnnl::convolution_backward_data>(
        candidates, key + ",dgrad", conv_flops,
        [&](const auto &p) {
          return ArgDescs{{DNNL_ARG_DIFF_DST, p.diff_dst_desc()},
                          {DNNL_ARG_WEIGHTS, p.weights_desc()},
                          {DNNL_ARG_DIFF_SRC, p.diff_src_desc()}};
        },
        pd, any_impl);
    op.bd_ddst_md = pd.diff_dst_desc();
    op.bd_w_md = pd.weights_desc();
    op.bd_dsrc_md = pd.diff_src_desc();
    op.impl += " | data: " + std::string(pd.impl_info_str()) + type_name(pd.weights_desc().data_type());
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

void backward_conv(Op &op) {
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
  if (op.sinks[0]) {
    memory ddst = op.wgrad && op.bd_ddst_md == op.bw_ddst_md ? ddst_w : op.c_bd_ddst(op.dout, op.bd_ddst_md);
    memory dsrc = op.sinks[0].target(op.bd_dsrc_md);
    op.bwd_data.execute(stream(), {{DNNL_ARG_DIFF_DST, ddst},
                                   {DNNL_ARG_WEIGHTS, op.c_bd_w(op.w_used, op.bd_w_md)},
                                   {DNNL_ARG_DIFF_SRC, dsrc}});
    op.sinks[0].finish();
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

void backward_pool(Op &op) {
  if (op.own_pool) {
    memory dsrc = op.sinks[0].target(op.in_md);
    max_pool_backward(op.pool, static_cast<const float *>(op.dout.get_data_handle()), op.argmax.data(),
                      static_cast<const float *>(op.out.get_data_handle()), op.relu_of_in,
                      static_cast<float *>(dsrc.get_data_handle()));
    op.sinks[0].finish();
    return;
  }
  memory dsrc = op.sinks[0].target(op.bd_dsrc_md);
  std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, op.c_bd_ddst(op.dout, op.bd_ddst_md)},
                                       {DNNL_ARG_DIFF_SRC, dsrc}};
  if (op.workspace) args[DNNL_ARG_WORKSPACE] = op.workspace;
  op.bwd_data.execute(stream(), args);
  op.sinks[0].finish();
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

void backward_dense(Op &op) {
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
  if (op.sinks[0]) {
    op.w_t.set_data_handle(op.w_used.get_data_handle());
    memory dsrc = op.sinks[0].target(plain({op.out_dims[0], op.in_md.dims()[1]}));
    op.bwd_data.execute(stream(), {{DNNL_ARG_SRC, ddst}, {DNNL_ARG_WEIGHTS, op.w_t}, {DNNL_ARG_DST, dsrc}});
    op.sinks[0].finish();
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

void backward_eltwise(Op &op, const memory &in) {
  memory dsrc = op.sinks[0].target(op.out_md);
  std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, op.dout}, {DNNL_ARG_DIFF_SRC, dsrc}};
  args[op.uses_dst ? DNNL_ARG_DST : DNNL_ARG_SRC] = op.uses_dst ? op.out : in;
  op.bwd_data.execute(stream(), args);
  op.sinks[0].finish();
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

void backward_softmax(Op &op) {
  memory dsrc = op.sinks[0].target(op.out_md);
  op.bwd_data.execute(stream(), {{DNNL_ARG_DST, op.out}, {DNNL_ARG_DIFF_DST, op.dout}, {DNNL_ARG_DIFF_SRC, dsrc}});
  op.sinks[0].finish();
}

}  // namespace plan
}  // namespace vl
