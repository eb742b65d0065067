// Gradients of activations in one pass, where TF.js composes them from several element-wise kernels.
#include <cmath>
#include <limits>

#include "common.h"

namespace vl {
namespace {

// reluBackward(dy, x, dx): dx = dy * step(x), as TF.js's Relu gradient computes it (step is 1 above
// zero, 0 at or below it, NaN at NaN), without the step tensor in between.
Napi::Value ReluBackward(const Napi::CallbackInfo &info) {
  const float *dy = floats(info, 0);
  const float *x = floats(info, 1);
  float *dx = floats(info, 2);
  const int64_t n = static_cast<int64_t>(length(info, 2));
  if (static_cast<int64_t>(length(info, 0)) != n || static_cast<int64_t>(length(info, 1)) != n)
    throw Napi::RangeError::New(info.Env(), "reluBackward: dy, x and dx differ in size");
  const float nan = std::numeric_limits<float>::quiet_NaN();
#pragma omp parallel for simd if (n > kParallelMin)
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    const float step = v > 0.f ? 1.f : (v != v ? nan : 0.f);
    dx[i] = dy[i] * step;
  }
  return info.Env().Undefined();
}

}  // namespace

void InitActivationGrad(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"reluBackward", ReluBackward}});
}

}  // namespace vl
