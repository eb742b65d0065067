// A planned training step for a chain of layers: forward and backward of the whole chain in one
// call each, with oneDNN primitives and activation buffers created once per batch size.
#pragma once
#include "common.h"

namespace vl {

// Layer kinds of a plan's op records (see src/engine/plan/plan-spec.ts, which writes them).
enum PlanOpKind : int {
  kPlanConv = 1,
  kPlanPool = 2,
  kPlanDense = 3,
  kPlanEltwise = 4,
  kPlanSoftmax = 5,
  kPlanDropout = 6,
  kPlanFlatten = 7,
};

// Element-wise functions of kPlanEltwise.
enum PlanEltwise : int { kEltRelu = 0, kEltSigmoid = 1, kEltTanh = 2, kEltLinear = 3 };

// Integers per op record, kind included.
constexpr int kPlanRecord = 20;

void InitPlan(Napi::Env env, Napi::Object exports);

}  // namespace vl
