"""PyTorch reference for DaViT-T with the user's head (bench/davit.ts).

The same network as visionlab's src/models/davit (channels-last activations): stem (pad 3, conv 7x7
stride 4, LayerNorm), four stages of dual-attention blocks (depths 2, 2, 6, 2; widths 96-768; heads
3-24) with downsampling (LayerNorm, conv 2x2 stride 2, 'same'), each block a depthwise 3x3
positional encoding, LayerNorm, window attention (even blocks, windows of ceil(size / 32) with
zero padding) or channel attention (odd blocks), a second positional encoding, LayerNorm and a GELU
MLP of ratio 4, with residual adds; then LayerNorm, global average pooling, dropout 0.3 and
Dense(1, sigmoid). Adam 1e-4, binary cross-entropy. Prints one JSON line.

usage: python3 davit_t.py SIZE BATCH WARMUP REPS THREADS PRECISION(fp32|bf16)
"""
import json
import math
import resource
import sys
import time

import torch
import torch.nn.functional as F
from torch import nn


def same_pad_2x2(x):
    """TF 'same' padding for a 2x2 stride-2 conv on NHWC: the odd row/column goes at the end."""
    h, w = x.shape[1], x.shape[2]
    return F.pad(x, (0, 0, 0, w % 2, 0, h % 2))


class LayerNorm(nn.LayerNorm):
    """In fp32 under bf16 autocast too (torch 1.13's CPU autocast leaves layer_norm's inputs as they come)."""

    def __init__(self, c):
        super().__init__(c, eps=1e-5)

    def forward(self, x):
        return super().forward(x.float())


class ConvNHWC(nn.Module):
    def __init__(self, cin, cout, k, stride, groups=1):
        super().__init__()
        self.conv = nn.Conv2d(cin, cout, k, stride, groups=groups)

    def forward(self, x):
        return self.conv(x.permute(0, 3, 1, 2)).permute(0, 2, 3, 1)


