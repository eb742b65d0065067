// Ops of the planned step that join branches: Add and Concatenate on channels (see plan-ops.h).
#include "plan-ops.h"

namespace vl {
namespace plan {

// The sum of the inputs, in the first input's layout.
void build_add(Op &op) {
  check(op.in_mds.size() >= 2, "Add needs two inputs or more");
  for (const auto &md : op.in_mds) check(md.dims() == op.in_md.dims(), "Add's inputs differ in shape");
  op.out_dims = op.in_md.dims();
  op.out_md = op.in_md;
  dnnl::binary::primitive_desc pd(dnnl::binary::desc(dnnl::algorithm::binary_add, op.out_md, op.out_md, op.out_md),
                                  engine());
  op.fwd = dnnl::binary(pd);
  op.impl = std::string(pd.impl_info_str());
  op.c_ins.resize(op.in_mds.size());
}

void forward_add(Op &op, const Plan &plan) {
  memory a = plan.input(op, 0);
  for (size_t j = 1; j < op.inputs.size(); j++) {
    memory b = op.c_ins[j](plan.input(op, j), op.out_md);
    op.fwd.execute(stream(), {{DNNL_ARG_SRC_0, a}, {DNNL_ARG_SRC_1, b}, {DNNL_ARG_DST, op.out}});
    a = op.out;
  }
}

void backward_add(Op &op) {
  for (auto &sink : op.sinks)
    if (sink) sink.put(op.dout);
}

namespace {
memory::desc part_md(const Op &op, size_t j) {
  memory::dims offsets(op.out_dims.size(), 0);
  offsets[1] = op.offsets[j];
  return op.out_md.submemory_desc(op.in_mds[j].dims(), offsets);
}

memory part(const Op &op, const memory &whole, size_t j) {
  return memory(part_md(op, j), engine(), whole.get_data_handle());
}
}  // namespace

// Inputs side by side on channels, in a plain output so that each input's part is a plain view.
void build_concat(Op &op) {
  memory::dims d = op.in_md.dims();
  int64_t channels = 0;
  for (const auto &md : op.in_mds) {
    memory::dims e = md.dims();
    check(e.size() == d.size() && e[0] == d[0] && (e.size() == 2 || (e[2] == d[2] && e[3] == d[3])),
          "Concatenate's inputs differ in shape");
    op.offsets.push_back(channels);
    channels += e[1];
  }
  d[1] = channels;
  op.out_dims = d;
  op.out_md = plain(d);
  op.impl = "concat:reorder";
  op.c_ins.resize(op.in_mds.size());
  for (size_t j = 0; j < op.in_mds.size(); j++) op.c_ins[j].prim = reorder_between(op.in_mds[j], part_md(op, j));
}

void forward_concat(Op &op, const Plan &plan) {
  for (size_t j = 0; j < op.inputs.size(); j++) run(op.c_ins[j].prim, plan.input(op, j), part(op, op.out, j));
}

void backward_concat(Op &op) {
  for (size_t j = 0; j < op.sinks.size(); j++)
    if (op.sinks[j]) op.sinks[j].put(part(op, op.dout, j));
}

}  // namespace plan
}  // namespace vl
