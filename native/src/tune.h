// Picks the fastest of several formulations of a primitive by running each on scratch memory, because
// oneDNN's choice for one can be several times slower than another: on AMX, the bf16 weight gradient of
// AlexNet's 3-channel 13×13 convolution takes 290 ms where the float32 one takes 70 ms.
// Planned and eager convolutions' bf16 backward passes are formulated in bf16 and in float32.
// VISIONLAB_TUNE: "0" takes the first formulation, "all" times every problem, "fp32-backward" takes the last
// (bf16 backward passes in float32), otherwise problems of at least kTuneMinFlops are timed.
// Choices are kept per problem for the process.
#pragma once
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "common.h"

namespace vl {

constexpr double kTuneMinFlops = 1e8;

enum class Tune { off, large, all, last };

inline Tune tune_mode() {
  const char *v = std::getenv("VISIONLAB_TUNE");
  if (v && std::strcmp(v, "0") == 0) return Tune::off;
  if (v && std::strcmp(v, "all") == 0) return Tune::all;
  if (v && std::strcmp(v, "fp32-backward") == 0) return Tune::last;
  return Tune::large;
}

inline bool tune_verbose() {
  const char *v = std::getenv("VISIONLAB_TUNE_VERBOSE");
  return v && *v && std::strcmp(v, "0") != 0;
}

using ArgDescs = std::vector<std::pair<int, memory::desc>>;

// Wall milliseconds of one execution of prim with fresh memory for each argument, filled with bytes 0x3c
// (about 0.0116 as float32 and as bf16: normal numbers, no denormals).
double time_execution(const dnnl::primitive &prim, const ArgDescs &descs);

std::unordered_map<std::string, size_t> &tune_choices();

inline bool tuned_size(double flops) {
  Tune mode = tune_mode();
  return mode == Tune::all || mode == Tune::last || (mode == Tune::large && flops >= kTuneMinFlops);
}

// The formulations of one backward pass, each an op descriptor with a forward hint.
template <typename Prim>
struct Candidates {
  // A oneDNN 2.6 descriptor iterator points into its op descriptor and its forward hint, and next_impl()
  // reads them: both are kept here, in deques (which never move their elements), as long as the candidates.
  std::deque<typename Prim::desc> descs;
  std::deque<dnnl::convolution_forward::primitive_desc> hints;
  std::vector<typename Prim::primitive_desc> pds;

  // A formulation for one op descriptor and forward hint; skipped when oneDNN has no implementation for it,
  // unless it is the first.
  void add(const typename Prim::desc &desc, const dnnl::convolution_forward::primitive_desc &hint) {
    descs.push_back(desc);
    hints.push_back(hint);
    try {
      pds.emplace_back(descs.back(), engine(), hints.back());
    } catch (const dnnl::error &) {
      if (pds.empty()) throw;
    }
  }
};

// The primitive for the fastest of several formulations of one problem (e.g. in bf16 and in float32), each
// at the first implementation `allowed` accepts; `chosen` receives its primitive descriptor. oneDNN's
// iterator offers only implementations sharing the layouts of the forward hint, so a formulation is a
// data type and a hint, not an implementation. Problems below the tuned size take the first formulation.
template <typename Prim>
Prim fastest(Candidates<Prim> &formulations, const std::string &key, double flops,
             const std::function<ArgDescs(const typename Prim::primitive_desc &)> &args_of,
             typename Prim::primitive_desc &chosen, const std::function<bool(const char *)> &allowed) {
  auto &candidates = formulations.pds;
  for (auto &pd : candidates) {
    while (!allowed(pd.impl_info_str()) && pd.next_impl()) {
    }
  }
  if (tune_mode() == Tune::last) {
    chosen = candidates.back();
    return Prim(chosen);
  }
  auto &choices = tune_choices();
  std::string full_key = key + ",threads " + std::to_string(omp_get_max_threads());
  auto hit = choices.find(full_key);
  if (candidates.size() == 1 || !tuned_size(flops) || (hit != choices.end() && hit->second < candidates.size())) {
    size_t i = candidates.size() > 1 && hit != choices.end() ? hit->second : 0;
    chosen = candidates[i];
    return Prim(chosen);
  }
  double best = 0;
  Prim best_prim;
  for (size_t i = 0; i < candidates.size(); i++) {
    Prim prim(candidates[i]);
    ArgDescs descs = args_of(candidates[i]);
    double ms = time_execution(prim, descs);
    if (i == 0 || ms < 1.5 * best) ms = std::min(ms, time_execution(prim, descs));
    if (tune_verbose())
      std::fprintf(stderr, "tune %s: [%zu] %s %.3f ms\n", key.c_str(), i, candidates[i].impl_info_str(), ms);
    if (i == 0 || ms < best) {
      best = ms;
      best_prim = prim;
      chosen = candidates[i];
      choices[full_key] = i;
    }
  }
  return best_prim;
}

}  // namespace vl
