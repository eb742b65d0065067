// Max pooling over a channel-blocked layout (nhwc, nchw, or oneDNN's nChw8c / nChw16c), forward with the
// position of each window's maximum and backward by scattering into those positions. oneDNN 2.6's own
// pooling runs at a tenth of memory speed on these shapes (small CNN pool1, 64x32x28x28 on AVX2: 5.4 ms
// forward against 0.2 ms for this loop).
#pragma once
#include <cstdint>
#include <oneapi/dnnl/dnnl.hpp>

namespace vl {

struct MaxPoolShape {
  // The tensor is [N][CB][H][W][B] floats: channel c sits in block c / B at lane c % B.
  int64_t N = 0, CB = 0, B = 0, H = 0, W = 0, OH = 0, OW = 0;
  int64_t KH = 0, KW = 0, SH = 0, SW = 0, PT = 0, PL = 0;
};

// The [N][CB][H][W][B] view of `md` ({N, C, H, W} f32) and the tag of its layout; false when it is none of those.
bool channel_blocks(const dnnl::memory::desc &md, int64_t &CB, int64_t &B, dnnl::memory::format_tag &layout);

// y[o] = the window's maximum (the first one in row-major order on ties); at[o] = its offset within its
// [H][W][B] slice. Padding is never the maximum.
void max_pool_forward(const MaxPoolShape &s, const float *x, float *y, int32_t *at);

// dx = 0, then dy[o] added at each window's maximum. With `relu_of_y`, only where y[o] > 0: the backward
// of a ReLU that produced x, done here so that its own pass over x is saved.
void max_pool_backward(const MaxPoolShape &s, const float *dy, const int32_t *at, const float *y, bool relu_of_y,
                       float *dx);

}  // namespace vl
