// Index arithmetic of the kernels that move float data of any rank (slice, pad, transpose, tile).
#pragma once
#include <napi.h>

#include <cstdint>
#include <initializer_list>
#include <string>
#include <vector>

#include "common.h"

namespace vl {

// The rank of `shape`, refused (a RangeError naming the kernel) when it is 0 or another shape's differs.
inline size_t rank_of(const Napi::CallbackInfo &info, const char *kernel, const std::vector<int64_t> &shape,
                      std::initializer_list<size_t> others) {
  size_t rank = shape.size();
  for (size_t r : others)
    if (r != rank) rank = 0;
  if (rank == 0) throw Napi::RangeError::New(info.Env(), std::string(kernel) + ": shapes of different ranks");
  return rank;
}

// Product of shape[from..to).
inline int64_t extent_of(const std::vector<int64_t> &shape, size_t from, size_t to) {
  int64_t n = 1;
  for (size_t d = from; d < to; d++) n *= shape[d];
  return n;
}

// Row-major strides of a shape.
inline std::vector<int64_t> strides_of(const std::vector<int64_t> &shape) {
  std::vector<int64_t> stride(shape.size());
  int64_t t = 1;
  for (size_t d = shape.size(); d-- > 0;) {
    stride[d] = t;
    t *= shape[d];
  }
  return stride;
}

// The operands of a kernel called as kernel(x, out, inShape, perDim), perDim holding one value for each
// input dimension (tile's repetitions, transpose's permutation); the ranks checked, the input's strides.
struct PerDimOperands {
  const float *x;
  float *out;
  std::vector<int64_t> in, perDim;
  size_t rank;
  std::vector<int64_t> stride;
};

inline PerDimOperands per_dim_operands(const Napi::CallbackInfo &info, const char *kernel) {
  PerDimOperands o{floats(info, 0), floats(info, 1), ints(info, 2), ints(info, 3), 0, {}};
  o.rank = rank_of(info, kernel, o.in, {o.perDim.size()});
  o.stride = strides_of(o.in);
  return o;
}

// Where row r of a window starts in a tensor of the given strides. The window spans `extent` over
// dimensions [0, p), its rows numbered in row-major order, and sits at `origin` (origin[p] shifts the
// row along dimension p).
inline int64_t window_offset(int64_t r, size_t p, const std::vector<int64_t> &extent,
                             const std::vector<int64_t> &origin, const std::vector<int64_t> &stride) {
  int64_t offset = origin[p] * stride[p];
  for (size_t d = p; d-- > 0;) {
    offset += (r % extent[d] + origin[d]) * stride[d];
    r /= extent[d];
  }
  return offset;
}

}  // namespace vl
