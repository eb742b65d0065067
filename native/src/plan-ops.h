// The ops of a planned training step (plan.h) and the helpers they share. Each op keeps its output and
// the gradient with respect to that output in the layout its primitive prefers; a consumer hands the
// gradient for each of its inputs to that input's producer through a GradSink, which writes it (the first
// consumer in backward order) or adds it (the others) in the producer's layout.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "max-pool.h"
#include "plan.h"

namespace vl {
namespace plan {

using dnnl::memory;
using tag = memory::format_tag;
using dt = memory::data_type;

inline memory::desc plain(const memory::dims &d, dt type = dt::f32) {
  return memory::desc(d, type, d.size() == 4 ? tag::nhwc : tag::nc);
}

inline int64_t volume(const memory::dims &d) {
  int64_t v = 1;
  for (auto x : d) v *= x;
  return v;
}

inline memory unbound(const memory::desc &md) { return memory(md, engine(), nullptr); }

dnnl::reorder reorder_between(const memory::desc &from, const memory::desc &to, bool adding = false);
void run(dnnl::reorder &r, memory src, memory dst);
void check(bool ok, const std::string &what);

// An input in the layout a primitive reads: the memory itself, or a copy reordered into a buffer of the plan.
struct Convert {
  memory buf;
  dnnl::reorder prim;
  bool ready = false, same = true;
  memory operator()(const memory &m, const memory::desc &want);
};

// An output the primitive writes in its own layout, then reordered into the destination when that differs.
struct Deliver {
  memory buf;
  dnnl::reorder prim;
  bool ready = false, same = true;
  memory target(const memory::desc &have, const memory &dst);
  void finish(const memory &dst);
};

struct Op;

// Where an op puts the gradient for one of its inputs: the producer's output gradient, written by the
// first consumer that reaches it in backward order and added to by the others.
struct GradSink {
  Op *producer = nullptr;  // null: this input needs no gradient
  bool first = true;
  memory buf;
  dnnl::reorder prim;
  bool ready = false, same = true;
  explicit operator bool() const { return producer != nullptr; }
  // The memory a primitive writing the gradient in layout `have` writes to; finish() then delivers it.
  memory target(const memory::desc &have);
  void finish();
  // Delivers a gradient that is already computed in `g`.
  void put(const memory &g);
};

struct Op {
  int kind = 0;
  bool wgrad = false, igrad = false, bias = false, relu = false;
  // Producers of the inputs (-1: the plan's input) and, per input, where its gradient goes.
  std::vector<int> inputs;
  std::vector<memory::desc> in_mds;
  std::vector<GradSink> sinks;
  memory::dims out_dims;
  memory::desc in_md, out_md;
  memory out, dout;
  // Whether some consumer (or the loss) gives this op an output gradient, and it computes anything with it.
  bool backward = false;

  dnnl::primitive fwd, bwd_data, bwd_weights, act_bwd;
  memory::desc fwd_src_md, fwd_w_md, bd_ddst_md, bd_w_md, bd_dsrc_md, bw_src_md, bw_ddst_md, bw_dw_md;
  Convert c_src, c_w, c_bd_ddst, c_bd_w, c_bw_src, c_bw_ddst;
  Deliver d_dw;
  memory src_used, w_used;
  bool few_channels = false;
  // Caller's arrays: weights, bias (BatchNormalization: gamma, beta, moving mean and variance) and gradients.
  memory w_user, b_user, dw_user, db_user, mean_user, var_user;
  memory src_t, w_t;
  bool uses_dst = true;
  memory workspace;
  // Max pooling by max-pool.h instead of oneDNN: its shape and the positions of the maxima; with
  // `relu_of_in` it also does the backward of the ReLU fused into the convolution below, whose only
  // consumer it is (which then skips its own: `relu_in_next`).
  bool own_pool = false, relu_of_in = false, relu_in_next = false;
  MaxPoolShape pool;
  std::vector<int32_t> argmax;
  std::vector<float> mask;
  // Views of the output and its gradient in another shape (Flatten, GlobalAveragePooling2D: 4-D).
  memory out4, dout4;
  dnnl::reorder flat_fwd, flat_bwd;
  // Several inputs: their layout conversions; Concatenate: channel offset of each input; pad: t, b, l, r.
  std::vector<Convert> c_ins;
  std::vector<int64_t> offsets;
  // BatchNormalization: with moving statistics (a frozen layer in inference mode), else batch statistics.
  bool global_stats = false;
  memory mean, var, dscale, dshift;
  std::string impl;
  double fwd_ms = 0, bwd_ms = 0;
  double work = 0;
};

struct Plan {
  int64_t N = 0;
  bool bf16 = false;
  memory x;
  std::vector<std::unique_ptr<Op>> ops;
  std::vector<int> outputs;
  std::vector<memory> y, dy;
  std::vector<dnnl::reorder> y_out, dy_in;
  const memory &input(const Op &op, size_t j) const {
    return op.inputs[j] < 0 ? x : ops[op.inputs[j]]->out;
  }
};

// Per kind: build (sets out_dims and out_md, and the primitives), forward, backward.
void build_conv(Op &op, const int64_t *r, const Plan &plan);
void build_pool(Op &op, const int64_t *r, const Plan &plan);
void build_dense(Op &op, const int64_t *r, const Plan &plan);
void build_eltwise(Op &op, const int64_t *r, const float *f);
void build_softmax(Op &op);
void build_dropout(Op &op);
void build_flatten(Op &op, const Plan &plan);
void build_add(Op &op);
void build_concat(Op &op);
void build_batch_norm(Op &op, const int64_t *r, const float *f);
void build_global_avg_pool(Op &op, const Plan &plan);
void build_pad(Op &op, const int64_t *r);

void forward_weighted(Op &op, const memory &in);
void forward_pool(Op &op, const memory &in);
void forward_dropout(Op &op, const memory &in);
void forward_add(Op &op, const Plan &plan);
void forward_concat(Op &op, const Plan &plan);
void forward_batch_norm(Op &op, const memory &in);
void forward_pad(Op &op, const memory &in);
void forward_global_avg_pool(Op &op, const memory &in);

void backward_conv(Op &op);
void backward_pool(Op &op);
void backward_dense(Op &op);
void backward_eltwise(Op &op, const memory &in);
void backward_softmax(Op &op);
void backward_dropout(Op &op);
void backward_flatten(Op &op);
void backward_add(Op &op);
void backward_concat(Op &op);
void backward_batch_norm(Op &op, const memory &in);
void backward_pad(Op &op);
void backward_global_avg_pool(Op &op);

void fill_dropout_mask(const double *state, float *mask, int64_t n);
const double *dropout_state(const Napi::Value &v, const std::string &what);

}  // namespace plan
}  // namespace vl
