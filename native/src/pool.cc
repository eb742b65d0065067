// Max and average pooling on NHWC tensors, forward and backward. Max pooling's backward pass
// recomputes the forward pass to get oneDNN's workspace (the arg-max positions): TF.js's
// MaxPoolGrad receives the input, not the positions, and pooling costs little next to convolutions.
#include <memory>
#include <unordered_map>

#include "common.h"

namespace vl {
namespace {

struct Dims {
  int64_t N, H, W, C, KH, KW, OH, OW, sh, sw, pt, pl, pb, pr;
  explicit Dims(const std::vector<int64_t> &p)
      : N(p.at(0)), H(p[1]), W(p[2]), C(p[3]), KH(p[4]), KW(p[5]), OH(p[6]), OW(p[7]), sh(p[8]), sw(p[9]),
        pt(p[10]), pl(p[11]), pb(p[12]), pr(p.at(13)) {}
  // Window reads of one pass: what the thread count is chosen from.
  double work() const { return static_cast<double>(N) * OH * OW * C * KH * KW; }
  memory::desc src() const { return memory::desc({N, C, H, W}, dt::f32, tag::nhwc); }
  memory::desc dst() const { return memory::desc({N, C, OH, OW}, dt::f32, tag::nhwc); }
  dnnl::pooling_forward::desc fwd(dnnl::prop_kind prop, dnnl::algorithm alg) const {
    return dnnl::pooling_forward::desc(prop, alg, src(), dst(), {sh, sw}, {KH, KW}, {pt, pl}, {pb, pr});
  }
};

dnnl::algorithm alg_of(bool max) {
  return max ? dnnl::algorithm::pooling_max : dnnl::algorithm::pooling_avg_exclude_padding;
}

struct Fwd {
  dnnl::pooling_forward::primitive_desc pd;
  dnnl::pooling_forward prim;
};

struct Bwd {
  dnnl::pooling_forward::primitive_desc fpd;
  dnnl::pooling_forward fprim;
  dnnl::pooling_backward::primitive_desc pd;
  dnnl::pooling_backward prim;
  memory workspace, scratch_dst;
};

Fwd &get_fwd(const std::vector<int64_t> &p, bool max) {
  return cached_or_build<Fwd>(key_of(max ? "max" : "avg", p), [&](Fwd &f) {
    f.pd = dnnl::pooling_forward::primitive_desc(Dims(p).fwd(dnnl::prop_kind::forward_inference, alg_of(max)),
                                                 engine());
    f.prim = dnnl::pooling_forward(f.pd);
  });
}

Bwd &get_bwd(const std::vector<int64_t> &p, bool max) {
  return cached_or_build<Bwd>(key_of(max ? "maxb" : "avgb", p), [&](Bwd &b) {
    Dims d(p);
    b.fpd = dnnl::pooling_forward::primitive_desc(d.fwd(dnnl::prop_kind::forward_training, alg_of(max)), engine());
    if (max) {
      b.fprim = dnnl::pooling_forward(b.fpd);
      b.workspace = memory(b.fpd.workspace_desc(), engine());
      b.scratch_dst = memory(d.dst(), engine());
    }
    dnnl::pooling_backward::desc desc(alg_of(max), d.src(), d.dst(), {d.sh, d.sw}, {d.KH, d.KW}, {d.pt, d.pl},
                                      {d.pb, d.pr});
    b.pd = dnnl::pooling_backward::primitive_desc(desc, engine(), b.fpd);
    b.prim = dnnl::pooling_backward(b.pd);
  });
}

// The preamble of both entry points: argument 0 says max (or average) pooling, argument `params`
// holds the shape; body(primitives, dims, max) runs under a thread limit of `passes` window reads.
template <typename Primitives, typename Body>
Napi::Value pooling_call(const Napi::CallbackInfo &info, int params, double passes,
                         Primitives &(*get)(const std::vector<int64_t> &, bool), Body body) {
  return guarded(info, [&] {
    bool max = info[0].As<Napi::Boolean>();
    auto p = ints(info, params);
    Primitives &prims = get(p, max);
    Dims d(p);
    ThreadLimit limit(passes * d.work());
    body(prims, d, max);
    stream().wait();
  });
}

// poolForward(max: boolean, x, y, params)
Napi::Value Forward(const Napi::CallbackInfo &info) {
  return pooling_call(info, 3, 1.0, get_fwd, [&](Fwd &f, const Dims &d, bool) {
    f.prim.execute(stream(), {{DNNL_ARG_SRC, memory(d.src(), engine(), floats(info, 1))},
                              {DNNL_ARG_DST, memory(d.dst(), engine(), floats(info, 2))}});
  });
}

// poolBackward(max: boolean, x, dy, dx, params); x is only read for max pooling.
Napi::Value Backward(const Napi::CallbackInfo &info) {
  return pooling_call(info, 4, 2.0, get_bwd, [&](Bwd &b, const Dims &d, bool max) {
    std::unordered_map<int, memory> args{{DNNL_ARG_DIFF_DST, memory(d.dst(), engine(), floats(info, 2))},
                                         {DNNL_ARG_DIFF_SRC, memory(d.src(), engine(), floats(info, 3))}};
    if (max) {
      b.fprim.execute(stream(), {{DNNL_ARG_SRC, memory(d.src(), engine(), floats(info, 1))},
                                 {DNNL_ARG_DST, b.scratch_dst},
                                 {DNNL_ARG_WORKSPACE, b.workspace}});
      args[DNNL_ARG_WORKSPACE] = b.workspace;
    }
    b.prim.execute(stream(), args);
  });
}

}  // namespace

void InitPool(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"poolForward", Forward}, {"poolBackward", Backward}});
}

}  // namespace vl
