// Tiling of any rank.
#include <algorithm>
#include <vector>

#include "common.h"
#include "layout.h"

namespace vl {
namespace {

// tile(x, out, inShape, reps): out[i] = x[i mod inShape] in every dimension.
Napi::Value Tile(const Napi::CallbackInfo &info) {
  const auto [x, out, in, reps, rank, stride] = per_dim_operands(info, "tile");
  std::vector<int64_t> os(rank);
  for (size_t d = 0; d < rank; d++) os[d] = in[d] * reps[d];
  const int64_t inner = in[rank - 1];
  const int64_t row = os[rank - 1];
  const int64_t rows = extent_of(os, 0, rank - 1);
  if (row == 0 || rows == 0) return info.Env().Undefined();
#pragma omp parallel for if (rows * row > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, offset = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      offset += (rem % os[d]) % in[d] * stride[d];
      rem /= os[d];
    }
    float *o = out + r * row;
    for (int64_t k = 0; k < reps[rank - 1]; k++) std::copy(x + offset, x + offset + inner, o + k * inner);
  }
  return info.Env().Undefined();
}

}  // namespace

void InitTile(Napi::Env env, Napi::Object exports) { set_functions(env, exports, {{"tile", Tile}}); }

}  // namespace vl
