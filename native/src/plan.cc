// Planned training step for a graph of layers (see plan.h, plan-ops.h): the ops in topological order,
// each reading the outputs of earlier ops (or the plan's input). Weights and gradients are the caller's
// Float32Arrays (TF.js layouts), read and written without copies where the primitive accepts that layout.
//
// Spec (Int32Array): [N, H, W, C, bf16, ops, outputs], one record of kPlanRecord integers per op, then per
// op its inputs as [count, (producer, needs gradient) × count] (producer -1: the plan's input), then the
// indices of the ops whose outputs the plan returns. Floats: two per op (element-wise alpha and beta;
// BatchNormalization's epsilon).
#include "plan.h"

#include <chrono>
#include <cstring>
#include <unordered_map>

#include "plan-ops.h"

namespace vl {
namespace plan {

dnnl::reorder reorder_between(const memory::desc &from, const memory::desc &to, bool adding) {
  dnnl::primitive_attr attr;
  if (adding) {
    dnnl::post_ops ops;
    ops.append_sum(1.f);
    attr.set_post_ops(ops);
  }
  return dnnl::reorder(dnnl::reorder::primitive_desc(engine(), from, engine(), to, attr));
}

void run(dnnl::reorder &r, memory src, memory dst) { r.execute(stream(), src, dst); }

void check(bool ok, const std::string &what) {
  if (!ok) throw std::runtime_error("plan: " + what);
}

memory Convert::operator()(const memory &m, const memory::desc &want) {
  if (!ready) {
    ready = true;
    same = m.get_desc() == want;
    if (!same) {
      buf = memory(want, engine());
      prim = reorder_between(m.get_desc(), want);
    }
  }
  if (same) return m;
  run(prim, m, buf);
  return buf;
}

memory Deliver::target(const memory::desc &have, const memory &dst) {
  if (!ready) {
    ready = true;
    same = have == dst.get_desc();
    if (!same) {
      buf = memory(have, engine());
      prim = reorder_between(have, dst.get_desc());
    }
  }
  return same ? dst : buf;
}

void Deliver::finish(const memory &dst) {
  if (!same) run(prim, buf, dst);
}

memory GradSink::target(const memory::desc &have) {
  if (!ready) {
    ready = true;
    same = first && have == producer->out_md;
    if (!same) {
      buf = memory(have, engine());
      prim = reorder_between(have, producer->out_md, !first);
    }
  }
  return same ? producer->dout : buf;
}

void GradSink::finish() {
  if (!same) run(prim, buf, producer->dout);
}

void GradSink::put(const memory &g) {
  if (!ready) {
    ready = true;
    prim = reorder_between(g.get_desc(), producer->out_md, !first);
  }
  run(prim, g, producer->dout);
}

namespace {

double ms_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
}

// Reads the spec's input lists into the ops and marks, in backward order, which consumer of each output
// writes its gradient first.
void connect(Plan &plan, const std::vector<int64_t> &spec, size_t &at) {
  const int64_t nops = static_cast<int64_t>(plan.ops.size());
  for (int64_t i = 0; i < nops; i++) {
    check(at < spec.size(), "spec ends inside the input lists");
    Op &op = *plan.ops[i];
    const int64_t k = spec[at++];
    check(k >= 1 && at + 2 * k <= spec.size(), "op " + std::to_string(i) + " has no inputs");
    op.sinks.resize(k);
    for (int64_t j = 0; j < k; j++) {
      const int64_t from = spec[at++], grad = spec[at++];
      check(from >= -1 && from < i, "op " + std::to_string(i) + " reads op " + std::to_string(from));
      check(!(from < 0 && grad), "the plan's input has no gradient");
      op.inputs.push_back(static_cast<int>(from));
      if (grad) op.sinks[j].producer = plan.ops[from].get();
    }
  }
}

void mark_first_writers(Plan &plan) {
  std::vector<bool> written(plan.ops.size(), false);
  for (int o : plan.outputs) written[o] = true;
  for (size_t k = plan.ops.size(); k-- > 0;) {
    Op &op = *plan.ops[k];
    op.backward = op.wgrad || op.igrad;
    if (!op.backward) continue;
    check(written[k], "op " + std::to_string(k) + " needs a gradient that nothing gives it");
    for (size_t j = 0; j < op.sinks.size(); j++) {
      if (!op.sinks[j]) continue;
      const int from = op.inputs[j];
      op.sinks[j].first = !written[from];
      written[from] = true;
    }
  }
}

// A max pool of ours whose input is a ReLU convolution read by nothing else does that ReLU's backward too.
void fuse_relu_into_max_pool(Plan &plan) {
  std::vector<int> readers(plan.ops.size(), 0);
  for (int o : plan.outputs) readers[o]++;
  for (auto &op : plan.ops)
    for (int from : op->inputs)
      if (from >= 0) readers[from]++;
  for (auto &op : plan.ops) {
    if (!op->own_pool || op->inputs[0] < 0) continue;
    Op &below = *plan.ops[op->inputs[0]];
    if (below.kind != kPlanConv || !below.relu || readers[op->inputs[0]] != 1) continue;
    op->relu_of_in = true;
    below.relu_in_next = true;
  }
}

void build_op(Op &op, const int64_t *r, const float *f, const Plan &plan) {
  switch (op.kind) {
    case kPlanConv: build_conv(op, r, plan); break;
    case kPlanPool: build_pool(op, r, plan); break;
    case kPlanDense: build_dense(op, r, plan); break;
    case kPlanEltwise: build_eltwise(op, r, f); break;
    case kPlanSoftmax: build_softmax(op); break;
    case kPlanDropout: build_dropout(op); break;
    case kPlanFlatten: build_flatten(op, plan); break;
    case kPlanAdd: build_add(op); break;
    case kPlanConcat: build_concat(op); break;
    case kPlanBatchNorm: build_batch_norm(op, r, f); break;
    case kPlanGlobalAvgPool: build_global_avg_pool(op, plan); break;
    case kPlanPad: build_pad(op, r); break;
    default: throw std::runtime_error("plan: unknown op kind " + std::to_string(op.kind));
  }
}

std::unique_ptr<Plan> build(const std::vector<int64_t> &spec, const float *floats_, size_t nfloats) {
  check(spec.size() >= 7, "spec too short");
  auto plan = std::make_unique<Plan>();
  plan->N = spec[0];
  plan->bf16 = spec[4] != 0;
  const int64_t nops = spec[5], nouts = spec[6];
  check(nops > 0 && nouts > 0, "a plan needs at least one op and one output");
  check(spec.size() >= static_cast<size_t>(7 + nops * kPlanRecord) && nfloats >= static_cast<size_t>(2 * nops),
        "spec length does not match its op count");
  plan->x = unbound(plain({plan->N, spec[3], spec[1], spec[2]}));
  for (int64_t i = 0; i < nops; i++) {
    auto op = std::make_unique<Op>();
    const int64_t *r = spec.data() + 7 + i * kPlanRecord;
    op->kind = static_cast<int>(r[0]);
    op->bias = r[15] != 0;
    op->relu = r[16] != 0;
    op->wgrad = r[17] != 0;
    op->igrad = r[18] != 0;
    plan->ops.push_back(std::move(op));
  }
  size_t at = 7 + nops * kPlanRecord;
  connect(*plan, spec, at);
  check(at + nouts == spec.size(), "spec length does not match its output count");
  for (int64_t o = 0; o < nouts; o++) {
    check(spec[at + o] >= 0 && spec[at + o] < nops, "output " + std::to_string(o) + " is not an op");
    plan->outputs.push_back(static_cast<int>(spec[at + o]));
  }
  for (int64_t i = 0; i < nops; i++) {
    Op &op = *plan->ops[i];
    for (size_t j = 0; j < op.inputs.size(); j++) op.in_mds.push_back(plan->input(op, j).get_desc());
    op.in_md = op.in_mds[0];
    if (op.kind != kPlanAdd && op.kind != kPlanConcat) check(op.inputs.size() == 1, "op " + std::to_string(i) + " takes one input");
    const int64_t *r = spec.data() + 7 + i * kPlanRecord;
    build_op(op, r, floats_ + 2 * i, *plan);
    if (op.out4) {
      op.out = memory(op.out_md, engine(), op.out4.get_data_handle());
      op.dout = memory(op.out_md, engine(), op.dout4.get_data_handle());
    } else {
      op.out = memory(op.out_md, engine());
      op.dout = memory(op.out_md, engine());
    }
    if (op.kind == kPlanPad) std::memset(op.out.get_data_handle(), 0, op.out_md.get_size());
    op.work = static_cast<double>(volume(op.out_dims));
    if (op.kind == kPlanConv) op.work *= 2.0 * r[3] * r[4] * r[5];
    if (op.kind == kPlanDense) op.work *= 2.0 * r[1];
    if (op.kind == kPlanPool) op.work *= r[4] * r[5];
    if (op.kind == kPlanGlobalAvgPool) op.work = static_cast<double>(volume(op.in_md.dims()));
  }
  fuse_relu_into_max_pool(*plan);
  mark_first_writers(*plan);
  for (int o : plan->outputs) {
    const Op &op = *plan->ops[o];
    plan->y.push_back(unbound(plain(op.out_dims)));
    plan->dy.push_back(unbound(plain(op.out_dims)));
    plan->y_out.push_back(reorder_between(op.out_md, plan->y.back().get_desc()));
    plan->dy_in.push_back(reorder_between(plan->dy.back().get_desc(), op.out_md));
  }
  return plan;
}

void forward(Plan &plan) {
  for (auto &p : plan.ops) {
    Op &op = *p;
    const memory &in = plan.input(op, 0);
    auto t0 = std::chrono::steady_clock::now();
    ThreadLimit limit(op.work);
    switch (op.kind) {
      case kPlanConv: forward_weighted(op, in); break;
      case kPlanPool: forward_pool(op, in); break;
      case kPlanDense: forward_weighted(op, in); break;
      case kPlanEltwise: op.fwd.execute(stream(), {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, op.out}}); break;
      case kPlanSoftmax: op.fwd.execute(stream(), {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, op.out}}); break;
      case kPlanDropout: forward_dropout(op, in); break;
      case kPlanFlatten: run(op.flat_fwd, in, op.out4); break;
      case kPlanAdd: forward_add(op, plan); break;
      case kPlanConcat: forward_concat(op, plan); break;
      case kPlanBatchNorm: forward_batch_norm(op, in); break;
      case kPlanGlobalAvgPool: forward_global_avg_pool(op, in); break;
      case kPlanPad: forward_pad(op, in); break;
    }
    stream().wait();
    op.fwd_ms = ms_since(t0);
  }
  for (size_t o = 0; o < plan.outputs.size(); o++) run(plan.y_out[o], plan.ops[plan.outputs[o]]->out, plan.y[o]);
  stream().wait();
}

