// Float32 comparisons to a bool (Uint8Array) output.
#include <iterator>

#include "common.h"

namespace vl {
namespace {

enum Comparison { GREATER, GREATER_EQUAL, LESS, LESS_EQUAL, EQUAL, NOT_EQUAL, COMPARISON_COUNT };
// The TF.js kernel each code runs, in the enum's order.
constexpr const char *kCompareNames[] = {"Greater", "GreaterEqual", "Less", "LessEqual", "Equal", "NotEqual"};
static_assert(std::size(kCompareNames) == COMPARISON_COUNT, "one kernel name per comparison");

// compare(op, a, b, out: Uint8Array): op a Comparison; a and b of the output's size or of size 1.
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
    case GREATER: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x > y; }); break;
    case GREATER_EQUAL: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x >= y; }); break;
    case LESS: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x < y; }); break;
    case LESS_EQUAL: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x <= y; }); break;
    case EQUAL: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x == y; }); break;
    case NOT_EQUAL: compare_loop(a, na, b, nb, out, n, [](float x, float y) { return x != y; }); break;
    default: throw Napi::RangeError::New(info.Env(), "unknown comparison");
  }
  return info.Env().Undefined();
}

}  // namespace

void InitCompare(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports, {{"compare", Compare}});
  exports.Set("compareOps", op_codes(env, kCompareNames));
}

}  // namespace vl
