// Element-wise arithmetic on float32 arrays, vectorised and spread over the cores. Broadcasting
// covered here: equal sizes, a scalar on either side, and one operand repeating over the other's
// leading dimensions (a bias over [..., C]); TF.js's generic kernels handle the rest. The operation
// codes are exported as tables (TF.js kernel name -> code) that TypeScript reads.
#include <cmath>
#include <iterator>
#include <vector>

#include "common.h"

namespace vl {
namespace {

enum Binary { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFF, BINARY_COUNT };
// The TF.js kernel each code runs, in the enum's order.
constexpr const char *kBinaryNames[] = {"Add", "Sub", "Multiply", "RealDiv", "Maximum", "Minimum", "SquaredDifference"};
static_assert(std::size(kBinaryNames) == BINARY_COUNT, "one kernel name per binary op");

template <int OP>
inline float apply(float a, float b) {
  if constexpr (OP == ADD) return a + b;
  if constexpr (OP == SUB) return a - b;
  if constexpr (OP == MUL) return a * b;
  if constexpr (OP == DIV) return a / b;
  if constexpr (OP == MAXIMUM) return a > b ? a : b;
  if constexpr (OP == MINIMUM) return a < b ? a : b;
  if constexpr (OP == SQUARED_DIFF) return (a - b) * (a - b);
  return 0.f;
}

// Each row of `full` (n values) op `part` (the row's len values); `part` is the left operand when PART_FIRST.
template <int OP, bool PART_FIRST>
void rows_against(const float *full, const float *part, int64_t len, float *out, int64_t n) {
  const int64_t rows = n / len;
#pragma omp parallel for if (n > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    const float *fr = full + r * len;
    float *o = out + r * len;
#pragma omp simd
    for (int64_t j = 0; j < len; j++) o[j] = PART_FIRST ? apply<OP>(part[j], fr[j]) : apply<OP>(fr[j], part[j]);
  }
}

// out[i] = a[i % na] op b[i % nb] where na, nb divide n (one of them equals n).
template <int OP>
void binary(const float *a, int64_t na, const float *b, int64_t nb, float *out, int64_t n) {
  if (na == n && nb == n) {
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; i++) out[i] = apply<OP>(a[i], b[i]);
  } else if (nb == 1) {
    const float s = b[0];
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; i++) out[i] = apply<OP>(a[i], s);
  } else if (na == 1) {
    const float s = a[0];
#pragma omp parallel for simd if (n > kParallelMin)
    for (int64_t i = 0; i < n; i++) out[i] = apply<OP>(s, b[i]);
  } else if (na == n) {
    rows_against<OP, false>(a, b, nb, out, n);
  } else {
    rows_against<OP, true>(b, a, na, out, n);
  }
}

// General broadcasting: shapes padded to the output's rank; the innermost dimension runs contiguously
// (or repeats one value) for each operand.
template <int OP>
void binary_general(const float *a, const std::vector<int64_t> &as, const float *b, const std::vector<int64_t> &bs,
                    float *out, const std::vector<int64_t> &os) {
  const size_t rank = os.size();
  std::vector<int64_t> sa(rank), sb(rank);
  int64_t ta = 1, tb = 1;
  for (size_t d = rank; d-- > 0;) {
    sa[d] = as[d] == 1 ? 0 : ta;
    sb[d] = bs[d] == 1 ? 0 : tb;
    ta *= as[d];
    tb *= bs[d];
  }
  const int64_t inner = os[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; d++) rows *= os[d];
  const int64_t ia = sa[rank - 1], ib = sb[rank - 1];
#pragma omp parallel for if (rows * inner > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, oa = 0, ob = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      const int64_t idx = rem % os[d];
      rem /= os[d];
      oa += idx * sa[d];
      ob += idx * sb[d];
    }
    float *o = out + r * inner;
    const float *ap = a + oa, *bp = b + ob;
    for (int64_t j = 0; j < inner; j++) o[j] = apply<OP>(ap[j * ia], bp[j * ib]);
  }
}

using GeneralFn = void (*)(const float *, const std::vector<int64_t> &, const float *, const std::vector<int64_t> &,
                           float *, const std::vector<int64_t> &);
constexpr GeneralFn kGeneral[BINARY_COUNT] = {binary_general<ADD>,     binary_general<SUB>,
                                              binary_general<MUL>,     binary_general<DIV>,
                                              binary_general<MAXIMUM>, binary_general<MINIMUM>,
                                              binary_general<SQUARED_DIFF>};

