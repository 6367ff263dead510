#!/usr/bin/python3
"""A plain PyTorch SimCLR, the reference Planstream's own training is measured against.

Two commands:

  step           seconds per SimCLR training step and forward images/s of the same network Planstream's
                 `bench encoder` measures (torchvision's ResNet with the small stem: a 3x3 stride-1 first
                 convolution and no max-pool; the SimCLR v1 head; NT-Xent), on random inputs.
  fashion-mnist  SimCLR pretraining on Fashion-MNIST (read from Debian's dataset-fashion-mnist, idx files)
                 within a budget of epochs or CPU-minutes, then the linear protocol on the frozen features
                 (multinomial logistic regression by L-BFGS, L2 chosen on a validation split).

Run with Debian's python3-torch (bench/peers/install.sh installs it). Progress goes to stderr, results to
stdout, as JSON lines with --json.
"""

import argparse
import gzip
import json
import math
import os
import resource
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
import torchvision

FASHION_MNIST = "/usr/share/datasets/fashion-mnist"


def encoder(name, width, channels):
    """torchvision's ResNet at a width multiplier, with the small (CIFAR) stem; fc removed."""
    blocks = {"resnet18": [2, 2, 2, 2], "resnet34": [3, 4, 6, 3], "resnet-mini": [1, 1, 1, 1]}[name]
    base = 16 if name == "resnet-mini" else 64
    net = torchvision.models.resnet.ResNet(torchvision.models.resnet.BasicBlock, blocks,
                                           width_per_group=64, zero_init_residual=True)
    # torchvision builds its widths from 64; rebuild the layers at the width asked for.
    widths = [int(base * width * 2 ** i) for i in range(4)]
    net.inplanes = widths[0]
    net.conv1 = nn.Conv2d(channels, widths[0], 3, 1, 1, bias=False)
    net.bn1 = nn.BatchNorm2d(widths[0])
    net.maxpool = nn.Identity()
    net.layer1 = net._make_layer(torchvision.models.resnet.BasicBlock, widths[0], blocks[0])
    net.layer2 = net._make_layer(torchvision.models.resnet.BasicBlock, widths[1], blocks[1], stride=2)
    net.layer3 = net._make_layer(torchvision.models.resnet.BasicBlock, widths[2], blocks[2], stride=2)
    net.layer4 = net._make_layer(torchvision.models.resnet.BasicBlock, widths[3], blocks[3], stride=2)
    for m in net.modules():
        if isinstance(m, nn.Conv2d):
            nn.init.kaiming_normal_(m.weight, mode="fan_out", nonlinearity="relu")
        elif isinstance(m, torchvision.models.resnet.BasicBlock):
            nn.init.constant_(m.bn2.weight, 0)
    net.fc = nn.Identity()
    return net, widths[3]


class SimCLR(nn.Module):
    def __init__(self, name, width, channels):
        super().__init__()
        self.f, dim = encoder(name, width, channels)
        self.g = nn.Sequential(nn.Linear(dim, dim), nn.ReLU(inplace=True), nn.Linear(dim, 128))
        self.dim = dim

    def forward(self, x):
        h = self.f(x)
        return h, self.g(h)


def nt_xent(z, tau):
    """NT-Xent over 2B views, the two views of an image at i and i + B."""
    z = F.normalize(z, dim=1)
    n = z.shape[0]
    b = n // 2
    sim = z @ z.t() / tau
    sim.fill_diagonal_(float("-inf"))
    target = torch.cat([torch.arange(b, n), torch.arange(0, b)])
    return F.cross_entropy(sim, target)


def progress(label, done, total, start):
    elapsed = time.perf_counter() - start
    rate = done / elapsed if elapsed > 0 else 0
    eta = (total - done) / rate if rate > 0 else float("nan")
    width = 30
    filled = int(width * done / total) if total else width
    sys.stderr.write("\r%-18s [%s%s] %d/%d %.2f/s ETA %.0fs " % (label, "=" * filled, " " * (width - filled), done,
                                                                 total, rate, eta))
    if done >= total:
        sys.stderr.write("\n")
    sys.stderr.flush()


def cpu_seconds():
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def emit(args, record):
    if args.json:
        print(json.dumps(record), flush=True)
    else:
        print("  ".join("%s=%s" % (k, v) for k, v in record.items()), flush=True)


