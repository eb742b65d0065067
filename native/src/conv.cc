// Convolutions (regular and depthwise, i.e. grouped with one input channel per group) on NHWC
// activations and TF.js filter layouts (HWIO; depthwise HW C M), forward and both backward passes.
// Primitives are cached by shape; oneDNN picks its preferred internal layouts, and the tensors are
// reordered to and from the TF.js layouts only when they differ.
#include <cstdlib>
#include <memory>
#include <unordered_map>

#include "common.h"
#include "conv-impl.h"
#include "tune.h"

namespace vl {
namespace {

struct Dims {
  int64_t N, H, W, C, KH, KW, OC, OH, OW, sh, sw, dh, dw, pt, pl, pb, pr, G, act;
  // bf16: the primitive reads its inputs (activations, weights, gradients) as bfloat16, writes fp32.
  bool bf16;
  double flops() const { return 2.0 * N * OH * OW * KH * KW * (C / G) * OC; }
  explicit Dims(const std::vector<int64_t> &p)
      : N(p.at(0)), H(p[1]), W(p[2]), C(p[3]), KH(p[4]), KW(p[5]), OC(p[6]), OH(p[7]), OW(p[8]), sh(p[9]),
        sw(p[10]), dh(p[11]), dw(p[12]), pt(p[13]), pl(p[14]), pb(p[15]), pr(p[16]), G(p[17]), act(p.at(18)),
        bf16(p.size() > 19 && p[19] != 0) {}

  dt in() const { return bf16 ? dt::bf16 : dt::f32; }
  // Activations the primitive reads (x forward and for the weight gradient, dy backward).
  memory::desc src_in() const { return memory::desc({N, C, H, W}, in(), tag::nhwc); }
  memory::desc dst_in() const { return memory::desc({N, OC, OH, OW}, in(), tag::nhwc); }

  memory::desc src() const { return memory::desc({N, C, H, W}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({N, OC, OH, OW}, dt::f32, tag::nhwc); }
  memory::desc weights() const {
    if (G == 1) return memory::desc({OC, C, KH, KW}, dt::f32, tag::hwio);
    // Depthwise filter [KH, KW, C, M] = grouped weights {G=C, O=M, I=1, KH, KW} in hwigo order.
    return memory::desc({G, OC / G, C / G, KH, KW}, dt::f32, tag::hwigo);
  }
  memory::desc weights_any(bool gradient = false) const {
    const dt type = gradient ? dt::f32 : in();
    if (G == 1) return memory::desc({OC, C, KH, KW}, type, tag::any);
    return memory::desc({G, OC / G, C / G, KH, KW}, type, tag::any);
  }
  memory::desc act_any(bool out) const {
    return out ? memory::desc({N, OC, OH, OW}, dt::f32, tag::any) : memory::desc({N, C, H, W}, dt::f32, tag::any);
  }
  memory::dims strides() const { return {sh, sw}; }
  memory::dims dilates() const { return {dh - 1, dw - 1}; }
  memory::dims pad_l() const { return {pt, pl}; }
  memory::dims pad_r() const { return {pb, pr}; }
};

// Activations in oneDNN's preferred layout ("any") instead of plain NHWC; set by VISIONLAB_CONV_LAYOUT=any.
bool blocked_activations(const Dims &d) {
  static bool v = [] {
    const char *e = std::getenv("VISIONLAB_CONV_LAYOUT");
    return e && std::string(e) == "any";
  }();
  return v && !d.bf16;
}

// A tensor as TF.js holds it (user) and as the primitive wants it (internal), converted through the
// scratch array of its argument position (`role`: 0 and 1 the inputs, 2 the output). Sharing that
// scratch instead of a copy per primitive holds 150 MB less at peak on the reduced AlexNet's eager bf16
// step (each convolution kept bf16 copies of its input, weights and output for the forward and both
// backward passes), 45 MB in fp32.
struct Slot {
  memory::desc user, internal;
  bool same = true;
  int role = 0;
  Slot() = default;
  Slot(const memory::desc &u, const memory::desc &i, int r) : user(u), internal(i), same(u == i), role(r) {}
  // Memory the primitive reads: the user's buffer, or a reordered copy.
  memory in(float *p) {
    memory m(user, engine(), p);
    if (same) return m;
    memory buf = copy();
    dnnl::reorder(m, buf).execute(stream(), m, buf);
    return buf;
  }
  memory out(float *p) { return same ? memory(user, engine(), p) : copy(); }
  // After the primitive wrote out(p): the copy reordered into the user's buffer.
  void finish(float *p) {
    if (same) return;
    memory m(user, engine(), p);
    memory buf = copy();
    dnnl::reorder(buf, m).execute(stream(), buf, m);
  }

