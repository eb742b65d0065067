// Shared helpers of the addon: one oneDNN engine and stream, typed-array access, errors.
#pragma once
#include <napi.h>
#include <omp.h>
#include <xmmintrin.h>

#include <cstdint>
#include <initializer_list>
#include <memory>
#include <oneapi/dnnl/dnnl.hpp>
#include <string>
#include <unordered_map>
#include <vector>

namespace vl {

using dnnl::memory;
using dt = memory::data_type;
using tag = memory::format_tag;

// Loops over fewer elements than this run on one thread.
constexpr int64_t kParallelMin = 1 << 15;

dnnl::engine &engine();
dnnl::stream &stream();

// Scratch arrays shared by every call, one per argument position (0 and 1 the inputs, 2 the output), grown
// as needed and kept: addon calls run one at a time, so an operand converted for a primitive is needed
// only while that call runs.
void *scratch(int role, size_t bytes);
// Bytes the scratch arrays hold.
size_t scratch_bytes();

// Pointer to the float data of a Float32Array argument (zero copy).
inline float *floats(const Napi::CallbackInfo &info, size_t i) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_float32_array)
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be a Float32Array");
  return info[i].As<Napi::Float32Array>().Data();
}

inline size_t length(const Napi::CallbackInfo &info, size_t i) {
  return info[i].As<Napi::TypedArray>().ElementLength();
}

inline int64_t integer(const Napi::CallbackInfo &info, size_t i) { return info[i].As<Napi::Number>().Int64Value(); }

// Integer parameters passed as an Int32Array.
inline std::vector<int64_t> ints(const Napi::CallbackInfo &info, size_t i) {
  if (!info[i].IsTypedArray() || info[i].As<Napi::TypedArray>().TypedArrayType() != napi_int32_array)
    throw Napi::TypeError::New(info.Env(), "argument " + std::to_string(i) + " must be an Int32Array");
  auto a = info[i].As<Napi::Int32Array>();
  return std::vector<int64_t>(a.Data(), a.Data() + a.ElementLength());
}

// Runs small problems on one thread: a parallel region costs more than it saves below ~1 MFLOP, and
// far more when the cores are shared with other processes.
class ThreadLimit {
 public:
  explicit ThreadLimit(double work) : saved_(omp_get_max_threads()) {
    if (work < 2e6 && saved_ > 1) omp_set_num_threads(1);
  }
  ~ThreadLimit() { omp_set_num_threads(saved_); }
  ThreadLimit(const ThreadLimit &) = delete;
  ThreadLimit &operator=(const ThreadLimit &) = delete;

 private:
  int saved_;
};

inline std::string key_of(const char *op, const std::vector<int64_t> &p) {
  std::string k(op);
  for (auto v : p) k += ',' + std::to_string(v);
  return k;
}

// Primitives built once per shape key and kept for the process: one map per primitive type.
template <typename T>
std::unordered_map<std::string, std::unique_ptr<T>> &cache() {
  static std::unordered_map<std::string, std::unique_ptr<T>> c;
  return c;
}

// The object kept under key, or null the first time (build it, then hand it to keep()).
template <typename T>
T *cached(const std::string &key) {
  auto &c = cache<T>();
  auto it = c.find(key);
  return it == c.end() ? nullptr : it->second.get();
}

template <typename T>
T &keep(const std::string &key, std::unique_ptr<T> value) {
  return *cache<T>().emplace(key, std::move(value)).first->second;
}

// The object kept under key; the first time, a fresh T filled by build(T &) and kept.
template <typename T, typename Build>
T &cached_or_build(const std::string &key, Build &&build) {
  if (auto *hit = cached<T>(key)) return *hit;
  auto value = std::make_unique<T>();
  build(*value);
  return keep(key, std::move(value));
}

// Denormal floats (below 1.2e-38) run about 100x slower through x86 multiply-adds, and a training
// step's gradients fill with them (DaViT's qkv weight gradient, 1 GFLOP, took 1 s instead of 14 ms).
// Kernels treat them as zero (flush-to-zero and denormals-are-zero), as TensorFlow does. The flags
// are per thread: the OpenMP workers keep them (flush_denormals_on_workers), the main thread has them
// only while a kernel runs, so JavaScript's own arithmetic stays IEEE.
constexpr unsigned kFlushDenormals = 0x8040;  // MXCSR FTZ | DAZ

class FlushDenormals {
 public:
  FlushDenormals() : saved_(_mm_getcsr()) { _mm_setcsr(saved_ | kFlushDenormals); }
  ~FlushDenormals() { _mm_setcsr(saved_); }
  FlushDenormals(const FlushDenormals &) = delete;
  FlushDenormals &operator=(const FlushDenormals &) = delete;

 private:
  unsigned saved_;
};

inline void flush_denormals_on_workers() {
#pragma omp parallel
  if (omp_get_thread_num() != 0) _mm_setcsr(_mm_getcsr() | kFlushDenormals);
}

// Sets each named function on the addon's exports, each running with denormals flushed.
inline void set_functions(Napi::Env env, Napi::Object exports,
                          std::initializer_list<std::pair<const char *, Napi::Function::Callback>> functions) {
  for (const auto &[name, fn] : functions)
    exports.Set(name, Napi::Function::New(
                          env,
                          [fn = fn](const Napi::CallbackInfo &info) {
                            FlushDenormals flush;
                            return fn(info);
                          },
                          name));
}

// An operation-code table for TypeScript: {name: code}, codes being the names' positions (their enum).
template <size_t N>
Napi::Object op_codes(Napi::Env env, const char *const (&names)[N]) {
  Napi::Object table = Napi::Object::New(env);
  for (size_t i = 0; i < N; i++) table.Set(names[i], static_cast<double>(i));
  return table;
}

// Runs fn, turning oneDNN errors into JavaScript exceptions.
template <typename F>
Napi::Value guarded(const Napi::CallbackInfo &info, F fn) {
  try {
    fn();
  } catch (const dnnl::error &e) {
    throw Napi::Error::New(info.Env(), std::string("oneDNN: ") + e.what());
  }
  return info.Env().Undefined();
}

void InitConv(Napi::Env env, Napi::Object exports);
void InitPool(Napi::Env env, Napi::Object exports);
void InitGemm(Napi::Env env, Napi::Object exports);
void InitEltwise(Napi::Env env, Napi::Object exports);
void InitReduce(Napi::Env env, Napi::Object exports);
void InitCompare(Napi::Env env, Napi::Object exports);
void InitTranspose(Napi::Env env, Napi::Object exports);
void InitSlice(Napi::Env env, Napi::Object exports);
void InitTile(Napi::Env env, Napi::Object exports);
void InitConcat(Napi::Env env, Napi::Object exports);
void InitSoftmax(Napi::Env env, Napi::Object exports);
void InitAdam(Napi::Env env, Napi::Object exports);
void InitActivationGrad(Napi::Env env, Napi::Object exports);
void InitNorm(Napi::Env env, Napi::Object exports);
void InitPlan(Napi::Env env, Napi::Object exports);

}  // namespace vl
