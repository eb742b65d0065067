#include <cblas.h>
#include <omp.h>

#include <cstdlib>
#include <new>

#include "common.h"

namespace vl {

dnnl::engine &engine() {
  static dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  return eng;
}

dnnl::stream &stream() {
  static dnnl::stream s(engine());
  return s;
}

namespace {

struct Buffer {
  void *data = nullptr;
  size_t size = 0;
  ~Buffer() { std::free(data); }
};

constexpr int kScratchRoles = 3;

Buffer *scratch_buffers() {
  static Buffer buffers[kScratchRoles];
  return buffers;
}

}  // namespace

void *scratch(int role, size_t bytes) {
  Buffer &b = scratch_buffers()[role];
  if (bytes > b.size) {
    std::free(b.data);
    b.data = nullptr;
    b.size = 0;
    const size_t size = (bytes + 63) / 64 * 64;
    b.data = std::aligned_alloc(64, size);
    if (!b.data) throw std::bad_alloc();
    b.size = size;
  }
  return b.data;
}

size_t scratch_bytes() {
  size_t total = 0;
  for (int role = 0; role < kScratchRoles; role++) total += scratch_buffers()[role].size;
  return total;
}

static const char *isa_name(dnnl_cpu_isa_t isa) {
  switch (isa) {
    case dnnl_cpu_isa_sse41: return "sse41";
    case dnnl_cpu_isa_avx: return "avx";
    case dnnl_cpu_isa_avx2: return "avx2";
    case dnnl_cpu_isa_avx2_vnni: return "avx2_vnni";
    case dnnl_cpu_isa_avx512_mic: return "avx512_mic";
    case dnnl_cpu_isa_avx512_mic_4ops: return "avx512_mic_4ops";
    case dnnl_cpu_isa_avx512_core: return "avx512_core";
    case dnnl_cpu_isa_avx512_core_vnni: return "avx512_core_vnni";
    case dnnl_cpu_isa_avx512_core_bf16: return "avx512_core_bf16";
    case dnnl_cpu_isa_avx512_core_amx: return "avx512_core_amx";
    default: return "all";
  }
}

static Napi::Value Info(const Napi::CallbackInfo &info) {
  Napi::Env env = info.Env();
  const dnnl_version_t *v = dnnl_version();
  Napi::Object o = Napi::Object::New(env);
  o.Set("onednn", std::to_string(v->major) + "." + std::to_string(v->minor) + "." + std::to_string(v->patch));
  o.Set("onednnRuntime", v->cpu_runtime == DNNL_RUNTIME_OMP ? "OpenMP"
                         : v->cpu_runtime == DNNL_RUNTIME_TBB ? "TBB"
                         : v->cpu_runtime == DNNL_RUNTIME_SEQ ? "sequential"
                                                              : "other");
  o.Set("isa", isa_name(dnnl_get_effective_cpu_isa()));
  o.Set("openblas", std::string(openblas_get_config()));
  o.Set("threads", omp_get_max_threads());
  o.Set("openblasThreads", openblas_get_num_threads());
  return o;
}

static Napi::Value SetThreads(const Napi::CallbackInfo &info) {
  int n = info[0].As<Napi::Number>().Int32Value();
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
  flush_denormals_on_workers();
  return info.Env().Undefined();
}

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("setThreads", Napi::Function::New(env, SetThreads));
  flush_denormals_on_workers();
  InitConv(env, exports);
  InitPool(env, exports);
  InitGemm(env, exports);
  InitEltwise(env, exports);
  InitReduce(env, exports);
  InitCompare(env, exports);
  InitTranspose(env, exports);
  InitSlice(env, exports);
  InitTile(env, exports);
  InitConcat(env, exports);
  InitSoftmax(env, exports);
  InitAdam(env, exports);
  InitActivationGrad(env, exports);
  InitNorm(env, exports);
  InitPlan(env, exports);
  return exports;
}

}  // namespace vl

static Napi::Object InitModule(Napi::Env env, Napi::Object exports) { return vl::Init(env, exports); }

NODE_API_MODULE(visionlab_native, InitModule)