def cmd_step(args):
    torch.manual_seed(1)
    model = SimCLR(args.encoder, args.width, args.channels)
    shape = (2 * args.batch, args.channels, args.size, args.size)
    x = torch.rand(shape)
    opt = torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9, weight_decay=1e-6)
    record = {"peer": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
              "encoder": args.encoder, "width": args.width, "size": args.size, "batch": args.batch,
              "views": 2 * args.batch}

    def forward_rate(train_mode):
        model.train(train_mode)
        xb = x[:args.batch]
        with torch.no_grad():
            for _ in range(args.warmup):
                model.f(xb)
            start = time.perf_counter()
            for i in range(args.iterations):
                model.f(xb)
                progress("forward " + ("train" if train_mode else "eval"), i + 1, args.iterations, start)
            return args.iterations * args.batch / (time.perf_counter() - start)

    record["forward_train_images_per_s"] = round(forward_rate(True), 1)
    record["forward_eval_images_per_s"] = round(forward_rate(False), 1)
    model.train()
    for _ in range(args.warmup):
        step(model, opt, x, args.temperature)
    start = time.perf_counter()
    for i in range(args.steps):
        step(model, opt, x, args.temperature)
        progress("train step", i + 1, args.steps, start)
    record["s_per_step"] = round((time.perf_counter() - start) / args.steps, 4)
    emit(args, record)


def step(model, opt, x, tau):
    opt.zero_grad(set_to_none=True)
    _, z = model(x)
    loss = nt_xent(z, tau)
    loss.backward()
    opt.step()
    return loss.item()


