// Softmax over the last axis.
#include <cmath>

#include "common.h"

namespace vl {
namespace {

// softmax(x, out, rows, cols): along the last axis, max-subtracted as TF.js does.
Napi::Value Softmax(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  const int64_t rows = integer(info, 2), cols = integer(info, 3);
#pragma omp parallel for if (rows * cols > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float *xr = x + r * cols;
    float *o = out + r * cols;
    float m = xr[0];
    for (int64_t j = 1; j < cols; j++) m = xr[j] > m ? xr[j] : m;
    double sum = 0;
    for (int64_t j = 0; j < cols; j++) {
      o[j] = std::exp(xr[j] - m);
      sum += o[j];
    }
    const float inv = static_cast<float>(sum);
    for (int64_t j = 0; j < cols; j++) o[j] /= inv;
  }
  return info.Env().Undefined();
}

}  // namespace

void InitSoftmax(Napi::Env env, Napi::Object exports) { set_functions(env, exports, {{"softmax", Softmax}}); }

}  // namespace vl