using BinaryFn = void (*)(const float *, int64_t, const float *, int64_t, float *, int64_t);
constexpr BinaryFn kBinary[BINARY_COUNT] = {binary<ADD>,     binary<SUB>,     binary<MUL>,         binary<DIV>,
                                            binary<MAXIMUM>, binary<MINIMUM>, binary<SQUARED_DIFF>};

// binary(op, a, b, out[, aShape, bShape, outShape]): with shapes (same rank), any broadcast.
Napi::Value Binary(const Napi::CallbackInfo &info) {
  int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op >= BINARY_COUNT) throw Napi::RangeError::New(info.Env(), "unknown binary op");
  if (info.Length() > 6) {
    auto as = ints(info, 4), bs = ints(info, 5), os = ints(info, 6);
    if (os.empty() || as.size() != os.size() || bs.size() != os.size())
      throw Napi::RangeError::New(info.Env(), "binary: shapes of different ranks");
    kGeneral[op](floats(info, 1), as, floats(info, 2), bs, floats(info, 3), os);
    return info.Env().Undefined();
  }
  kBinary[op](floats(info, 1), length(info, 1), floats(info, 2), length(info, 2), floats(info, 3), length(info, 3));
  return info.Env().Undefined();
}

enum Unary { RELU, STEP, SQRT, SQUARE, NEG, EXP, LOG, ABS, SIGMOID, RSQRT, RECIPROCAL, RELU6, CLIP, ERF, UNARY_COUNT };
constexpr const char *kUnaryNames[] = {"Relu", "Step", "Sqrt", "Square", "Neg", "Exp", "Log",
                                       "Abs", "Sigmoid", "Rsqrt", "Reciprocal", "Relu6", "ClipByValue", "Erf"};
static_assert(std::size(kUnaryNames) == UNARY_COUNT, "one kernel name per unary op");

template <int OP>
void unary(const float *x, float *out, int64_t n, float alpha, float beta) {
#pragma omp parallel for simd if (n > kParallelMin)
  for (int64_t i = 0; i < n; i++) {
    const float v = x[i];
    float r;
    if constexpr (OP == RELU) r = v > 0.f ? v : 0.f;
    if constexpr (OP == STEP) r = v > 0.f ? 1.f : (v != v ? v : alpha);
    if constexpr (OP == SQRT) r = std::sqrt(v);
    if constexpr (OP == SQUARE) r = v * v;
    if constexpr (OP == NEG) r = -v;
    if constexpr (OP == EXP) r = std::exp(v);
    if constexpr (OP == LOG) r = std::log(v);
    if constexpr (OP == ABS) r = std::fabs(v);
    if constexpr (OP == SIGMOID) r = 1.f / (1.f + std::exp(-v));
    if constexpr (OP == RSQRT) r = 1.f / std::sqrt(v);
    if constexpr (OP == RECIPROCAL) r = 1.f / v;
    if constexpr (OP == RELU6) r = v > 0.f ? (v < 6.f ? v : 6.f) : 0.f;
    if constexpr (OP == ERF) r = std::erf(v);
    if constexpr (OP == CLIP) r = v != v ? v : (v < alpha ? alpha : (v > beta ? beta : v));
    out[i] = r;
  }
}

using UnaryFn = void (*)(const float *, float *, int64_t, float, float);
constexpr UnaryFn kUnary[UNARY_COUNT] = {unary<RELU>,    unary<STEP>,  unary<SQRT>,    unary<SQUARE>,
                                         unary<NEG>,     unary<EXP>,   unary<LOG>,     unary<ABS>,
                                         unary<SIGMOID>, unary<RSQRT>, unary<RECIPROCAL>, unary<RELU6>, unary<CLIP>, unary<ERF>};

// unary(op, x, out, alpha[, beta]): alpha is Step's value at x <= 0, or the clip range [alpha, beta].
Napi::Value Unary(const Napi::CallbackInfo &info) {
  int op = info[0].As<Napi::Number>().Int32Value();
  if (op < 0 || op >= UNARY_COUNT) throw Napi::RangeError::New(info.Env(), "unknown unary op");
  float alpha = info.Length() > 3 ? info[3].As<Napi::Number>().FloatValue() : 0.f;
  float beta = info.Length() > 4 ? info[4].As<Napi::Number>().FloatValue() : 0.f;
  kUnary[op](floats(info, 1), floats(info, 2), length(info, 1), alpha, beta);
  return info.Env().Undefined();
}

}  // namespace

void InitEltwise(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"binary", Binary}, {"unary", Unary}});
  exports.Set("binaryOps", op_codes(env, kBinaryNames));
  exports.Set("unaryOps", op_codes(env, kUnaryNames));
}

}  // namespace vl
