// Softmax's gradient over the last axis in one pass: dx = dy·y − (Σ dy·y)·y per row, the products and
// their sum as TF.js's composed gradient forms them (mul, sum, mul, sub) but without its three
// attention-map-sized temporaries, and with the row sum in the cache.
#include "common.h"

namespace vl {
namespace {

constexpr int64_t kParallelMin = 1 << 15;

// softmaxBackward(y, dy, dx, rows, cols)
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

void InitSoftmaxGrad(Napi::Env env, Napi::Object exports) {
  exports.Set("softmaxBackward", Napi::Function::New(env, SoftmaxBackward));
}

}  // namespace vl
