"""PyTorch reference for the small CNN on Fashion-MNIST (bench/small-cnn-fashion.bench.ts).

The same network as visionlab's small_cnn with ten classes (Rescaling 1/255, conv32 3x3 same + ReLU,
max-pool 2, conv64 3x3 same + ReLU, max-pool 2, flatten, dropout 0.5, dense 64 + ReLU, dense 10,
softmax cross-entropy), Adam 1e-3 with Keras' epsilon, batch 64, one shuffled epoch over the given
training images, already decoded into memory. Prints one JSON line.

usage: python3 small_cnn_fashion.py IMAGES_GZ LABELS_GZ INDEX_FILE THREADS WARMUP_STEPS
INDEX_FILE holds the training example indices as little-endian int32 (the split visionlab trains on).
"""
import gzip
import json
import resource
import sys
import time

import numpy as np
import torch
from torch import nn


def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1),
        nn.ReLU(),
        nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Dropout(0.5),
        nn.Linear(64 * 7 * 7, 64),
        nn.ReLU(),
        nn.Linear(64, 10),
    )


def main():
    images_gz, labels_gz, index_file, threads, warmup = sys.argv[1:6]
    torch.set_num_threads(int(threads))
    torch.manual_seed(0)
    indices = np.fromfile(index_file, dtype="<i4")
    images = read_idx(images_gz)[indices]
    labels = read_idx(labels_gz)[indices].astype(np.int64)
    x_all = torch.from_numpy(images.astype(np.float32)).unsqueeze(1)
    y_all = torch.from_numpy(labels)
    net = model()
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, eps=1e-7)
    loss_fn = nn.CrossEntropyLoss()
    batch = 64

    def step(xb, yb):
        optimizer.zero_grad(set_to_none=True)
        loss = loss_fn(net(xb * (1.0 / 255)), yb)
        loss.backward()
        optimizer.step()
        return loss

    net.train()
    for i in range(int(warmup)):
        step(x_all[i * batch : (i + 1) * batch], y_all[i * batch : (i + 1) * batch])
    n = x_all.shape[0]
    order = torch.randperm(n)
    step_ms = []
    total = 0.0
    cpu0 = time.process_time()
    start = time.perf_counter()
    for b in range(0, n, batch):
        t0 = time.perf_counter()
        idx = order[b : b + batch]
        loss = step(x_all[idx], y_all[idx])
        total += float(loss) * len(idx)
        step_ms.append((time.perf_counter() - t0) * 1000)
    seconds = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    step_ms.sort()
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "threads": torch.get_num_threads(),
                "images": int(n),
                "steps": len(step_ms),
                "epochSeconds": seconds,
                "msPerStep": step_ms[len(step_ms) // 2],
                "cpuSecondsPerEpoch": cpu,
                "loss": total / n,
                "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
