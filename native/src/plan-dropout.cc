// Dropout in the planned step, with tf.dropout's own masks (see plan-ops.h).
#include <cmath>
#include <cstring>

#include "plan-ops.h"

namespace vl {
namespace plan {

// tf.dropout's multiplier, drawn as tfjs-core's randomUniform draws it: seedrandom's alea generator from
// `state` = [s0, s1, s2, c, rate] (seeded in src/engine/plan/dropout-mask.ts), each draw rounded to
// float32 as u, then floor(u + keep) / keep in float32.
//
// Alea's double arithmetic is exact integer arithmetic: its s values are multiples of 2^-32 in [0, 1)
// and c an integer below 2091639, so t = 2091639 * s0 + c * 2^-32 is (2091639 * x0 + c) * 2^-32 with a
// numerator below 2^53, and `c = t | 0; s2 = t - c` split it into its high and low 32 bits. The loop
// runs that multiply-with-carry generator on 64-bit integers. And since u and floor(u + keep) only grow
// with x, "kept" is x >= the smallest x whose float32 arithmetic keeps it, found once by bisection.
namespace {

constexpr double kTwoToMinus32 = 2.3283064365386963e-10;

bool alea_keeps(uint64_t x, float keep) {
  const float u = static_cast<float>(static_cast<double>(x) * kTwoToMinus32);
  return std::floor(u + keep) >= 1.0f;
}

uint64_t alea_keep_threshold(float keep) {
  uint64_t lo = 0, hi = uint64_t{1} << 32;  // the answer is in [lo, hi]; hi means "never kept"
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    if (alea_keeps(mid, keep)) hi = mid; else lo = mid + 1;
  }
  return lo;
}

bool is_alea_word(double s) {
  const double x = s / kTwoToMinus32;
  return x >= 0 && x < 4294967296.0 && x == std::floor(x);
}

uint64_t alea_word(double s) { return static_cast<uint64_t>(s / kTwoToMinus32); }

}  // namespace

void fill_dropout_mask(const double *state, float *mask, int64_t n) {
  uint64_t x0 = alea_word(state[0]), x1 = alea_word(state[1]), x2 = alea_word(state[2]);
  uint64_t c = static_cast<uint64_t>(state[3]);
  const float keep = static_cast<float>(1.0 - state[4]);
  const float kept = 1.0f / keep;
  uint32_t kept_bits;
  std::memcpy(&kept_bits, &kept, sizeof kept);
  const uint64_t threshold = alea_keep_threshold(keep);
  uint32_t *out = reinterpret_cast<uint32_t *>(mask);
  for (int64_t i = 0; i < n; i++) {
    const uint64_t t = 2091639 * x0 + c;
    x0 = x1;
    x1 = x2;
    x2 = t & 0xffffffffu;
    c = t >> 32;
    out[i] = kept_bits & (0u - static_cast<uint32_t>(x2 >= threshold));  // no branch: half the draws go each way
  }
}

// The [s0, s1, s2, c, rate] in `v`, checked to be an alea state (so that the integer loop is exact).
const double *dropout_state(const Napi::Value &v, const std::string &what) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float64_array ||
      v.As<Napi::TypedArray>().ElementLength() != 5)
    throw Napi::TypeError::New(v.Env(), what + ": expected a Float64Array [s0, s1, s2, c, rate]");
  const double *s = v.As<Napi::Float64Array>().Data();
  const bool carry = s[3] >= 0 && s[3] < 2091639 && s[3] == std::floor(s[3]);
  if (!is_alea_word(s[0]) || !is_alea_word(s[1]) || !is_alea_word(s[2]) || !carry || !(s[4] >= 0 && s[4] < 1))
    throw Napi::RangeError::New(v.Env(), what + ": not a seedrandom alea state and a rate in [0, 1)");
  return s;
}

void build_dropout(Op &op) {
  op.out_dims = op.in_md.dims();
  op.out_md = plain(op.out_dims);
  op.mask.resize(volume(op.out_dims));
  op.impl = "dropout:plain";
}

void forward_dropout(Op &op, const memory &in) {
  memory src = op.c_src(in, op.out_md);
  stream().wait();
  const float *x = static_cast<const float *>(src.get_data_handle());
  float *y = static_cast<float *>(op.out.get_data_handle());
  const float *m = op.mask.data();
  const int64_t n = static_cast<int64_t>(op.mask.size());
  for (int64_t i = 0; i < n; i++) y[i] = x[i] * m[i];
}

void backward_dropout(Op &op) {
  memory dsrc = op.sinks[0].target(op.out_md);
  const float *g = static_cast<const float *>(op.dout.get_data_handle());
  float *dx = static_cast<float *>(dsrc.get_data_handle());
  const float *m = op.mask.data();
  const int64_t n = static_cast<int64_t>(op.mask.size());
  for (int64_t i = 0; i < n; i++) dx[i] = g[i] * m[i];
  op.sinks[0].finish();
}

}  // namespace plan
}  // namespace vl