def read_idx(path):
    opener = gzip.open if path.endswith(".gz") else open
    with opener(path, "rb") as f:
        data = f.read()
    dims = data[3]
    shape = [int.from_bytes(data[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def load_fashion_mnist(folder, split):
    prefix = "train" if split == "train" else "t10k"
    def find(base):
        for name in (base, base + ".gz"):
            if os.path.exists(os.path.join(folder, name)):
                return os.path.join(folder, name)
        raise SystemExit("simclr_torch.py: no %s(.gz) in %s (install dataset-fashion-mnist)" % (base, folder))
    images = read_idx(find(prefix + "-images-idx3-ubyte"))
    labels = read_idx(find(prefix + "-labels-idx1-ubyte"))
    return torch.from_numpy(images.copy()).float().div_(255).unsqueeze(1), torch.from_numpy(labels.astype(np.int64))


def augment(x):
    """The SimCLR views of 28x28 grey images: random resized crop (scale 0.2-1), horizontal flip, brightness
    and contrast jitter (p 0.8). Batched tensor operations, no per-image Python."""
    n, _, s, _ = x.shape
    scale = torch.empty(n).uniform_(0.2, 1.0)
    ratio = torch.exp(torch.empty(n).uniform_(math.log(3 / 4), math.log(4 / 3)))
    w = torch.sqrt(scale * ratio).clamp(max=1.0)
    h = torch.sqrt(scale / ratio).clamp(max=1.0)
    cx = (torch.rand(n) * 2 - 1) * (1 - w)
    cy = (torch.rand(n) * 2 - 1) * (1 - h)
    flip = torch.where(torch.rand(n) < 0.5, -1.0, 1.0)
    theta = torch.zeros(n, 2, 3)
    theta[:, 0, 0] = w * flip
    theta[:, 0, 2] = cx
    theta[:, 1, 1] = h
    theta[:, 1, 2] = cy
    grid = F.affine_grid(theta, x.shape, align_corners=False)
    v = F.grid_sample(x, grid, mode="bilinear", padding_mode="reflection", align_corners=False)
    jitter = (torch.rand(n) < 0.8).float().view(n, 1, 1, 1)
    b = 1 + (torch.rand(n).view(n, 1, 1, 1) * 0.8 - 0.4) * jitter
    c = 1 + (torch.rand(n).view(n, 1, 1, 1) * 0.8 - 0.4) * jitter
    mean = v.mean(dim=(2, 3), keepdim=True)
    v = ((v * b - mean) * c + mean).clamp_(0, 1)
    return (v - 0.5) / 0.5


def features(f, x, batch=1024):
    f.eval()
    out = []
    with torch.no_grad():
        for i in range(0, x.shape[0], batch):
            out.append(f((x[i:i + batch] - 0.5) / 0.5))
    return torch.cat(out)


def linear_eval(train_h, train_y, test_h, test_y, l2_grid, seed):
    """Multinomial logistic regression on standardised features by L-BFGS, L2 chosen on a held-out tenth of
    the training features, then refitted on all of them."""
    mean, std = train_h.mean(0), train_h.std(0).clamp(min=1e-6)
    tr, te = (train_h - mean) / std, (test_h - mean) / std
    g = torch.Generator().manual_seed(seed)
    perm = torch.randperm(tr.shape[0], generator=g)
    val = perm[: tr.shape[0] // 10]
    fit = perm[tr.shape[0] // 10:]

    def train(x, y, l2):
        w = torch.zeros(x.shape[1], 10, requires_grad=True)
        bias = torch.zeros(10, requires_grad=True)
        opt = torch.optim.LBFGS([w, bias], lr=1, max_iter=500, history_size=20, line_search_fn="strong_wolfe")

        def closure():
            opt.zero_grad()
            loss = F.cross_entropy(x @ w + bias, y) + l2 * (w * w).sum()
            loss.backward()
            return loss
        opt.step(closure)
        return w.detach(), bias.detach()

    def accuracy(x, y, wb):
        return ((x @ wb[0] + wb[1]).argmax(1) == y).float().mean().item()

    best = max(l2_grid, key=lambda l2: accuracy(tr[val], train_y[val], train(tr[fit], train_y[fit], l2)))
    wb = train(tr, train_y, best)
    return accuracy(te, test_y, wb), best


def cmd_fashion_mnist(args):
    torch.manual_seed(args.seed)
    train_x, train_y = load_fashion_mnist(args.data, "train")
    test_x, test_y = load_fashion_mnist(args.data, "test")
    if args.limit:
        keep = torch.randperm(train_x.shape[0], generator=torch.Generator().manual_seed(args.seed))[:args.limit]
        train_x, train_y = train_x[keep], train_y[keep]
        test_x, test_y = test_x[:args.limit], test_y[:args.limit]
    model = SimCLR(args.encoder, args.width, 1)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr, weight_decay=1e-6)
    steps_per_epoch = train_x.shape[0] // args.batch
    total = steps_per_epoch * args.epochs
    cpu0, wall0 = cpu_seconds(), time.perf_counter()
    budget = args.cpu_minutes * 60 if args.cpu_minutes else float("inf")
    done, losses = 0, []
    model.train()
    for epoch in range(args.epochs):
        perm = torch.randperm(train_x.shape[0])
        for s in range(steps_per_epoch):
            idx = perm[s * args.batch:(s + 1) * args.batch]
            xb = train_x[idx]
            v = torch.cat([augment(xb), augment(xb)])
            losses.append(step(model, opt, v, args.temperature))
            done += 1
            progress("epoch %d/%d" % (epoch + 1, args.epochs), done, total, wall0)
            if cpu_seconds() - cpu0 >= budget:
                break
        if cpu_seconds() - cpu0 >= budget:
            sys.stderr.write("\nsimclr_torch.py: the CPU budget of %s minutes is spent after %d steps\n"
                             % (args.cpu_minutes, done))
            break
    train_cpu, train_wall = cpu_seconds() - cpu0, time.perf_counter() - wall0
    train_h, test_h = features(model.f, train_x), features(model.f, test_x)
    acc, l2 = linear_eval(train_h, train_y, test_h, test_y, [1e-1, 1e-2, 1e-3, 1e-4, 1e-5], args.seed)
    emit(args, {"peer": "pytorch", "torch": torch.__version__, "threads": torch.get_num_threads(),
                "encoder": args.encoder, "width": args.width, "batch": args.batch, "lr": args.lr,
                "temperature": args.temperature, "epochs": done / steps_per_epoch, "steps": done,
                "last_epoch_loss": round(float(np.mean(losses[-steps_per_epoch:])), 4),
                "train_cpu_s": round(train_cpu, 1), "train_wall_s": round(train_wall, 1),
                "linear_top1": round(acc, 4), "l2": l2,
                "total_cpu_s": round(cpu_seconds() - cpu0, 1), "total_wall_s": round(time.perf_counter() - wall0, 1)})


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--threads", type=int, default=os.cpu_count(), help="torch intra-op threads [all cores]")
    p.add_argument("--json", action="store_true", help="results as JSON lines on stdout")
    sub = p.add_subparsers(dest="command", required=True)
    s = sub.add_parser("step", help="training step and forward rates on random inputs")
    s.add_argument("--encoder", default="resnet18", choices=["resnet18", "resnet34", "resnet-mini"])
    s.add_argument("--width", type=float, default=1)
    s.add_argument("--size", type=int, default=32)
    s.add_argument("--channels", type=int, default=3)
    s.add_argument("--batch", type=int, default=64, help="images; a step takes 2 x batch views [64]")
    s.add_argument("--steps", type=int, default=5)
    s.add_argument("--iterations", type=int, default=20, help="timed forward batches [20]")
    s.add_argument("--warmup", type=int, default=2)
    s.add_argument("--temperature", type=float, default=0.5)
    f = sub.add_parser("fashion-mnist", help="SimCLR pretraining on Fashion-MNIST, then linear evaluation")
    f.add_argument("--data", default=FASHION_MNIST)
    f.add_argument("--encoder", default="resnet18", choices=["resnet18", "resnet34", "resnet-mini"])
    f.add_argument("--width", type=float, default=0.25)
    f.add_argument("--batch", type=int, default=256)
    f.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate [1e-3]")
    f.add_argument("--temperature", type=float, default=0.5)
    f.add_argument("--epochs", type=int, default=100, help="at most this many epochs [100]")
    f.add_argument("--cpu-minutes", type=float, help="stop training once this much CPU time (user + system) is spent")
    f.add_argument("--seed", type=int, default=1)
    f.add_argument("--limit", type=int, help="a seeded sample of this many training images (and the first this many"
                   " test images), for a quick check")
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    {"step": cmd_step, "fashion-mnist": cmd_fashion_mnist}[args.command](args)


if __name__ == "__main__":
    main()
