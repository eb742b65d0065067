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

// softmaxBackward(y, dy, dx, rows, cols): Softmax's gradient over the last axis, dx = dy·y − (Σ dy·y)·y
// per row, the products and their sum as TF.js's composed gradient forms them (mul, sum, mul, sub)
// but without its three attention-map-sized temporaries.
Napi::Value SoftmaxBackward(const Napi::CallbackInfo &info) {
  const float *y = floats(info, 0);
  const float *dy = floats(info, 1);
  float *dx = floats(info, 2);
  const int64_t rows = info[3].As<Napi::Number>().Int64Value();
  const int64_t cols = info[4].As<Napi::Number>().Int64Value();
  const auto n = static_cast<size_t>(rows * cols);
  if (length(info, 0) != n || length(info, 1) != n || length(info, 2) != n)
    throw Napi::RangeError::New(info.Env(), "softmaxBackward: y, dy and dx must hold rows × cols values");
#pragma omp parallel for if (rows * cols > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float *yr = y + r * cols, *dyr = dy + r * cols;
    float *dxr = dx + r * cols;
    float sum = 0.f;
    for (int64_t j = 0; j < cols; j++) {
      dxr[j] = dyr[j] * yr[j];
      sum += dxr[j];
    }
    for (int64_t j = 0; j < cols; j++) dxr[j] = dxr[j] - sum * yr[j];
  }
  return info.Env().Undefined();
}

}  // namespace

void InitActivationGrad(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"reluBackward", ReluBackward}, {"softmaxBackward", SoftmaxBackward}});
}

}  // namespace vl
