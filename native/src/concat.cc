// Concatenation and splitting along one axis.
#include <algorithm>
#include <vector>

#include "common.h"

namespace vl {
namespace {

// Concatenation and splitting along one axis, as [outer, size_k, inner] blocks.
// Where each part's block sits in a row of the joined tensor.
struct Blocks {
  std::vector<float *> ptr;
  std::vector<int64_t> width, offset;
  int64_t outer, row;
};

Blocks blocks_of(const Napi::Array &list, int64_t outer) {
  Blocks b{{}, {}, {}, outer, 0};
  for (uint32_t i = 0; i < list.Length(); i++) {
    auto t = list.Get(i).As<Napi::Float32Array>();
    b.ptr.push_back(t.Data());
    b.width.push_back(outer ? static_cast<int64_t>(t.ElementLength()) / outer : 0);
    b.offset.push_back(b.row);
    b.row += b.width.back();
  }
  return b;
}

// concat(inputs: Float32Array[], out, outer, inner): input k has shape [outer, size_k * inner] flattened.
Napi::Value Concat(const Napi::CallbackInfo &info) {
  float *out = floats(info, 1);
  const Blocks b = blocks_of(info[0].As<Napi::Array>(), integer(info, 2));
  const auto &[ptr, width, offset, outer, row] = b;
#pragma omp parallel for if (outer * row > kParallelMin)
  for (int64_t o = 0; o < outer; o++)
    for (size_t i = 0; i < ptr.size(); i++)
      std::copy(ptr[i] + o * width[i], ptr[i] + (o + 1) * width[i], out + o * row + offset[i]);
  return info.Env().Undefined();
}

// split(x, outputs: Float32Array[], outer): the inverse of concat.
Napi::Value Split(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  const Blocks b = blocks_of(info[1].As<Napi::Array>(), integer(info, 2));
  const auto &[ptr, width, offset, outer, row] = b;
#pragma omp parallel for if (outer * row > kParallelMin)
  for (int64_t o = 0; o < outer; o++)
    for (size_t i = 0; i < ptr.size(); i++)
      std::copy(x + o * row + offset[i], x + o * row + offset[i] + width[i], ptr[i] + o * width[i]);
  return info.Env().Undefined();
}

}  // namespace

void InitConcat(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"concat", Concat}, {"split", Split}});
}

}  // namespace vl
