// A planned training step for a graph of layers: forward and backward of the whole model in one call
// each, with oneDNN primitives and activation buffers created once per batch size.
#pragma once
#include "common.h"

namespace vl {

// Layer kinds of a plan's op records (see src/engine/plan/graph.ts, which writes them).
enum PlanOpKind : int {
  kPlanConv = 1, kPlanPool, kPlanDense, kPlanEltwise, kPlanSoftmax, kPlanDropout,
  kPlanFlatten, kPlanAdd, kPlanConcat, kPlanBatchNorm, kPlanGlobalAvgPool, kPlanPad,
};

// Element-wise functions of kPlanEltwise.
enum PlanEltwise : int { kEltRelu = 0, kEltSigmoid = 1, kEltTanh = 2, kEltLinear = 3 };

// Integers per op record, kind included.
constexpr int kPlanRecord = 20;

void InitPlan(Napi::Env env, Napi::Object exports);

}  // namespace vl
