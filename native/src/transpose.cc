// Transposition of any rank.
#include <algorithm>
#include <vector>

#include "common.h"
#include "layout.h"

namespace vl {
namespace {

// The permuted view with size-1 dimensions dropped and neighbours that stay neighbours merged:
// out dimension d has size shape[d] and reads the input with stride step[d].
struct View {
  std::vector<int64_t> shape, step;
};

View merged_view(const std::vector<int64_t> &in, const std::vector<int64_t> &perm, const std::vector<int64_t> &stride) {
  View v;
  for (size_t d = 0; d < perm.size(); d++) {
    const int64_t size = in[perm[d]], step = stride[perm[d]];
    if (size == 1) continue;
    if (!v.shape.empty() && v.step.back() == step * size) {
      v.shape.back() *= size;
      v.step.back() = step;
    } else {
      v.shape.push_back(size);
      v.step.push_back(step);
    }
  }
  if (v.shape.empty()) v = {{1}, {1}};
  return v;
}

constexpr int64_t kTile = 16;

// transpose(x, out, inShape, perm): out dimension d is input dimension perm[d]. Where the output's
// rows are contiguous in the input they are copied; otherwise the input's contiguous dimension and the
// output's are walked in 16×16 tiles, so that both sides read and write whole cache lines.
Napi::Value Transpose(const Napi::CallbackInfo &info) {
  const auto [x, out, in, perm, rank, inStride] = per_dim_operands(info, "transpose");
  const View v = merged_view(in, perm, inStride);
  const size_t r = v.shape.size();
  const int64_t total = extent_of(v.shape, 0, r);
  if (total == 0) return info.Env().Undefined();
  const std::vector<int64_t> outStride = strides_of(v.shape);
  const std::vector<int64_t> origin(r, 0);
  const int64_t row = v.shape[r - 1];
  if (v.step[r - 1] == 1) {
    const int64_t rows = total / row;
#pragma omp parallel for if (total > kParallelMin)
    for (int64_t i = 0; i < rows; i++) {
      const float *src = x + window_offset(i, r - 1, v.shape, origin, v.step);
      std::copy(src, src + row, out + i * row);
    }
    return info.Env().Undefined();
  }
  // q: the output dimension that walks the input contiguously (merging leaves exactly one).
  size_t q = 0;
  while (v.step[q] != 1) q++;
  // The other dimensions, walked as one outer index.
  std::vector<int64_t> oShape, oIn, oOut;
  for (size_t d = 0; d + 1 < r; d++)
    if (d != q) {
      oShape.push_back(v.shape[d]);
      oIn.push_back(v.step[d]);
      oOut.push_back(outStride[d]);
    }
  const std::vector<int64_t> oOrigin(oShape.size() + 1, 0);
  const int64_t outer = extent_of(oShape, 0, oShape.size());
  const int64_t nq = v.shape[q], rowStep = v.step[r - 1], qOut = outStride[q];
  const int64_t tilesQ = (nq + kTile - 1) / kTile, tilesJ = (row + kTile - 1) / kTile;
  oShape.push_back(1);
  oIn.push_back(0);
  oOut.push_back(0);
#pragma omp parallel for if (total > kParallelMin)
  for (int64_t t = 0; t < outer * tilesQ * tilesJ; t++) {
    const int64_t o = t / (tilesQ * tilesJ), tq = (t / tilesJ) % tilesQ, tj = t % tilesJ;
    const int64_t inBase = window_offset(o, oShape.size() - 1, oShape, oOrigin, oIn);
    const int64_t outBase = window_offset(o, oShape.size() - 1, oShape, oOrigin, oOut);
    const int64_t q0 = tq * kTile, q1 = std::min(nq, q0 + kTile);
    const int64_t j0 = tj * kTile, j1 = std::min(row, j0 + kTile);
    for (int64_t i = q0; i < q1; i++) {
      const float *src = x + inBase + i;
      float *dst = out + outBase + i * qOut;
      for (int64_t j = j0; j < j1; j++) dst[j] = src[j * rowStep];
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void InitTranspose(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"transpose", Transpose}});
}

}  // namespace vl