 private:
  memory copy() const { return memory(internal, engine(), scratch(role, internal.get_size())); }
};

dnnl::convolution_forward::primitive_desc forward_pd(const Dims &d, bool bias, bool training) {
  bool any = blocked_activations(d);
  dnnl::primitive_attr attr;
  if (d.act == 1) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  auto prop = training ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference;
  auto src = any ? d.act_any(false) : d.src_in();
  auto dst = any ? d.act_any(true) : d.dst();
  if (bias) {
    memory::desc b({d.OC}, dt::f32, tag::x);
    dnnl::convolution_forward::desc desc(prop, dnnl::algorithm::convolution_direct, src, d.weights_any(), b, dst,
                                         d.strides(), d.dilates(), d.pad_l(), d.pad_r());
    return {desc, attr, engine()};
  }
  dnnl::convolution_forward::desc desc(prop, dnnl::algorithm::convolution_direct, src, d.weights_any(), dst,
                                       d.strides(), d.dilates(), d.pad_l(), d.pad_r());
  return {desc, attr, engine()};
}

struct Fwd {
  dnnl::convolution_forward::primitive_desc pd;
  dnnl::convolution_forward prim;
  Slot src, w, dst;
};

struct BwdData {
  dnnl::convolution_backward_data::primitive_desc pd;
  dnnl::convolution_backward_data prim;
  Slot dy, w, dx;
};

struct BwdWeights {
  dnnl::convolution_backward_weights::primitive_desc pd;
  dnnl::convolution_backward_weights prim;
  Slot x, dy, dw;
};

Fwd &get_fwd(const std::vector<int64_t> &p, bool bias) {
  return cached_or_build<Fwd>(key_of(bias ? "fb" : "f", p), [&](Fwd &f) {
    Dims d(p);
    f.pd = forward_pd(d, bias, false);
    f.prim = dnnl::convolution_forward(f.pd);
    f.src = Slot(d.src(), f.pd.src_desc(), 0);
    f.w = Slot(d.weights(), f.pd.weights_desc(), 1);
    f.dst = Slot(d.dst(), f.pd.dst_desc(), 2);
  });
}

// A bf16 pass is also formulated in float32 when it is large enough to time: the faster one runs (see
// tune.h). The slots convert the float32 arrays to whichever data type the chosen primitive reads.
std::vector<Dims> formulations(const Dims &d) {
  std::vector<Dims> out{d};
  if (d.bf16 && tuned_size(d.flops())) {
    out.push_back(d);
    out.back().bf16 = false;
  }
  return out;
}

BwdData &get_bwd_data(const std::vector<int64_t> &p) {
  return cached_or_build<BwdData>(key_of("bd", p), [&](BwdData &b) {
    Dims d(p);
    bool any = blocked_activations(d);
    Candidates<dnnl::convolution_backward_data> candidates;
    for (const Dims &f : formulations(d)) {
      candidates.add({dnnl::algorithm::convolution_direct, any ? f.act_any(false) : f.src(), f.weights_any(),
                      any ? f.act_any(true) : f.dst_in(), f.strides(), f.dilates(), f.pad_l(), f.pad_r()},
                     forward_pd(f, false, true));
    }
    b.prim = fastest<dnnl::convolution_backward_data>(
        candidates, key_of("conv-dgrad", p), d.flops(),
        [](const auto &pd) {
          return ArgDescs{{DNNL_ARG_DIFF_DST, pd.diff_dst_desc()},
                          {DNNL_ARG_WEIGHTS, pd.weights_desc()},
                          {DNNL_ARG_DIFF_SRC, pd.diff_src_desc()}};
        },
        b.pd, [](const char *) { return true; });
    b.dy = Slot(d.dst(), b.pd.diff_dst_desc(), 0);
    b.w = Slot(d.weights(), b.pd.weights_desc(), 1);
    b.dx = Slot(d.src(), b.pd.diff_src_desc(), 2);
  });
}

BwdWeights &get_bwd_weights(const std::vector<int64_t> &p) {
  return cached_or_build<BwdWeights>(key_of("bw", p), [&](BwdWeights &b) {
    Dims d(p);
    bool any = blocked_activations(d);
    Candidates<dnnl::convolution_backward_weights> candidates;
    for (const Dims &f : formulations(d)) {
      candidates.add({dnnl::algorithm::convolution_direct, any ? f.act_any(false) : f.src_in(), f.weights_any(true),
                      any ? f.act_any(true) : f.dst_in(), f.strides(), f.dilates(), f.pad_l(), f.pad_r()},
                     forward_pd(f, false, true));
    }
    b.prim = fastest<dnnl::convolution_backward_weights>(
        candidates, key_of("conv-wgrad", p), d.flops(),
        [](const auto &pd) {
          return ArgDescs{{DNNL_ARG_SRC, pd.src_desc()},
                          {DNNL_ARG_DIFF_DST, pd.diff_dst_desc()},
                          {DNNL_ARG_DIFF_WEIGHTS, pd.diff_weights_desc()}};
        },
        b.pd, [&](const char *impl) { return !broken_1x1_wgrad(impl, d.KH, d.KW, d.sh, d.sw); });
    b.x = Slot(d.src(), b.pd.src_desc(), 0);
    b.dy = Slot(d.dst(), b.pd.diff_dst_desc(), 1);
    b.dw = Slot(d.weights(), b.pd.diff_weights_desc(), 2);
  });
}

// conv2dForward(x, filter, bias | null, y, params)
Napi::Value Forward(const Napi::CallbackInfo &info) {
  return guarded(info, [&] {
    auto p = ints(info, 4);
    bool bias = !info[2].IsNull() && !info[2].IsUndefined();
    ThreadLimit limit(Dims(p).flops());
    Fwd &f = get_fwd(p, bias);
    float *y = floats(info, 3);
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, f.src.in(floats(info, 0))},
                                         {DNNL_ARG_WEIGHTS, f.w.in(floats(info, 1))},
                                         {DNNL_ARG_DST, f.dst.out(y)}};
    if (bias) args[DNNL_ARG_BIAS] = memory(f.pd.bias_desc(), engine(), floats(info, 2));
    f.prim.execute(stream(), args);
    f.dst.finish(y);
    stream().wait();
  });
}

// A backward pass: reads the call's arrays 0 and 1 through slots `a` and `b`, writes array 2 through
// `out`; argument 3 holds the shape. Each slot goes with its oneDNN argument.
template <typename Bwd>
using SlotArg = std::pair<int, Slot Bwd::*>;

template <typename Bwd>
Napi::Value backward(const Napi::CallbackInfo &info, Bwd &(*get)(const std::vector<int64_t> &), SlotArg<Bwd> a,
                     SlotArg<Bwd> b, SlotArg<Bwd> out) {
  return guarded(info, [&] {
    auto p = ints(info, 3);
    ThreadLimit limit(Dims(p).flops());
    Bwd &prims = get(p);
    float *result = floats(info, 2);
    prims.prim.execute(stream(), {{a.first, (prims.*a.second).in(floats(info, 0))},
                                  {b.first, (prims.*b.second).in(floats(info, 1))},
                                  {out.first, (prims.*out.second).out(result)}});
    (prims.*out.second).finish(result);
    stream().wait();
  });
}

// conv2dBackwardData(dy, filter, dx, params)
Napi::Value BackwardData(const Napi::CallbackInfo &info) {
  return backward<BwdData>(info, get_bwd_data, {DNNL_ARG_DIFF_DST, &BwdData::dy}, {DNNL_ARG_WEIGHTS, &BwdData::w},
                           {DNNL_ARG_DIFF_SRC, &BwdData::dx});
}

// conv2dBackwardWeights(x, dy, dw, params)
Napi::Value BackwardWeights(const Napi::CallbackInfo &info) {
  return backward<BwdWeights>(info, get_bwd_weights, {DNNL_ARG_SRC, &BwdWeights::x},
                              {DNNL_ARG_DIFF_DST, &BwdWeights::dy}, {DNNL_ARG_DIFF_WEIGHTS, &BwdWeights::dw});
}

// convScratchBytes(): bytes the scratch arrays hold (for tests).
Napi::Value ScratchBytes(const Napi::CallbackInfo &info) {
  return Napi::Number::New(info.Env(), static_cast<double>(scratch_bytes()));
}

// convImpl(kind, params): which oneDNN implementation a shape dispatches to (for profiling).
Napi::Value Impl(const Napi::CallbackInfo &info) {
  std::string kind = info[0].As<Napi::String>();
  auto p = ints(info, 1);
  std::string s;
  guarded(info, [&] {
    if (kind == "forward") s = get_fwd(p, false).pd.impl_info_str();
    else if (kind == "data") s = get_bwd_data(p).pd.impl_info_str();
    else s = get_bwd_weights(p).pd.impl_info_str();
  });
  return Napi::String::New(info.Env(), s);
}

}  // namespace

void InitConv(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"conv2dForward", Forward}, {"conv2dBackwardData", BackwardData},
                               {"conv2dBackwardWeights", BackwardWeights}, {"convImpl", Impl},
                               {"convScratchBytes", ScratchBytes}});
}

}  // namespace vl
