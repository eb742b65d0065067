// Implementation choices oneDNN must not make for a convolution's weight gradient.
#pragma once
#include <cstring>

#include "common.h"

namespace vl {

// oneDNN 2.6's jit_1x1 weight gradient writes past its buffers when a 1×1 kernel has different
// vertical and horizontal strides (seen on AVX2 with 3 input channels and strides 1×2: heap
// corruption, then a crash).
inline bool broken_1x1_wgrad(const char *impl, int64_t kh, int64_t kw, int64_t sh, int64_t sw) {
  return kh == 1 && kw == 1 && sh != sw && std::strncmp(impl, "jit_1x1", 7) == 0;
}

}  // namespace vl
