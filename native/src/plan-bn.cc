// BatchNormalization in the planned step (see plan-ops.h), as TF.js' layer computes it in training: the
// batch's mean and biased variance per channel, which the caller also uses to update the moving
// statistics; or, for a frozen layer kept in inference mode, the moving statistics themselves.
#include <cstring>
#include <unordered_map>

#include "plan-ops.h"

namespace vl {
namespace plan {

namespace {
dnnl::normalization_flags flags_of(const Op &op) {
  auto f = dnnl::normalization_flags::use_scale | dnnl::normalization_flags::use_shift;
  return op.global_stats ? f | dnnl::normalization_flags::use_global_stats : f;
}

void copy_floats(const memory &from, const memory &to) {
  std::memcpy(to.get_data_handle(), from.get_data_handle(), from.get_desc().get_size());
}
}  // namespace

// r: [kind, channels, moving statistics (1) or batch statistics (0)]; f[0]: epsilon.
void build_batch_norm(Op &op, const int64_t *r, const float *f) {
  const memory::dims &in = op.in_md.dims();
  check(in.size() == 4 || in.size() == 2, "BatchNormalization needs a 2-D or 4-D input");
  check(in[1] == r[1], "BatchNormalization input has " + std::to_string(in[1]) + " channels");
  op.global_stats = r[2] != 0;
  const float epsilon = f[0];
  dnnl::batch_normalization_forward::primitive_desc fpd(
      dnnl::batch_normalization_forward::desc(dnnl::prop_kind::forward_training, op.in_md, epsilon, flags_of(op)),
      engine());
  op.fwd = dnnl::batch_normalization_forward(fpd);
  op.impl = std::string(fpd.impl_info_str());
  op.out_dims = in;
  op.out_md = fpd.dst_desc();
  memory::desc c_md({in[1]}, dt::f32, tag::x);
  op.mean = memory(c_md, engine());
  op.var = memory(c_md, engine());
  op.w_user = unbound(c_md);
  op.b_user = unbound(c_md);
  op.mean_user = unbound(c_md);
  op.var_user = unbound(c_md);
  if (op.wgrad || op.igrad) {
    // oneDNN 2.6 has backward_data only without scale and shift, so a frozen layer that passes a gradient on
    // runs the full backward and writes gamma's and beta's gradients into buffers of the op.
    dnnl::batch_normalization_backward::primitive_desc pd(
        dnnl::batch_normalization_backward::desc(dnnl::prop_kind::backward, op.out_md, op.in_md, epsilon,
                                                 flags_of(op)),
        engine(), fpd);
    op.bwd_data = dnnl::batch_normalization_backward(pd);
    op.bd_dsrc_md = pd.diff_src_desc();
    op.dw_user = op.wgrad ? unbound(c_md) : memory(c_md, engine());
    op.db_user = op.wgrad ? unbound(c_md) : memory(c_md, engine());
    // Without a consumer for the input's gradient, oneDNN still writes it: into a buffer of the op.
    if (!op.igrad) op.workspace = memory(op.bd_dsrc_md, engine());
  }
}

void forward_batch_norm(Op &op, const memory &in) {
  if (op.global_stats) {
    copy_floats(op.mean_user, op.mean);
    copy_floats(op.var_user, op.var);
  }
  op.fwd.execute(stream(), {{DNNL_ARG_SRC, in},
                            {DNNL_ARG_DST, op.out},
                            {DNNL_ARG_SCALE, op.w_user},
                            {DNNL_ARG_SHIFT, op.b_user},
                            {DNNL_ARG_MEAN, op.mean},
                            {DNNL_ARG_VARIANCE, op.var}});
  if (!op.global_stats) {
    stream().wait();
    copy_floats(op.mean, op.mean_user);
    copy_floats(op.var, op.var_user);
  }
}

void backward_batch_norm(Op &op, const memory &in) {
  memory dsrc = op.sinks[0] ? op.sinks[0].target(op.bd_dsrc_md) : op.workspace;
  std::unordered_map<int, memory> args{{DNNL_ARG_SRC, in},           {DNNL_ARG_MEAN, op.mean},
                                       {DNNL_ARG_VARIANCE, op.var},  {DNNL_ARG_DIFF_DST, op.dout},
                                       {DNNL_ARG_SCALE, op.w_user},  {DNNL_ARG_DIFF_SRC, dsrc},
                                       // oneDNN 2.6 asks for the shift although the gradient does not read it.
                                       {DNNL_ARG_SHIFT, op.b_user},  {DNNL_ARG_DIFF_SCALE, op.dw_user},
                                       {DNNL_ARG_DIFF_SHIFT, op.db_user}};
  op.bwd_data.execute(stream(), args);
  if (op.sinks[0]) op.sinks[0].finish();
}

}  // namespace plan
}  // namespace vl
