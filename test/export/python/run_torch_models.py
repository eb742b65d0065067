"""Runs PyTorch modules written by `visionlab export --format pytorch` on given inputs.

Usage: python3 run_torch_models.py jobs.json, where jobs.json lists
{"module": "model.py", "input": "x.f32", "shape": [n, h, w, c], "output": "y.f32"}:
each input is a little-endian float32 NHWC batch; the output is written the same way.
"""
import importlib.util
import json
import sys

import torch


def run(job):
    spec = importlib.util.spec_from_file_location("exported_%d" % abs(hash(job["module"])), job["module"])
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model()
    with open(job["input"], "rb") as f:
        x = torch.frombuffer(bytearray(f.read()), dtype=torch.float32).reshape(job["shape"])
    with torch.no_grad():
        y = model(x.permute(0, 3, 1, 2).contiguous())
    with open(job["output"], "wb") as f:
        f.write(y.contiguous().numpy().astype("<f4").tobytes())


if __name__ == "__main__":
    torch.set_num_threads(1)
    with open(sys.argv[1]) as f:
        for job in json.load(f):
            run(job)