void backward(Plan &plan) {
  for (size_t o = 0; o < plan.outputs.size(); o++) run(plan.dy_in[o], plan.dy[o], plan.ops[plan.outputs[o]]->dout);
  for (size_t k = plan.ops.size(); k-- > 0;) {
    Op &op = *plan.ops[k];
    if (!op.backward) continue;
    const memory &in = plan.input(op, 0);
    auto t0 = std::chrono::steady_clock::now();
    ThreadLimit limit(op.work);
    switch (op.kind) {
      case kPlanConv: backward_conv(op); break;
      case kPlanPool: backward_pool(op); break;
      case kPlanDense: backward_dense(op); break;
      case kPlanEltwise: backward_eltwise(op, in); break;
      case kPlanSoftmax: backward_softmax(op); break;
      case kPlanDropout: stream().wait(); backward_dropout(op); break;
      case kPlanFlatten: backward_flatten(op); break;
      case kPlanAdd: backward_add(op); break;
      case kPlanConcat: backward_concat(op); break;
      case kPlanBatchNorm: backward_batch_norm(op, in); break;
      case kPlanGlobalAvgPool: backward_global_avg_pool(op); break;
      case kPlanPad: backward_pad(op); break;
    }
    stream().wait();
    op.bwd_ms = ms_since(t0);
  }
  stream().wait();
}

