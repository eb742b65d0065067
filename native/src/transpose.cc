// Transposition of any rank.
#include <algorithm>
#include <vector>

#include "common.h"
#include "layout.h"

namespace vl {
namespace {

// transpose(x, out, inShape, perm): out dimension d is input dimension perm[d]. Output rows are
// written in order; each reads the input with the stride of its innermost permuted dimension.
Napi::Value Transpose(const Napi::CallbackInfo &info) {
  const auto [x, out, in, perm, rank, inStride] = per_dim_operands(info, "transpose");
  std::vector<int64_t> os(rank), ps(rank);
  const std::vector<int64_t> origin(rank, 0);
  for (size_t d = 0; d < rank; d++) {
    os[d] = in[perm[d]];
    ps[d] = inStride[perm[d]];
  }
  const int64_t row = os[rank - 1], step = ps[rank - 1];
  const int64_t rows = extent_of(os, 0, rank - 1);
  if (row == 0 || rows == 0) return info.Env().Undefined();
#pragma omp parallel for if (rows * row > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    float *o = out + r * row;
    const float *src = x + window_offset(r, rank - 1, os, origin, ps);
    if (step == 1) std::copy(src, src + row, o);
    else
      for (int64_t j = 0; j < row; j++) o[j] = src[j * step];
  }
  return info.Env().Undefined();
}

}  // namespace

void InitTranspose(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"transpose", Transpose}});
}

}  // namespace vl
