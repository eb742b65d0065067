{
  "targets": [
    {
      "target_name": "visionlab_native",
      "sources": [
        "src/addon.cc",
        "src/conv.cc",
        "src/pool.cc",
        "src/max-pool.cc",
        "src/gemm.cc",
        "src/eltwise.cc",
        "src/reduce.cc",
        "src/compare.cc",
        "src/transpose.cc",
        "src/slice.cc",
        "src/tile.cc",
        "src/concat.cc",
        "src/softmax.cc",
        "src/adam.cc",
        "src/activation-grad.cc",
        "src/norm.cc",
        "src/plan.cc",
        "src/plan-layers.cc",
        "src/plan-dropout.cc",
        "src/plan-shape.cc",
        "src/plan-merge.cc",
        "src/plan-bn.cc",
        "src/tune.cc"
      ],
      "include_dirs": [
        "<!(node -p \"require('node-addon-api').include_dir\")",
        "/usr/include/x86_64-linux-gnu"
      ],
      "defines": ["NAPI_VERSION=8", "NAPI_CPP_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions"],
      "cflags_cc!": ["-fno-exceptions"],
      "cflags_cc": ["-std=c++17", "-O3", "-fexceptions", "-fopenmp", "-march=native", "-ffp-contract=off", "-fno-math-errno"],
      "ldflags": ["-fopenmp"],
      "libraries": ["-ldnnl", "-lopenblas"]
    }
  ]
}
