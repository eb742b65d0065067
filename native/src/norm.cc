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
  return cached_or_build<LayerNorm>(key_of("ln", {rows, cols, static_cast<int64_t>(eps * 1e12)}), [&](LayerNorm &p) {
    p.data = memory::desc({rows, cols}, dt::f32, tag::ab);
    p.stat = memory::desc({rows}, dt::f32, tag::a);
    p.channel = memory::desc({cols}, dt::f32, tag::a);
    const auto f = flags::use_scale | flags::use_shift;
    dnnl::layer_normalization_forward::primitive_desc fpd(
        {dnnl::prop_kind::forward_training, p.data, p.stat, eps, f}, engine());
    dnnl::layer_normalization_backward::primitive_desc bpd(
        {dnnl::prop_kind::backward, p.data, p.data, p.stat, eps, f}, engine(), fpd);
    p.fwd = dnnl::layer_normalization_forward(fpd);
    p.bwd = dnnl::layer_normalization_backward(bpd);
  });
}

// One argument of a layer-norm primitive: its oneDNN name, its layout, and which array of the call holds it.
struct LayerNormArg {
  int name;
  memory::desc LayerNorm::*desc;
  int array;
};

// Runs the forward or backward primitive on the call's arrays; `arrays` of them come first, then
// rows, cols and epsilon. `work` is the element operations per value, for the thread count.
Napi::Value run_layer_norm(const Napi::CallbackInfo &info, bool backward, int arrays, double work,
                           std::initializer_list<LayerNormArg> args) {
  const int64_t rows = info[arrays].As<Napi::Number>().Int64Value();
  const int64_t cols = info[arrays + 1].As<Napi::Number>().Int64Value();
  const float eps = info[arrays + 2].As<Napi::Number>().FloatValue();
  return guarded(info, [&] {
    ThreadLimit limit(work * rows * cols);
    auto &ln = layer_norm(rows, cols, eps);
    std::unordered_map<int, memory> bound;
    for (const auto &a : args) bound.emplace(a.name, memory(ln.*a.desc, engine(), floats(info, a.array)));
    if (backward)
      ln.bwd.execute(stream(), bound);
    else
      ln.fwd.execute(stream(), bound);
    stream().wait();
  });
}

constexpr auto DATA = &LayerNorm::data, STAT = &LayerNorm::stat, CHANNEL = &LayerNorm::channel;

// layerNorm(x, gamma, beta, y, mean, variance, rows, cols, eps)
Napi::Value LayerNormForward(const Napi::CallbackInfo &info) {
  return run_layer_norm(info, false, 6, 8.0,
                        {{DNNL_ARG_SRC, DATA, 0}, {DNNL_ARG_SCALE, CHANNEL, 1}, {DNNL_ARG_SHIFT, CHANNEL, 2},
                         {DNNL_ARG_DST, DATA, 3}, {DNNL_ARG_MEAN, STAT, 4}, {DNNL_ARG_VARIANCE, STAT, 5}});
}

// layerNormBackward(x, gamma, mean, variance, dy, dx, dgamma, dbeta, rows, cols, eps); oneDNN 2.6 asks
// for the shift although its gradient does not read it (gamma stands in).
Napi::Value LayerNormBackward(const Napi::CallbackInfo &info) {
  return run_layer_norm(info, true, 8, 12.0,
                        {{DNNL_ARG_SRC, DATA, 0}, {DNNL_ARG_SCALE, CHANNEL, 1}, {DNNL_ARG_SHIFT, CHANNEL, 1},
                         {DNNL_ARG_MEAN, STAT, 2}, {DNNL_ARG_VARIANCE, STAT, 3}, {DNNL_ARG_DIFF_DST, DATA, 4},
                         {DNNL_ARG_DIFF_SRC, DATA, 5}, {DNNL_ARG_DIFF_SCALE, CHANNEL, 6},
                         {DNNL_ARG_DIFF_SHIFT, CHANNEL, 7}});
}

struct Gelu {
  dnnl::eltwise_forward fwd;
  dnnl::eltwise_backward bwd;
  memory::desc data;
};

Gelu &gelu(int64_t n) {
  return cached_or_build<Gelu>(key_of("gelu", {n}), [&](Gelu &p) {
    p.data = memory::desc({n}, dt::f32, tag::a);
    const auto alg = dnnl::algorithm::eltwise_gelu_erf;
    dnnl::eltwise_forward::primitive_desc fpd({dnnl::prop_kind::forward_training, alg, p.data}, engine());
    dnnl::eltwise_backward::primitive_desc bpd({alg, p.data, p.data}, engine(), fpd);
    p.fwd = dnnl::eltwise_forward(fpd);
    p.bwd = dnnl::eltwise_backward(bpd);
  });
}

memory mem(const memory::desc &d, float *p) { return memory(d, engine(), p); }

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
