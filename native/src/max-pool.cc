#include "max-pool.h"

#include <cstring>

#ifdef __AVX2__
#include <immintrin.h>
#endif

namespace vl {

using dnnl::memory;

bool channel_blocks(const memory::desc &md, int64_t &CB, int64_t &B, memory::format_tag &layout) {
  const memory::dims d = md.dims();
  if (d.size() != 4 || md.data_type() != memory::data_type::f32) return false;
  const int64_t C = d[1];
  using tag = memory::format_tag;
  if (md == memory::desc(d, memory::data_type::f32, tag::nhwc)) {
    CB = 1, B = C, layout = tag::nhwc;
    return true;
  }
  if (md == memory::desc(d, memory::data_type::f32, tag::nchw)) {
    CB = C, B = 1, layout = tag::nchw;
    return true;
  }
  for (auto [t, b] : {std::pair{tag::aBcd8b, 8}, std::pair{tag::aBcd16b, 16}}) {
    if (md == memory::desc(d, memory::data_type::f32, t)) {
      B = b, CB = (C + b - 1) / b, layout = t;
      return true;
    }
  }
  return false;
}

namespace {

// The maximum over one window of lanes [b0, b0 + L) (L fixed, so the lanes stay in registers); the window
// holds at least one element.
template <int L>
void window_max(const float *xs, int64_t B, int64_t b0, int64_t W, int64_t hb, int64_t he, int64_t wb, int64_t we,
                float *y, int32_t *at) {
  float m[L];
  int32_t p[L];
  const int32_t first = static_cast<int32_t>((hb * W + wb) * B + b0);
  for (int b = 0; b < L; b++) m[b] = xs[first + b], p[b] = first + b;
  for (int64_t h = hb; h < he; h++) {
    for (int64_t w = wb; w < we; w++) {
      const int32_t off = static_cast<int32_t>((h * W + w) * B + b0);
      for (int b = 0; b < L; b++) {
        if (xs[off + b] > m[b]) m[b] = xs[off + b], p[b] = off + b;
      }
    }
  }
  for (int b = 0; b < L; b++) y[b] = m[b], at[b] = p[b];
}

#ifdef __AVX2__
template <>
void window_max<8>(const float *xs, int64_t B, int64_t b0, int64_t W, int64_t hb, int64_t he, int64_t wb,
                   int64_t we, float *y, int32_t *at) {
  const __m256i lanes = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  const int32_t first = static_cast<int32_t>((hb * W + wb) * B + b0);
  __m256 m = _mm256_loadu_ps(xs + first);
  __m256i p = _mm256_add_epi32(_mm256_set1_epi32(first), lanes);
  for (int64_t h = hb; h < he; h++) {
    for (int64_t w = wb; w < we; w++) {
      const int32_t off = static_cast<int32_t>((h * W + w) * B + b0);
      const __m256 v = _mm256_loadu_ps(xs + off);
      const __m256 more = _mm256_cmp_ps(v, m, _CMP_GT_OQ);
      m = _mm256_blendv_ps(m, v, more);
      p = _mm256_blendv_epi8(p, _mm256_add_epi32(_mm256_set1_epi32(off), lanes), _mm256_castps_si256(more));
    }
  }
  _mm256_storeu_ps(y, m);
  _mm256_storeu_si256(reinterpret_cast<__m256i *>(at), p);
}
#endif

}  // namespace

void max_pool_forward(const MaxPoolShape &s, const float *x, float *y, int32_t *at) {
  const int64_t in_slice = s.H * s.W * s.B, out_slice = s.OH * s.OW * s.B, B = s.B;
#pragma omp parallel for schedule(static)
  for (int64_t slice = 0; slice < s.N * s.CB; slice++) {
    const float *xs = x + slice * in_slice;
    for (int64_t oh = 0; oh < s.OH; oh++) {
      const int64_t h0 = oh * s.SH - s.PT;
      const int64_t hb = h0 < 0 ? 0 : h0, he = h0 + s.KH > s.H ? s.H : h0 + s.KH;
      for (int64_t ow = 0; ow < s.OW; ow++) {
        const int64_t w0 = ow * s.SW - s.PL;
        const int64_t wb = w0 < 0 ? 0 : w0, we = w0 + s.KW > s.W ? s.W : w0 + s.KW;
        const int64_t o = slice * out_slice + (oh * s.OW + ow) * B;
        int64_t b = 0;
        for (; b + 8 <= B; b += 8) window_max<8>(xs, B, b, s.W, hb, he, wb, we, y + o + b, at + o + b);
        for (; b < B; b++) window_max<1>(xs, B, b, s.W, hb, he, wb, we, y + o + b, at + o + b);
      }
    }
  }
}

void max_pool_backward(const MaxPoolShape &s, const float *dy, const int32_t *at, const float *y, bool relu_of_y,
                       float *dx) {
  const int64_t in_slice = s.H * s.W * s.B, out_slice = s.OH * s.OW * s.B;
#pragma omp parallel for schedule(static)
  for (int64_t slice = 0; slice < s.N * s.CB; slice++) {
    float *dxs = dx + slice * in_slice;
    const float *dys = dy + slice * out_slice, *ys = y + slice * out_slice;
    const int32_t *as = at + slice * out_slice;
    std::memset(dxs, 0, sizeof(float) * in_slice);
    for (int64_t o = 0; o < out_slice; o++) {
      if (as[o] < 0 || (relu_of_y && !(ys[o] > 0.f))) continue;
      dxs[as[o]] += dys[o];
    }
  }
}

}  // namespace vl
