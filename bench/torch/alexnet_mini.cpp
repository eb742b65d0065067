// PyTorch (libtorch) reference for the reduced AlexNet: forward and training-step time per image,
// batch 16, Adam, binary cross-entropy, NHWC-equivalent sizes. Prints one JSON object.
// Usage: alexnet_mini [batch] [size] [reps] [threads]
#include <torch/torch.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <sys/resource.h>

struct AlexNetMiniImpl : torch::nn::Module {
  torch::nn::Conv2d c1{nullptr}, c2{nullptr}, c3{nullptr}, c4{nullptr}, c5{nullptr};
  torch::nn::Linear f1{nullptr}, f2{nullptr}, f3{nullptr};
  int64_t flat;
  explicit AlexNetMiniImpl(int64_t size) {
    using O = torch::nn::Conv2dOptions;
    c1 = register_module("c1", torch::nn::Conv2d(O(3, 96, 13).stride(3).padding(3)));
    c2 = register_module("c2", torch::nn::Conv2d(O(96, 256, 5).padding(2)));
    c3 = register_module("c3", torch::nn::Conv2d(O(256, 384, 3).padding(1)));
    c4 = register_module("c4", torch::nn::Conv2d(O(384, 384, 3).padding(1)));
    c5 = register_module("c5", torch::nn::Conv2d(O(384, 256, 3).padding(1)));
    int64_t s = (size + 6 - 13) / 3 + 1;
    s = (s - 3) / 2 + 1;
    s = (s - 3) / 2 + 1;
    s = s / 2;
    flat = 256 * s * s;
    f1 = register_module("f1", torch::nn::Linear(flat, 128));
    f2 = register_module("f2", torch::nn::Linear(128, 128));
    f3 = register_module("f3", torch::nn::Linear(128, 1));
  }
  torch::Tensor forward(torch::Tensor x) {
    x = torch::max_pool2d(torch::relu(c1(x)), 3, 2);
    x = torch::max_pool2d(torch::relu(c2(x)), 3, 2);
    x = torch::relu(c3(x));
    x = torch::relu(c4(x));
    x = torch::max_pool2d(torch::relu(c5(x)), 2, 2);
    x = x.flatten(1);
    x = torch::relu(f1(x));
    x = torch::relu(f2(x));
    return torch::sigmoid(f3(x));
  }
};
TORCH_MODULE(AlexNetMini);

static double now_ms() {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

static double cpu_ms() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e3 + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e3;
}

static double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

int main(int argc, char **argv) {
  int64_t batch = argc > 1 ? std::atoi(argv[1]) : 16;
  int64_t size = argc > 2 ? std::atoi(argv[2]) : 280;
  int reps = argc > 3 ? std::atoi(argv[3]) : 5;
  if (argc > 4) torch::set_num_threads(std::atoi(argv[4]));
  torch::manual_seed(0);
  AlexNetMini model(size);
  torch::optim::Adam opt(model->parameters(), torch::optim::AdamOptions(1e-4));
  auto x = torch::rand({batch, 3, size, size});
  auto y = (torch::rand({batch, 1}) > 0.5).to(torch::kFloat);
  std::vector<double> fwd, train, fwd_cpu, train_cpu;
  for (int i = 0; i < reps + 1; i++) {
    torch::NoGradGuard g;
    double t0 = now_ms(), c0 = cpu_ms();
    auto out = model->forward(x);
    out.sum().item<float>();
    if (i) fwd.push_back(now_ms() - t0), fwd_cpu.push_back(cpu_ms() - c0);
  }
  for (int i = 0; i < reps + 1; i++) {
    double t0 = now_ms(), c0 = cpu_ms();
    opt.zero_grad();
    auto loss = torch::binary_cross_entropy(model->forward(x), y);
    loss.backward();
    opt.step();
    loss.item<float>();
    if (i) train.push_back(now_ms() - t0), train_cpu.push_back(cpu_ms() - c0);
  }
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  std::printf(
      "{\"torch\":\"%s\",\"threads\":%d,\"batch\":%ld,\"size\":%ld,\"forwardMsPerImage\":%.3f,"
      "\"trainMsPerImage\":%.3f,\"forwardCpuMsPerImage\":%.3f,\"trainCpuMsPerImage\":%.3f,\"peakRssMiB\":%ld}\n",
      TORCH_VERSION, torch::get_num_threads(), (long)batch, (long)size, median(fwd) / batch, median(train) / batch,
      median(fwd_cpu) / batch, median(train_cpu) / batch, ru.ru_maxrss / 1024);
  return 0;
}
