// Element-wise arithmetic and reductions on float32 arrays, vectorised and spread over the cores.
// Broadcasting covered here: equal sizes, a scalar on either side, and one operand repeating over
// the other's leading dimensions (a bias over [..., C]); TF.js's generic kernels handle the rest.
#include <omp.h>

#include <algorithm>
#include <cmath>

#include "common.h"

namespace vl {
namespace {

constexpr int64_t kParallelMin = 1 << 15;

enum Binary { ADD, SUB, MUL, DIV, MAXIMUM, MINIMUM, SQUARED_DIFF, BINARY_COUNT };

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
    const int64_t rows = n / nb;
#pragma omp parallel for if (n > kParallelMin)
    for (int64_t r = 0; r < rows; r++) {
      const float *ar = a + r * nb;
      float *o = out + r * nb;
#pragma omp simd
      for (int64_t j = 0; j < nb; j++) o[j] = apply<OP>(ar[j], b[j]);
    }
  } else {
    const int64_t rows = n / na;
#pragma omp parallel for if (n > kParallelMin)
    for (int64_t r = 0; r < rows; r++) {
      const float *br = b + r * na;
      float *o = out + r * na;
#pragma omp simd
      for (int64_t j = 0; j < na; j++) o[j] = apply<OP>(a[j], br[j]);
    }
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

// sum(x, out, outer, middle, inner[, scale]): out[o, i] = scale * sum over m of x[o, m, i] (double
// accumulation); scale 1/middle gives the mean.
Napi::Value Sum(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  const int64_t outer = info[2].As<Napi::Number>().Int64Value();
  const int64_t middle = info[3].As<Napi::Number>().Int64Value();
  const int64_t inner = info[4].As<Napi::Number>().Int64Value();
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

// pad(x, out, inShape: Int32Array, before: Int32Array, after: Int32Array, value): constant padding of
// any rank; each innermost row of x is copied to its place in out.
Napi::Value Pad(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  auto in = ints(info, 2);
  auto before = ints(info, 3);
  auto after = ints(info, 4);
  const float value = info[5].As<Napi::Number>().FloatValue();
  const size_t rank = in.size();
  if (rank == 0 || before.size() != rank || after.size() != rank)
    throw Napi::RangeError::New(info.Env(), "pad: shapes of different ranks");
  std::vector<int64_t> outStride(rank);
  int64_t total = 1;
  for (size_t d = rank; d-- > 0;) {
    outStride[d] = total;
    total *= in[d] + before[d] + after[d];
  }
  if (total != static_cast<int64_t>(length(info, 1))) throw Napi::RangeError::New(info.Env(), "pad: wrong output size");
  // Rows run from the innermost padded dimension inwards: contiguous in both input and output.
  size_t p = 0;
  for (size_t d = 0; d < rank; d++)
    if (before[d] || after[d]) p = d;
  int64_t row = 1;
  for (size_t d = p; d < rank; d++) row *= in[d];
  const int64_t rows = row ? static_cast<int64_t>(length(info, 0)) / row : 0;
#pragma omp parallel for simd if (total > kParallelMin)
  for (int64_t i = 0; i < total; i++) out[i] = value;
#pragma omp parallel for if (total > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, offset = before[p] * outStride[p];
    for (size_t d = p; d-- > 0;) {
      offset += (rem % in[d] + before[d]) * outStride[d];
      rem /= in[d];
    }
    std::copy(x + r * row, x + (r + 1) * row, out + offset);
  }
  return info.Env().Undefined();
}

// compare(op, a, b, out: Uint8Array): 0 >, 1 >=, 2 <, 3 <=, 4 ==, 5 !=; a and b of the output's
// size or of size 1.
template <typename F>
void compare_loop(const float *a, int64_t na, const float *b, int64_t nb, uint8_t *out, int64_t n, F f) {
#pragma omp parallel for simd if (n > kParallelMin)
  for (int64_t i = 0; i < n; i++) out[i] = f(a[na == 1 ? 0 : i], b[nb == 1 ? 0 : i]) ? 1 : 0;
}

Napi::Value Compare(const Napi::CallbackInfo &info) {
  const int op = info[0].As<Napi::Number>().Int32Value();
  const float *a = floats(info, 1), *b = floats(info, 2);
  const int64_t na = length(info, 1), nb = length(info, 2);
  auto o = info[3].As<Napi::Uint8Array>();
  uint8_t *out = o.Data();
  const int64_t n = o.ElementLength();
  switch (op) {
    case 0: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x > y; }); break;
    case 1: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x >= y; }); break;
    case 2: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x < y; }); break;
    case 3: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x <= y; }); break;
    case 4: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x == y; }); break;
    case 5: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x != y; }); break;
    default: throw Napi::RangeError::New(info.Env(), "unknown comparison");
  }
  return info.Env().Undefined();
}

