// Matrix products through OpenBLAS SGEMM: C[b] = op(A[b]) · op(B[b]) (+ bias, activation).
#include <cblas.h>

#include "common.h"

namespace vl {
namespace {

// matmul(a, b, c, params = [batchA, batchB, M, N, K, transA, transB], bias | null, act)
// A batch of 1 broadcasts against the other operand's batch. act: 0 none, 1 relu.
Napi::Value MatMul(const Napi::CallbackInfo &info) {
  auto p = ints(info, 3);
  const float *a = floats(info, 0);
  const float *b = floats(info, 1);
  float *c = floats(info, 2);
  int64_t ba = p.at(0), bb = p[1], M = p[2], N = p[3], K = p[4];
  bool ta = p[5] != 0, tb = p.at(6) != 0;
  int64_t batch = std::max(ba, bb);
  const float *bias = (info.Length() > 4 && info[4].IsTypedArray()) ? floats(info, 4) : nullptr;
  int act = info.Length() > 5 ? info[5].As<Napi::Number>().Int32Value() : 0;
  for (int64_t i = 0; i < batch; i++) {
    const float *ai = a + (ba == 1 ? 0 : i * M * K);
    const float *bi = b + (bb == 1 ? 0 : i * K * N);
    float *ci = c + i * M * N;
    cblas_sgemm(CblasRowMajor, ta ? CblasTrans : CblasNoTrans, tb ? CblasTrans : CblasNoTrans, M, N, K, 1.f, ai,
                ta ? M : K, bi, tb ? K : N, 0.f, ci, N);
  }
  if (bias || act) {
    int64_t rows = batch * M;
#pragma omp parallel for if (rows * N > 65536)
    for (int64_t r = 0; r < rows; r++) {
      float *row = c + r * N;
      if (bias)
        for (int64_t j = 0; j < N; j++) row[j] += bias[j];
      if (act == 1)
        for (int64_t j = 0; j < N; j++) row[j] = row[j] > 0.f ? row[j] : 0.f;
    }
  }
  return info.Env().Undefined();
}

}  // namespace

void InitGemm(Napi::Env env, Napi::Object exports) { exports.Set("matmul", Napi::Function::New(env, MatMul)); }

}  // namespace vl
