// Layer normalization over the last axis and the exact (erf) GELU, forward and backward, through
// oneDNN's layer_normalization and eltwise primitives: one pass each where TF.js composes a dozen
// element-wise kernels (and keeps every intermediate for the gradient).
#include "common.h"

namespace vl {
namespace {

using flags = dnnl::normalization_flags;

struct LayerNorm {
  dnnl::layer_normalization_forward fwd;
  dnnl::layer_normalization_backward bwd;
  memory::desc data, stat, channel;
};

LayerNorm &layer_norm(int64_t rows, int64_t cols, float eps) {
  auto key = key_of("ln", {rows, cols, static_cast<int64_t>(eps * 1e12)});
  if (auto *hit = cached<LayerNorm>(key)) return *hit;
  auto p = std::make_unique<LayerNorm>();
  p->data = memory::desc({rows, cols}, dt::f32, tag::ab);
  p->stat = memory::desc({rows}, dt::f32, tag::a);
  p->channel = memory::desc({cols}, dt::f32, tag::a);
  const auto f = flags::use_scale | flags::use_shift;
  dnnl::layer_normalization_forward::primitive_desc fpd(
      {dnnl::prop_kind::forward_training, p->data, p->stat, eps, f}, engine());
  dnnl::layer_normalization_backward::primitive_desc bpd({dnnl::prop_kind::backward, p->data, p->data, p->stat, eps, f},
                                                         engine(), fpd);
  p->fwd = dnnl::layer_normalization_forward(fpd);
  p->bwd = dnnl::layer_normalization_backward(bpd);
  return keep(key, std::move(p));
}

memory mem(const memory::desc &d, float *p) { return memory(d, engine(), p); }

// layerNorm(x, gamma, beta, y, mean, variance, rows, cols, eps)
Napi::Value LayerNormForward(const Napi::CallbackInfo &info) {
  const int64_t rows = info[6].As<Napi::Number>().Int64Value(), cols = info[7].As<Napi::Number>().Int64Value();
  const float eps = info[8].As<Napi::Number>().FloatValue();
  return guarded(info, [&] {
    ThreadLimit limit(8.0 * rows * cols);
    auto &ln = layer_norm(rows, cols, eps);
    ln.fwd.execute(stream(), {{DNNL_ARG_SRC, mem(ln.data, floats(info, 0))},
                              {DNNL_ARG_SCALE, mem(ln.channel, floats(info, 1))},
                              {DNNL_ARG_SHIFT, mem(ln.channel, floats(info, 2))},
                              {DNNL_ARG_DST, mem(ln.data, floats(info, 3))},
                              {DNNL_ARG_MEAN, mem(ln.stat, floats(info, 4))},
                              {DNNL_ARG_VARIANCE, mem(ln.stat, floats(info, 5))}});
    stream().wait();
  });
}

// layerNormBackward(x, gamma, mean, variance, dy, dx, dgamma, dbeta, rows, cols, eps)
Napi::Value LayerNormBackward(const Napi::CallbackInfo &info) {
  const int64_t rows = info[8].As<Napi::Number>().Int64Value(), cols = info[9].As<Napi::Number>().Int64Value();
  const float eps = info[10].As<Napi::Number>().FloatValue();
  return guarded(info, [&] {
    ThreadLimit limit(12.0 * rows * cols);
    auto &ln = layer_norm(rows, cols, eps);
    ln.bwd.execute(stream(), {{DNNL_ARG_SRC, mem(ln.data, floats(info, 0))},
                              {DNNL_ARG_SCALE, mem(ln.channel, floats(info, 1))},
                              // oneDNN 2.6 asks for the shift although its gradient does not read it.
                              {DNNL_ARG_SHIFT, mem(ln.channel, floats(info, 1))},
                              {DNNL_ARG_MEAN, mem(ln.stat, floats(info, 2))},
                              {DNNL_ARG_VARIANCE, mem(ln.stat, floats(info, 3))},
                              {DNNL_ARG_DIFF_DST, mem(ln.data, floats(info, 4))},
                              {DNNL_ARG_DIFF_SRC, mem(ln.data, floats(info, 5))},
                              {DNNL_ARG_DIFF_SCALE, mem(ln.channel, floats(info, 6))},
                              {DNNL_ARG_DIFF_SHIFT, mem(ln.channel, floats(info, 7))}});
    stream().wait();
  });
}

struct Gelu {
  dnnl::eltwise_forward fwd;
  dnnl::eltwise_backward bwd;
  memory::desc data;
};

Gelu &gelu(int64_t n) {
  auto key = key_of("gelu", {n});
  if (auto *hit = cached<Gelu>(key)) return *hit;
  auto p = std::make_unique<Gelu>();
  p->data = memory::desc({n}, dt::f32, tag::a);
  const auto alg = dnnl::algorithm::eltwise_gelu_erf;
  dnnl::eltwise_forward::primitive_desc fpd({dnnl::prop_kind::forward_training, alg, p->data}, engine());
  dnnl::eltwise_backward::primitive_desc bpd({alg, p->data, p->data}, engine(), fpd);
  p->fwd = dnnl::eltwise_forward(fpd);
  p->bwd = dnnl::eltwise_backward(bpd);
  return keep(key, std::move(p));
}

// gelu(x, y)
Napi::Value GeluForward(const Napi::CallbackInfo &info) {
  const int64_t n = static_cast<int64_t>(length(info, 0));
  return guarded(info, [&] {
    ThreadLimit limit(20.0 * n);
    auto &g = gelu(n);
    g.fwd.execute(stream(), {{DNNL_ARG_SRC, mem(g.data, floats(info, 0))}, {DNNL_ARG_DST, mem(g.data, floats(info, 1))}});
    stream().wait();
  });
}

// geluBackward(x, dy, dx)
Napi::Value GeluBackward(const Napi::CallbackInfo &info) {
  const int64_t n = static_cast<int64_t>(length(info, 0));
  return guarded(info, [&] {
    ThreadLimit limit(30.0 * n);
    auto &g = gelu(n);
    g.bwd.execute(stream(), {{DNNL_ARG_SRC, mem(g.data, floats(info, 0))},
                             {DNNL_ARG_DIFF_DST, mem(g.data, floats(info, 1))},
                             {DNNL_ARG_DIFF_SRC, mem(g.data, floats(info, 2))}});
    stream().wait();
  });
}

}  // namespace

void InitNorm(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"layerNorm", LayerNormForward}, {"layerNormBackward", LayerNormBackward},
                               {"gelu", GeluForward}, {"geluBackward", GeluBackward}});
}

}  // namespace vl