// transpose(x, out, inShape, perm): out dimension d is input dimension perm[d]. Output rows are
// written in order; each reads the input with the stride of its innermost permuted dimension.
Napi::Value Transpose(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  auto in = ints(info, 2), perm = ints(info, 3);
  const size_t rank = in.size();
  if (rank == 0 || perm.size() != rank) throw Napi::RangeError::New(info.Env(), "transpose: bad permutation");
  std::vector<int64_t> inStride(rank), os(rank), ps(rank);
  int64_t t = 1;
  for (size_t d = rank; d-- > 0;) {
    inStride[d] = t;
    t *= in[d];
  }
  for (size_t d = 0; d < rank; d++) {
    os[d] = in[perm[d]];
    ps[d] = inStride[perm[d]];
  }
  const int64_t row = os[rank - 1], step = ps[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; d++) rows *= os[d];
  if (row == 0 || rows == 0) return info.Env().Undefined();
#pragma omp parallel for if (rows * row > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, offset = 0;
    for (size_t d = rank - 1; d-- > 0;) {
      offset += (rem % os[d]) * ps[d];
      rem /= os[d];
    }
    float *o = out + r * row;
    const float *src = x + offset;
    if (step == 1) std::copy(src, src + row, o);
    else
      for (int64_t j = 0; j < row; j++) o[j] = src[j * step];
  }
  return info.Env().Undefined();
}