Plan &plan_of(const Napi::CallbackInfo &info) {
  if (!info[0].IsExternal()) throw Napi::TypeError::New(info.Env(), "argument 0 must be a plan");
  return *info[0].As<Napi::External<Plan>>().Data();
}

float *optional_floats(const Napi::Value &v) {
  if (v.IsNull() || v.IsUndefined()) return nullptr;
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(v.Env(), "expected a Float32Array or null");
  return v.As<Napi::Float32Array>().Data();
}

bool has_weights(const Op &op) { return op.kind == kPlanConv || op.kind == kPlanDense || op.kind == kPlanBatchNorm; }

// Points the weight memories at the caller's arrays, four per op (kernel, bias; BatchNormalization: gamma,
// beta, then its moving mean and variance, or the arrays its batch statistics go to), and with `grads`
// the gradient memories, two per op.
void bind_weights(Plan &plan, const Napi::Array &weights, const Napi::Array *grads) {
  for (uint32_t i = 0; i < plan.ops.size(); i++) {
    Op &op = *plan.ops[i];
    if (!has_weights(op)) continue;
    op.w_user.set_data_handle(optional_floats(weights.Get(4 * i)));
    if (op.bias || op.kind == kPlanBatchNorm) op.b_user.set_data_handle(optional_floats(weights.Get(4 * i + 1)));
    if (op.kind == kPlanBatchNorm) {
      op.mean_user.set_data_handle(optional_floats(weights.Get(4 * i + 2)));
      op.var_user.set_data_handle(optional_floats(weights.Get(4 * i + 3)));
    }
    if (grads && op.wgrad) {
      op.dw_user.set_data_handle(optional_floats(grads->Get(2 * i)));
      if (op.bias || op.kind == kPlanBatchNorm) op.db_user.set_data_handle(optional_floats(grads->Get(2 * i + 1)));
    }
  }
}

