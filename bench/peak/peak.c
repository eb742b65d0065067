// Measures this CPU's arithmetic peak: every thread runs independent chains of fused multiply-adds
// (AVX-512 or AVX2, the widest the CPU has) and, where AVX512_BF16 exists, of bf16 dot products
// (vdpbf16ps: 2 multiplies and 2 adds per fp32 lane). Prints one JSON line of GFLOP/s for all threads.
// The clock the CPU really runs at (turbo, a hypervisor's) is in the figure; no nominal clock is needed.
#include <immintrin.h>
#include <omp.h>
#include <stdio.h>
#include <stdlib.h>

#define CHAINS 12  // enough independent accumulators to hide the FMA latency on every core we run on
#define ROUNDS 20000000L

__attribute__((target("avx512f"))) static double fma512(void) {
  __m512 acc[CHAINS];
  for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps(1.0f + i * 1e-7f);
  const __m512 a = _mm512_set1_ps(0.999999f), b = _mm512_set1_ps(1e-7f);
  for (long k = 0; k < ROUNDS; k++)
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_fmadd_ps(acc[i], a, b);
  float sink = 0;
  for (int i = 0; i < CHAINS; i++) sink += _mm512_reduce_add_ps(acc[i]);
  return sink == 12345.f ? 1 : 32.0 * CHAINS * ROUNDS;  // FLOP done (the test keeps the loop alive)
}

__attribute__((target("avx2,fma"))) static double fma256(void) {
  __m256 acc[CHAINS];
  for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_set1_ps(1.0f + i * 1e-7f);
  const __m256 a = _mm256_set1_ps(0.999999f), b = _mm256_set1_ps(1e-7f);
  for (long k = 0; k < ROUNDS; k++)
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm256_fmadd_ps(acc[i], a, b);
  float lanes[8], sink = 0;
  for (int i = 0; i < CHAINS; i++) {
    _mm256_storeu_ps(lanes, acc[i]);
    for (int j = 0; j < 8; j++) sink += lanes[j];
  }
  return sink == 12345.f ? 1 : 16.0 * CHAINS * ROUNDS;
}

__attribute__((target("avx512f,avx512bf16"))) static double dpbf16(void) {
  __m512 acc[CHAINS];
  for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_set1_ps(1.0f + i * 1e-7f);
  const __m512bh a = (__m512bh)_mm512_set1_epi16(0x3f80), b = (__m512bh)_mm512_set1_epi16(0x3380);
  for (long k = 0; k < ROUNDS; k++)
    for (int i = 0; i < CHAINS; i++) acc[i] = _mm512_dpbf16_ps(acc[i], a, b);
  float sink = 0;
  for (int i = 0; i < CHAINS; i++) sink += _mm512_reduce_add_ps(acc[i]);
  return sink == 12345.f ? 1 : 64.0 * CHAINS * ROUNDS;
}

static double gflops(double (*loop)(void), int threads) {
  double flop = 0;
  const double t0 = omp_get_wtime();
#pragma omp parallel num_threads(threads) reduction(+ : flop)
  flop += loop();
  return flop / (omp_get_wtime() - t0) / 1e9;
}

int main(int argc, char **argv) {
  const int threads = argc > 1 ? atoi(argv[1]) : omp_get_max_threads();
  __builtin_cpu_init();
  const int avx512 = __builtin_cpu_supports("avx512f");
  const double fp32 = avx512 ? gflops(fma512, threads) : gflops(fma256, threads);
  const double bf16 = avx512 && __builtin_cpu_supports("avx512bf16") ? gflops(dpbf16, threads) : 0;
  printf("{\"threads\": %d, \"isa\": \"%s\", \"fp32Gflops\": %.1f, \"bf16Gflops\": %.1f}\n", threads,
         avx512 ? "avx512" : "avx2", fp32, bf16);
  return 0;
}
