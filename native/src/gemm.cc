// Matrix products C[b] = op(A[b]) · op(B[b]) (+ bias, activation) through oneDNN's matmul primitive:
// transposes and batch broadcasts are strides (no copies), bias and ReLU are fused post-ops, and oneDNN
// dispatches on the CPU's own ISA (OpenBLAS reads OPENBLAS_CORETYPE and may run older kernels).
// In bf16 mode the operands are rounded to bfloat16 (round to nearest even) and accumulated in fp32.
#include <cstring>

#include "common.h"

namespace vl {
namespace {

struct MatMulDims {
  int64_t ba, bb, M, N, K;
  bool ta, tb;
  int64_t batch() const { return std::max(ba, bb); }
  memory::desc a(dt type) const {
    return memory::desc({ba, M, K}, type, ta ? memory::dims{M * K, 1, M} : memory::dims{M * K, K, 1});
  }
  memory::desc b(dt type) const {
    return memory::desc({bb, K, N}, type, tb ? memory::dims{K * N, 1, K} : memory::dims{K * N, N, 1});
  }
  memory::desc c() const { return memory::desc({batch(), M, N}, dt::f32, tag::abc); }
};

struct MatMulPrimitive {
  dnnl::matmul prim;
  memory::desc a, b, c, bias;
};

MatMulPrimitive &primitive(const MatMulDims &d, bool bias, int act, bool bf16) {
  auto key = key_of("mm", {d.ba, d.bb, d.M, d.N, d.K, d.ta, d.tb, bias, act, bf16});
  if (auto *hit = cached<MatMulPrimitive>(key)) return *hit;
  const dt in = bf16 ? dt::bf16 : dt::f32;
  auto p = std::make_unique<MatMulPrimitive>();
  p->a = d.a(in);
  p->b = d.b(in);
  p->c = d.c();
  p->bias = memory::desc({1, 1, d.N}, dt::f32, tag::abc);
  dnnl::primitive_attr attr;
  if (act == 1) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.f, dnnl::algorithm::eltwise_relu, 0.f, 0.f);
    attr.set_post_ops(ops);
  }
  auto desc = bias ? dnnl::matmul::desc(p->a, p->b, p->bias, p->c) : dnnl::matmul::desc(p->a, p->b, p->c);
  p->prim = dnnl::matmul(dnnl::matmul::primitive_desc(desc, attr, engine()));
  return keep(key, std::move(p));
}

// float -> bfloat16 with round to nearest even (NaN stays NaN), in place of a reorder primitive per call.
void to_bf16(const float *x, uint16_t *y, int64_t n) {
#pragma omp parallel for simd if (n > 65536)
  for (int64_t i = 0; i < n; i++) {
    uint32_t u;
    std::memcpy(&u, x + i, 4);
    const bool nan = (u & 0x7fffffffu) > 0x7f800000u;
    y[i] = nan ? static_cast<uint16_t>((u >> 16) | 0x40) : static_cast<uint16_t>((u + 0x7fffu + ((u >> 16) & 1)) >> 16);
  }
}

// An operand's bf16 form: a caller-held copy (info[at], a Float32Array of half the length reinterpreted),
// rounded here unless info[at + 1] says it already holds this operand; else the scratch array of `role`.
uint16_t *bf16_operand(const Napi::CallbackInfo &info, size_t at, const float *x, int64_t n, int role) {
  if (info.Length() > at + 1 && info[at].IsTypedArray()) {
    auto *copy = reinterpret_cast<uint16_t *>(floats(info, at));
    if (static_cast<int64_t>(length(info, at)) * 2 < n)
      throw Napi::RangeError::New(info.Env(), "argument " + std::to_string(at) + " is too short for a bf16 copy");
    if (!info[at + 1].ToBoolean().Value()) to_bf16(x, copy, n);
    return copy;
  }
  auto *staged = static_cast<uint16_t *>(scratch(role, n * sizeof(uint16_t)));
  to_bf16(x, staged, n);
  return staged;
}

// matmul(a, b, c, params = [batchA, batchB, M, N, K, transA, transB], bias | null, act[, bf16,
//        aCopy | null, aCopyReady, bCopy | null, bCopyReady])
// A batch of 1 broadcasts against the other operand's batch. act: 0 none, 1 relu. In bf16 an operand
// with a copy array is rounded into it (or read from it when ready), so that a caller can keep it.
Napi::Value MatMul(const Napi::CallbackInfo &info) {
  auto p = ints(info, 3);
  MatMulDims d{p.at(0), p[1], p[2], p[3], p[4], p[5] != 0, p.at(6) != 0};
  float *a = floats(info, 0);
  float *b = floats(info, 1);
  float *c = floats(info, 2);
  float *bias = (info.Length() > 4 && info[4].IsTypedArray()) ? floats(info, 4) : nullptr;
  const int act = info.Length() > 5 ? info[5].As<Napi::Number>().Int32Value() : 0;
  const bool bf16 = info.Length() > 6 && info[6].ToBoolean().Value();
  return guarded(info, [&] {
    if (d.M == 0 || d.N == 0 || d.batch() == 0) return;
    if (d.K == 0) {
      // oneDNN refuses empty reductions: the product is zero (plus bias, activation).
      for (int64_t r = 0; r < d.batch() * d.M; r++)
        for (int64_t j = 0; j < d.N; j++) c[r * d.N + j] = bias ? (act == 1 ? std::max(bias[j], 0.f) : bias[j]) : 0.f;
      return;
    }
    ThreadLimit limit(2.0 * d.batch() * d.M * d.N * d.K);
    auto &mm = primitive(d, bias != nullptr, act, bf16);
    void *pa = a, *pb = b;
    if (bf16) {
      pa = bf16_operand(info, 7, a, d.ba * d.M * d.K, 0);
      pb = bf16_operand(info, 9, b, d.bb * d.K * d.N, 1);
    }
    std::unordered_map<int, memory> args{{DNNL_ARG_SRC, memory(mm.a, engine(), pa)},
                                         {DNNL_ARG_WEIGHTS, memory(mm.b, engine(), pb)},
                                         {DNNL_ARG_DST, memory(mm.c, engine(), c)}};
    if (bias) args.emplace(DNNL_ARG_BIAS, memory(mm.bias, engine(), bias));
    mm.prim.execute(stream(), args);
    stream().wait();
  });
}

}  // namespace

void InitGemm(Napi::Env env, Napi::Object exports) { set_functions(env, exports, {{"matmul", MatMul}}); }

}  // namespace vl
