// Adam updating weights and moments in place, all variables of a step in one call. The arithmetic is
// TF.js's AdamOptimizer with its float32 constants and order of operations; writing into the existing
// arrays saves allocating three arrays of every weight's size per step, which on DaViT-T's 27.6 M parameters is 330 MB of fresh memory a step.
#include <cmath>

#include "common.h"

namespace vl {
namespace {

std::vector<float *> arrays(const Napi::CallbackInfo &info, size_t i) {
  if (!info[i].IsArray()) throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be an array");
  auto list = info[i].As<Napi::Array>();
  std::vector<float *> out(list.Length());
  for (uint32_t k = 0; k < list.Length(); k++) {
    Napi::Value item = list.Get(k);
    if (!item.IsTypedArray() || item.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
      throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must hold Float32Arrays");
    out[k] = item.As<Napi::Float32Array>().Data();
  }
  return out;
}

// adamInPlace(values[], grads[], ms[], vs[], sizes: Int32Array, [beta1, beta2, 1 - beta1, 1 - beta2,
// 1 - accBeta1, 1 - accBeta2, -lr, eps]): value, m and v of each variable are overwritten.
Napi::Value AdamInPlace(const Napi::CallbackInfo &info) {
  const auto value = arrays(info, 0), grad = arrays(info, 1), m = arrays(info, 2), v = arrays(info, 3);
  const auto sizes = ints(info, 4);
  const float *h = floats(info, 5);
  if (length(info, 5) < 8) throw Napi::RangeError::New(info.Env(), "adamInPlace: 8 hyperparameters expected");
  const size_t count = value.size();
  if (grad.size() != count || m.size() != count || v.size() != count || sizes.size() != count)
    throw Napi::RangeError::New(info.Env(), "adamInPlace: the lists differ in length");
  const float b1 = h[0], b2 = h[1], ob1 = h[2], ob2 = h[3], c1 = h[4], c2 = h[5], nlr = h[6], eps = h[7];
  int64_t total = 0;
  for (auto n : sizes) total += n;
#pragma omp parallel if (total > kParallelMin)
  for (size_t k = 0; k < count; k++) {
    float *w = value[k], *mk = m[k], *vk = v[k];
    const float *g = grad[k];
    const int64_t n = sizes[k];
    // Each variable's elements are shared among the threads; no thread waits at the end of one.
#pragma omp for simd schedule(static) nowait
    for (int64_t i = 0; i < n; i++) {
      const float mi = mk[i] * b1 + g[i] * ob1;
      const float vi = vk[i] * b2 + (g[i] * g[i]) * ob2;
      mk[i] = mi;
      vk[i] = vi;
      w[i] = ((mi / c1) / (std::sqrt(vi / c2) + eps)) * nlr + w[i];
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void InitAdam(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"adamInPlace", AdamInPlace}});
}

}  // namespace vl