class PositionalEncoding(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.dw = ConvNHWC(c, c, 3, 1, groups=c)

    def forward(self, x):
        return x + self.dw(F.pad(x, (0, 0, 1, 1, 1, 1)))


def softmax_attention(q, k, v, scale):
    return torch.softmax((q @ k) * scale, dim=-1) @ v


class WindowAttention(nn.Module):
    def __init__(self, c, heads, window):
        super().__init__()
        self.heads, self.window = heads, window
        self.qkv = nn.Linear(c, 3 * c)
        self.out = nn.Linear(c, c)

    def forward(self, x):
        b, h, w, c = x.shape
        wh, ww = min(self.window, h), min(self.window, w)
        ph, pw = math.ceil(h / wh), math.ceil(w / ww)
        x = F.pad(x, (0, 0, 0, pw * ww - w, 0, ph * wh - h))
        x = x.reshape(b, ph, wh, pw, ww, c).permute(0, 1, 3, 2, 4, 5).reshape(-1, wh * ww, c)
        d = c // self.heads
        q, k, v = self.qkv(x).reshape(-1, wh * ww, 3, self.heads, d).permute(2, 0, 3, 1, 4)
        y = softmax_attention(q, k.transpose(-1, -2), v, d**-0.5)
        y = self.out(y.transpose(1, 2).reshape(-1, wh * ww, c))
        y = y.reshape(b, ph, pw, wh, ww, c).permute(0, 1, 3, 2, 4, 5).reshape(b, ph * wh, pw * ww, c)
        return y[:, :h, :w, :]


class ChannelAttention(nn.Module):
    def __init__(self, c, heads):
        super().__init__()
        self.heads = heads
        self.qkv = nn.Linear(c, 3 * c)
        self.out = nn.Linear(c, c)

    def forward(self, x):
        b, h, w, c = x.shape
        d = c // self.heads
        v, q, k = self.qkv(x.reshape(b, h * w, c)).reshape(b, h * w, 3, self.heads, d).permute(2, 0, 3, 4, 1)
        y = softmax_attention(q, k.transpose(-1, -2), v, d**-0.5)  # [b, heads, d, n]
        return self.out(y.permute(0, 3, 1, 2).reshape(b, h, w, c))


class Block(nn.Module):
    def __init__(self, c, heads, window, channel):
        super().__init__()
        self.cpe1, self.cpe2 = PositionalEncoding(c), PositionalEncoding(c)
        self.ln1, self.ln2 = LayerNorm(c), LayerNorm(c)
        self.attn = ChannelAttention(c, heads) if channel else WindowAttention(c, heads, window)
        self.mlp = nn.Sequential(nn.Linear(c, 4 * c), nn.GELU(), nn.Linear(4 * c, c))

    def forward(self, x):
        x = self.cpe1(x)
        x = x + self.attn(self.ln1(x))
        x = self.cpe2(x)
        return x + self.mlp(self.ln2(x))


class DavitT(nn.Module):
    def __init__(self, size):
        super().__init__()
        depths, widths, heads = [2, 2, 6, 2], [96, 192, 384, 768], [3, 6, 12, 24]
        window = math.ceil(size / 32)
        self.stem = ConvNHWC(3, widths[0], 7, 4)
        self.stem_ln = LayerNorm(widths[0])
        self.stages = nn.ModuleList()
        for i, depth in enumerate(depths):
            layers = []
            if i > 0:
                layers += [LayerNorm(widths[i - 1]), ConvNHWC(widths[i - 1], widths[i], 2, 2)]
            layers += [Block(widths[i], heads[i], window, j % 2 == 1) for j in range(depth)]
            self.stages.append(nn.ModuleList(layers))
        self.pre_output_ln = LayerNorm(widths[-1])
        self.drop = nn.Dropout(0.3)
        self.predictions = nn.Linear(widths[-1], 1)

    def forward(self, x):
        x = self.stem_ln(self.stem(F.pad(x, (0, 0, 3, 3, 3, 3))))
        for i, stage in enumerate(self.stages):
            for j, layer in enumerate(stage):
                x = layer(same_pad_2x2(x)) if i > 0 and j == 1 else layer(x)
        x = self.pre_output_ln(x).mean(dim=(1, 2))
        return self.predictions(self.drop(x))


def median(xs):
    return sorted(xs)[len(xs) // 2]


def timed(fn, warmup, reps):
    wall, cpu = [], []
    for i in range(warmup + reps):
        t0, c0 = time.perf_counter(), time.process_time()
        fn()
        if i >= warmup:
            wall.append(time.perf_counter() - t0)
            cpu.append(time.process_time() - c0)
    return median(wall) * 1000, median(cpu) * 1000


def main():
    size, batch, warmup, reps, threads = (int(a) for a in sys.argv[1:6])
    precision = sys.argv[6]
    torch.set_num_threads(threads)
    torch.manual_seed(0)
    net = DavitT(size)
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-4, eps=1e-7)
    loss_fn = nn.BCEWithLogitsLoss()
    x = torch.rand(batch, size, size, 3)
    y = (torch.rand(batch, 1) > 0.5).float()
    autocast = lambda: torch.autocast("cpu", dtype=torch.bfloat16, enabled=precision == "bf16")

    def forward():
        net.eval()
        with torch.no_grad(), autocast():
            torch.sigmoid(net(x)).float().sum().item()

    def train():
        net.train()
        optimizer.zero_grad(set_to_none=True)
        with autocast():
            loss = loss_fn(net(x).float(), y)
        loss.backward()
        optimizer.step()

    fwd_ms, fwd_cpu = timed(forward, warmup, reps)
    train_ms, train_cpu = timed(train, warmup, reps)
    print(
        json.dumps(
            {
                "torch": torch.__version__,
                "precision": precision,
                "threads": threads,
                "batch": batch,
                "size": size,
                "forwardMsPerImage": fwd_ms / batch,
                "trainMsPerImage": train_ms / batch,
                "forwardCpuMsPerImage": fwd_cpu / batch,
                "trainCpuMsPerImage": train_cpu / batch,
                "peakRssMiB": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
            }
        )
    )


if __name__ == "__main__":
    main()
