// Ops of the planned step that move values without arithmetic on them (Flatten, ZeroPadding2D) or reduce
// them over the whole image (GlobalAveragePooling2D); see plan-ops.h.
#include "plan-ops.h"

namespace vl {
namespace plan {

void build_flatten(Op &op, const Plan &plan) {
  const memory::dims &in = op.in_md.dims();
  memory::desc in_plain = plain(in);
  op.out_dims = {plan.N, volume(in) / plan.N};
  op.out_md = plain(op.out_dims);
  op.out4 = memory(in_plain, engine());
  op.dout4 = memory(in_plain, engine());
  op.flat_fwd = reorder_between(op.in_md, in_plain);
  op.impl = "flatten:" + std::string(op.in_md == in_plain ? "copy" : "reorder");
}

void backward_flatten(Op &op) { op.sinks[0].put(op.dout4); }

// Average pooling over the whole image, written as a plain [N, C] output (a view of an N×C×1×1 one).
void build_global_avg_pool(Op &op, const Plan &plan) {
  const memory::dims &in = op.in_md.dims();
  check(in.size() == 4, "GlobalAveragePooling2D needs a 4-D input");
  const int64_t C = in[1];
  memory::desc dst4 = plain({plan.N, C, 1, 1});
  auto alg = dnnl::algorithm::pooling_avg_exclude_padding;
  memory::dims strides{1, 1}, kernel{in[2], in[3]}, pad{0, 0};
  dnnl::pooling_forward::primitive_desc fpd(
      dnnl::pooling_forward::desc(dnnl::prop_kind::forward_training, alg, op.in_md, dst4, strides, kernel, pad, pad),
      engine());
  op.fwd = dnnl::pooling_forward(fpd);
  op.impl = std::string(fpd.impl_info_str());
  op.out_dims = {plan.N, C};
  op.out_md = plain(op.out_dims);
  op.out4 = memory(dst4, engine());
  op.dout4 = memory(dst4, engine());
  if (op.igrad) {
    dnnl::pooling_backward::primitive_desc pd(
        dnnl::pooling_backward::desc(alg, op.in_md, dst4, strides, kernel, pad, pad), engine(), fpd);
    op.bwd_data = dnnl::pooling_backward(pd);
    op.bd_dsrc_md = pd.diff_src_desc();
  }
}

void forward_global_avg_pool(Op &op, const memory &in) {
  op.fwd.execute(stream(), {{DNNL_ARG_SRC, in}, {DNNL_ARG_DST, op.out4}});
}

void backward_global_avg_pool(Op &op) {
  memory dsrc = op.sinks[0].target(op.bd_dsrc_md);
  op.bwd_data.execute(stream(), {{DNNL_ARG_DIFF_DST, op.dout4}, {DNNL_ARG_DIFF_SRC, dsrc}});
  op.sinks[0].finish();
}

// ZeroPadding2D on its own (one that no convolution absorbs): the input is copied into the middle of a
// zeroed plain output, and the gradient is the middle of the output's gradient.
void build_pad(Op &op, const int64_t *r) {
  const memory::dims &in = op.in_md.dims();
  check(in.size() == 4, "ZeroPadding2D needs a 4-D input");
  const int64_t t = r[1], b = r[2], l = r[3], rt = r[4];
  op.out_dims = {in[0], in[1], in[2] + t + b, in[3] + l + rt};
  op.out_md = plain(op.out_dims);
  op.offsets = {0, 0, t, l};
  memory::desc middle = op.out_md.submemory_desc(in, op.offsets);
  op.flat_fwd = reorder_between(op.in_md, middle);
  op.impl = "pad:reorder";
}

void forward_pad(Op &op, const memory &in) {
  memory middle(op.out_md.submemory_desc(op.in_md.dims(), op.offsets), engine(), op.out.get_data_handle());
  run(op.flat_fwd, in, middle);
}

void backward_pad(Op &op) {
  op.sinks[0].put(memory(op.out_md.submemory_desc(op.in_md.dims(), op.offsets), engine(), op.dout.get_data_handle()));
}

}  // namespace plan
}  // namespace vl
