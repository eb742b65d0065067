// The Adam optimizer update in one pass over a variable.
#include <cmath>

#include "common.h"

namespace vl {
namespace {

// adam(value, grad, m, v, newValue, newM, newV, [beta1, beta2, 1 - beta1, 1 - beta2, 1 - accBeta1,
// 1 - accBeta2, -lr, eps]): one pass of TF.js's Adam update, with the same float32 constants and order
// of operations (the constants are rounded from doubles by the caller, as TF.js's scalars are).
Napi::Value Adam(const Napi::CallbackInfo &info) {
  const float *value = floats(info, 0), *g = floats(info, 1), *m = floats(info, 2), *v = floats(info, 3);
  float *nvalue = floats(info, 4), *nm = floats(info, 5), *nv = floats(info, 6);
  const float *h = floats(info, 7);
  const float b1 = h[0], b2 = h[1], ob1 = h[2], ob2 = h[3], c1 = h[4], c2 = h[5], nlr = h[6], eps = h[7];
  const int64_t n = static_cast<int64_t>(length(info, 0));
#pragma omp parallel for simd if (n > kParallelMin)
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * ob1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * ob2;
    nm[i] = mi;
    nv[i] = vi;
    nvalue[i] = ((mi / c1) / (std::sqrt(vi / c2) + eps)) * nlr + value[i];
  }
  return info.Env().Undefined();
}

}  // namespace

void InitAdam(Napi::Env env, Napi::Object exports) { set_functions(env, exports, {{"adam", Adam}}); }

}  // namespace vl
