// Softmax over the last axis through oneDNN's softmax primitive (vectorised exp; the hand-written loop
// it replaces ran at about 6 ns per element on DaViT's attention maps, five times a plain copy).
#include "common.h"

namespace vl {
namespace {

struct SoftmaxPrimitive {
  dnnl::softmax_forward prim;
  memory::desc data;
};

SoftmaxPrimitive &primitive(int64_t rows, int64_t cols) {
  auto key = key_of("softmax", {rows, cols});
  if (auto *hit = cached<SoftmaxPrimitive>(key)) return *hit;
  auto p = std::make_unique<SoftmaxPrimitive>();
  p->data = memory::desc({rows, cols}, dt::f32, tag::ab);
  dnnl::softmax_forward::desc desc(dnnl::prop_kind::forward_inference, p->data, 1);
  p->prim = dnnl::softmax_forward(dnnl::softmax_forward::primitive_desc(desc, engine()));
  return keep(key, std::move(p));
}

// softmax(x, out, rows, cols): along the last axis, max-subtracted as TF.js does.
Napi::Value Softmax(const Napi::CallbackInfo &info) {
  float *x = floats(info, 0);
  float *out = floats(info, 1);
  const int64_t rows = integer(info, 2), cols = integer(info, 3);
  const auto n = static_cast<size_t>(rows * cols);
  if (length(info, 0) != n || length(info, 1) != n)
    throw Napi::RangeError::New(info.Env(), "softmax: x and out must hold rows × cols values");
  return guarded(info, [&] {
    if (n == 0) return;
    ThreadLimit limit(20.0 * static_cast<double>(n));
    auto &s = primitive(rows, cols);
    s.prim.execute(stream(), {{DNNL_ARG_SRC, memory(s.data, engine(), x)}, {DNNL_ARG_DST, memory(s.data, engine(), out)}});
    stream().wait();
  });
}

}  // namespace

void InitSoftmax(Napi::Env env, Napi::Object exports) { set_functions(env, exports, {{"softmax", Softmax}}); }

}  // namespace vl