void bind_each(std::vector<memory> &mems, const Napi::Value &v, const char *what) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != mems.size())
    throw Napi::TypeError::New(v.Env(), std::string("plan: expected one ") + what + " per output");
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t o = 0; o < mems.size(); o++) mems[o].set_data_handle(optional_floats(a.Get(o)));
}

// planCreate(spec: Int32Array, floats: Float32Array) -> plan
Napi::Value Create(const Napi::CallbackInfo &info) {
  auto spec = ints(info, 0);
  const float *f = floats(info, 1);
  size_t nf = length(info, 1);
  std::unique_ptr<Plan> plan;
  try {
    plan = build(spec, f, nf);
  } catch (const dnnl::error &e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  } catch (const std::runtime_error &e) {
    throw Napi::Error::New(info.Env(), e.what());
  }
  return Napi::External<Plan>::New(info.Env(), plan.release(), [](Napi::Env, Plan *p) { delete p; });
}

// planForward(plan, x, weights: (Float32Array|null)[], masks: (Float64Array|null)[] dropout states, ys: Float32Array[])
Napi::Value Forward(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  plan.x.set_data_handle(floats(info, 1));
  bind_weights(plan, info[2].As<Napi::Array>(), nullptr);
  Napi::Array masks = info[3].As<Napi::Array>();
  for (uint32_t i = 0; i < plan.ops.size(); i++) {
    Op &op = *plan.ops[i];
    if (op.kind != kPlanDropout) continue;
    const double *state = dropout_state(masks.Get(i), "plan: dropout mask " + std::to_string(i));
    fill_dropout_mask(state, op.mask.data(), static_cast<int64_t>(op.mask.size()));
  }
  bind_each(plan.y, info[4], "output array");
  return guarded(info, [&] { forward(plan); });
}

// planBackward(plan, x, dys: Float32Array[], weights, grads: (Float32Array|null)[])
Napi::Value Backward(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  plan.x.set_data_handle(floats(info, 1));
  bind_each(plan.dy, info[2], "output gradient");
  Napi::Array grads = info[4].As<Napi::Array>();
  bind_weights(plan, info[3].As<Napi::Array>(), &grads);
  return guarded(info, [&] { backward(plan); });
}

// planDescribe(plan) -> the oneDNN implementation of each op's forward primitive.
Napi::Value Describe(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  Napi::Array a = Napi::Array::New(info.Env(), plan.ops.size());
  for (uint32_t i = 0; i < plan.ops.size(); i++) a.Set(i, plan.ops[i]->impl);
  return a;
}

// planTimes(plan) -> [forward ms, backward ms] of each op in the last step.
Napi::Value Times(const Napi::CallbackInfo &info) {
  Plan &plan = plan_of(info);
  Napi::Array a = Napi::Array::New(info.Env(), plan.ops.size());
  for (uint32_t i = 0; i < plan.ops.size(); i++) {
    Napi::Array t = Napi::Array::New(info.Env(), 2);
    t.Set(0u, plan.ops[i]->fwd_ms);
    t.Set(1u, plan.ops[i]->bwd_ms);
    a.Set(i, t);
  }
  return a;
}

// dropoutMask(state: Float64Array [s0, s1, s2, c, rate], mask: Float32Array)
Napi::Value DropoutMask(const Napi::CallbackInfo &info) {
  const double *state = dropout_state(info[0], "dropoutMask");
  if (!info[1].IsTypedArray() || info[1].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), "dropoutMask: argument 1 must be a Float32Array");
  Napi::Float32Array mask = info[1].As<Napi::Float32Array>();
  fill_dropout_mask(state, mask.Data(), static_cast<int64_t>(mask.ElementLength()));
  return info.Env().Undefined();
}

}  // namespace
}  // namespace plan

void InitPlan(Napi::Env env, Napi::Object exports) {
  set_functions(env, exports,
                {{"dropoutMask", plan::DropoutMask},
                 {"planCreate", plan::Create},
                 {"planForward", plan::Forward},
                 {"planBackward", plan::Backward},
                 {"planDescribe", plan::Describe},
                 {"planTimes", plan::Times}});
}

}  // namespace vl
