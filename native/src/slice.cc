// Windows of any rank: slicing one out of a tensor, and constant padding (placing a tensor inside a
// larger one).
#include <algorithm>
#include <vector>

#include "common.h"
#include "layout.h"

namespace vl {
namespace {

// slice(x, out, inShape, begin, size): any rank; rows run from the innermost cut dimension inwards.
Napi::Value Slice(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  auto in = ints(info, 2), begin = ints(info, 3), size = ints(info, 4);
  const size_t rank = rank_of(info, "slice", in, {begin.size(), size.size()});
  const auto stride = strides_of(in);
  size_t p = 0;
  for (size_t d = 0; d < rank; d++)
    if (size[d] != in[d]) p = d;
  const int64_t row = extent_of(size, p, rank), rows = extent_of(size, 0, p);
  if (row == 0 || rows == 0) return info.Env().Undefined();
#pragma omp parallel for if (rows * row > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const int64_t offset = window_offset(r, p, size, begin, stride);
    std::copy(x + offset, x + offset + row, out + r * row);
  }
  return info.Env().Undefined();
}

// pad(x, out, inShape: Int32Array, before: Int32Array, after: Int32Array, value): constant padding of
// any rank; each innermost row of x is copied to its place in out.
Napi::Value Pad(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  auto in = ints(info, 2);
  auto before = ints(info, 3);
  auto after = ints(info, 4);
  const float value = info[5].As<Napi::Number>().FloatValue();
  const size_t rank = rank_of(info, "pad", in, {before.size(), after.size()});
  std::vector<int64_t> padded(rank);
  for (size_t d = 0; d < rank; d++) padded[d] = in[d] + before[d] + after[d];
  const auto outStride = strides_of(padded);
  const int64_t total = extent_of(padded, 0, rank);
  if (total != static_cast<int64_t>(length(info, 1))) throw Napi::RangeError::New(info.Env(), "pad: wrong output size");
  // Rows run from the innermost padded dimension inwards: contiguous in both input and output.
  size_t p = 0;
  for (size_t d = 0; d < rank; d++)
    if (before[d] || after[d]) p = d;
  const int64_t row = extent_of(in, p, rank);
  const int64_t rows = row ? static_cast<int64_t>(length(info, 0)) / row : 0;
#pragma omp parallel for simd if (total > kParallelMin)
  for (int64_t i = 0; i < total; i++) out[i] = value;
#pragma omp parallel for if (total > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    std::copy(x + r * row, x + (r + 1) * row, out + window_offset(r, p, in, before, outStride));
  }
  return info.Env().Undefined();
}

}  // namespace

void InitSlice(Napi::Env env, Napi::Object exports) { set_functions(env, exports, {{"slice", Slice}, {"pad", Pad}}); }

}  // namespace vl