// softmax(x, out, rows, cols): along the last axis, max-subtracted as TF.js does.
Napi::Value Softmax(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  const int64_t rows = info[2].As<Napi::Number>().Int64Value();
  const int64_t cols = info[3].As<Napi::Number>().Int64Value();
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

// slice(x, out, inShape, begin, size): any rank; rows run from the innermost cut dimension inwards.
Napi::Value Slice(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  auto in = ints(info, 2), begin = ints(info, 3), size = ints(info, 4);
  const size_t rank = in.size();
  if (rank == 0 || begin.size() != rank || size.size() != rank)
    throw Napi::RangeError::New(info.Env(), "slice: shapes of different ranks");
  std::vector<int64_t> stride(rank);
  int64_t t = 1;
  for (size_t d = rank; d-- > 0;) {
    stride[d] = t;
    t *= in[d];
  }
  size_t p = 0;
  for (size_t d = 0; d < rank; d++)
    if (size[d] != in[d]) p = d;
  int64_t row = 1;
  for (size_t d = p; d < rank; d++) row *= size[d];
  int64_t rows = 1;
  for (size_t d = 0; d < p; d++) rows *= size[d];
  if (row == 0 || rows == 0) return info.Env().Undefined();
#pragma omp parallel for if (rows * row > kParallelMin)
  for (int64_t r = 0; r < rows; r++) {
    int64_t rem = r, offset = begin[p] * stride[p];
    for (size_t d = p; d-- > 0;) {
      offset += (rem % size[d] + begin[d]) * stride[d];
      rem /= size[d];
    }
    std::copy(x + offset, x + offset + row, out + r * row);
  }
  return info.Env().Undefined();
}

// tile(x, out, inShape, reps): out[i] = x[i mod inShape] in every dimension.
Napi::Value Tile(const Napi::CallbackInfo &info) {
  const float *x = floats(info, 0);
  float *out = floats(info, 1);
  auto in = ints(info, 2), reps = ints(info, 3);
  const size_t rank = in.size();
  if (rank == 0 || reps.size() != rank) throw Napi::RangeError::New(info.Env(), "tile: shapes of different ranks");
  std::vector<int64_t> os(rank), stride(rank);
  int64_t t = 1;
  for (size_t d = rank; d-- > 0;) {
    os[d] = in[d] * reps[d];
    stride[d] = t;
    t *= in[d];
  }
  const int64_t inner = in[rank - 1];
  const int64_t row = os[rank - 1];
  int64_t rows = 1;
  for (size_t d = 0; d + 1 < rank; d++) rows *= os[d];
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

// adam(value, grad, m, v, newValue, newM, newV, [beta1, beta2, 1 - beta1, 1 - beta2, 1 - accBeta1,
// 1 - accBeta2, -lr, eps]): one pass of TF.js's Adam update, with the same float32 constants and order
// of operations (the constants are rounded from doubles by the caller, as TF.js's scalars are).
Napi::Value Adam(const Napi::CallbackInfo &info) {
  const float *value = floats(info, 0), *g = floats(info, 1), *m = floats(info, 2), *v = floats(info, 3);
  float *nvalue = floats(info, 4), *nm = floats(info, 5), *nv = floats(info, 6);
  const float *h = floats(info, 7);
  const float b1 = h[0], b2 = h[1], ob1 = h[2], ob2 = h[3], c1 = h[4], c2 = h[5], nlr = h[6], eps = h[7];
  const int64_t n = static_cast<int64_t>(length(info, 0));
#pragma omp parallel for simd if (n > kParallelMin)
  for (int64_t i = 0; i < n; i++) {
    const float mi = m[i] * b1 + g[i] * ob1;
    const float vi = v[i] * b2 + (g[i] * g[i]) * ob2;
    nm[i] = mi;
    nv[i] = vi;
    nvalue[i] = ((mi / c1) / (std::sqrt(vi / c2) + eps)) * nlr + value[i];
  }
  return info.Env().Undefined();
}

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
  const Blocks b = blocks_of(info[0].As<Napi::Array>(), info[2].As<Napi::Number>().Int64Value());
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
  const Blocks b = blocks_of(info[1].As<Napi::Array>(), info[2].As<Napi::Number>().Int64Value());
  const auto &[ptr, width, offset, outer, row] = b;
#pragma omp parallel for if (outer * row > kParallelMin)
  for (int64_t o = 0; o < outer; o++)
    for (size_t i = 0; i < ptr.size(); i++)
      std::copy(x + o * row + offset[i], x + o * row + offset[i] + width[i], ptr[i] + o * width[i]);
  return info.Env().Undefined();
}

}  // namespace

void InitEltwise(Napi::Env env, Napi::Object exports) {
  exports.Set("binary", Napi::Function::New(env, Binary));
  exports.Set("unary", Napi::Function::New(env, Unary));
  exports.Set("sum", Napi::Function::New(env, Sum));
  exports.Set("pad", Napi::Function::New(env, Pad));
  exports.Set("adam", Napi::Function::New(env, Adam));
  exports.Set("concat", Napi::Function::New(env, Concat));
  exports.Set("slice", Napi::Function::New(env, Slice));
  exports.Set("softmax", Napi::Function::New(env, Softmax));
  exports.Set("transpose", Napi::Function::New(env, Transpose));
  exports.Set("compare", Napi::Function::New(env, Compare));
  exports.Set("tile", Napi::Function::New(env, Tile));
  exports.Set("split", Napi::Function::New(env, Split));
}

}  // namespace vl
