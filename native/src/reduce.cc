// Sums and means over a contiguous run of axes, accumulated in double.
#include <omp.h>
#include <vector>

#include "common.h"

namespace vl {
namespace {

// sum(x, out, outer, middle, inner[, scale]): out[o, i] = scale * sum over m of x[o, m, i] (double
// accumulation); scale 1/middle gives the mean.
Napi::Value Sum(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  const int64_t outer = integer(info, 2);
  const int64_t middle = integer(info, 3);
  const int64_t inner = integer(info, 4);
  const double scale = info.Length() > 5 ? info[5].As<Napi::Number>().DoubleValue() : 1.0;
  const bool big = outer * middle * inner > kParallelMin;
  if (inner == 1) {
#pragma omp parallel for if (big)
    for (int64_t o = 0; o < outer; o++) {
      const float *row = x + o * middle;
      double acc = 0;
#pragma omp simd reduction(+ : acc)
      for (int64_t m = 0; m < middle; m++) acc += row[m];
      out[o] = static_cast<float>(acc * scale);
    }
    return info.Env().Undefined();
  }
  if (outer >= omp_get_max_threads() && outer > 1) {
    // Enough independent outputs: one row block per thread.
#pragma omp parallel for if (big)
    for (int64_t o = 0; o < outer; o++) {
      std::vector<double> acc(inner, 0.0);
      const float *xo = x + o * middle * inner;
      for (int64_t m = 0; m < middle; m++) {
        const float *row = xo + m * inner;
#pragma omp simd
        for (int64_t i = 0; i < inner; i++) acc[i] += row[i];
      }
      for (int64_t i = 0; i < inner; i++) out[o * inner + i] = static_cast<float>(acc[i] * scale);
    }
    return info.Env().Undefined();
  }
  // Reducing leading dimensions: each thread sums a band of rows, then the bands are added.
  for (int64_t o = 0; o < outer; o++) {
    const float *xo = x + o * middle * inner;
    float *oo = out + o * inner;
    const int threads = big ? omp_get_max_threads() : 1;
    std::vector<double> partial(static_cast<size_t>(threads) * inner, 0.0);
#pragma omp parallel num_threads(threads)
    {
      const int t = omp_get_thread_num();
      double *acc = partial.data() + t * inner;
#pragma omp for
      for (int64_t m = 0; m < middle; m++) {
        const float *row = xo + m * inner;
#pragma omp simd
        for (int64_t i = 0; i < inner; i++) acc[i] += row[i];
      }
    }
    for (int64_t i = 0; i < inner; i++) {
      double s = 0;
      for (int t = 0; t < threads; t++) s += partial[t * inner + i];
      oo[i] = static_cast<float>(s * scale);
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void InitReduce(Napi::Env env, Napi::Object exports) { set_functions(env, exports, {{"sum", Sum}}); }

}  // namespace vl
