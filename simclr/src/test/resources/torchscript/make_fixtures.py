#!/usr/bin/python3
"""Writes the TorchScript fixtures of the import tests (CI has no PyTorch, so the outputs are committed).

Regenerate, from this directory, with Debian's PyTorch (apt-get install python3-torch, torch 1.13):

    /usr/bin/python3 make_fixtures.py

Everything is seeded, so a rerun with the same torch writes the same bytes; the files are a few KB.
The archives are written without their debug tables (*.debug_pkl), which hold the paths of the Python
files on the machine that traced them; libtorch loads modules without them.
They are read by the libtorch that DJL bundles (2.7.1), which loads archives of older torch releases
(these are 1.13's) but need not load those of newer ones: export with a torch no newer than DJL's.

- encoder.pt: a small conv encoder, 3x32x32 pictures to 16-d features, traced in eval mode, with a batch
  norm whose running statistics differ from a fresh one's (training-mode statistics would change the output).
- feature_map.pt: returns the (N, 10, 4, 4) feature map instead of a vector: an import must refuse it.
- state_dict.pt: the encoder's parameters saved with torch.save, a common mistake: not TorchScript.
- expected.json: the input formula, the encoder's raw output on it, and the embeddings the embedder
  must produce from it (centred normalisation, L2-normalised; with and without the 8 symmetries).
"""
import json
import os
import zipfile

import torch
from torch import nn

SIZE = 32
CHANNELS = 3
BATCH = 2


class Encoder(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(CHANNELS, 8, 3, stride=2, padding=1)
        self.norm1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1)

    def forward(self, x):
        x = torch.relu(self.norm1(self.conv1(x)))
        x = torch.relu(self.conv2(x))
        return x.mean(dim=(2, 3))


class FeatureMap(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(CHANNELS, 10, 3, stride=8, padding=1)

    def forward(self, x):
        return self.conv(x)


def save(module, path):
    """torch.jit.save, then the archive rewritten without its debug tables, entries in the same order."""
    module.save(path)
    with zipfile.ZipFile(path) as z:
        entries = [(info, z.read(info)) for info in z.infolist() if not info.filename.endswith(".debug_pkl")]
    with zipfile.ZipFile(path + ".tmp", "w", zipfile.ZIP_STORED) as z:
        for info, data in entries:
            z.writestr(info, data)
    os.replace(path + ".tmp", path)


def fixed_input():
    """x[k] = (k mod 251) / 250 over the flat (N, C, S, S) index k: in [0, 1], easy to rebuild in Java."""
    k = torch.arange(BATCH * CHANNELS * SIZE * SIZE, dtype=torch.float64)
    return (torch.remainder(k, 251) / 250).to(torch.float32).reshape(BATCH, CHANNELS, SIZE, SIZE)


def dihedral(x):
    t = x.transpose(2, 3)
    return [x, x.flip(3), x.flip(2), x.flip(2, 3), t, t.flip(3), t.flip(2), t.flip(2, 3)]


def l2(h):
    return h / h.norm(dim=1, keepdim=True).clamp_min(1e-12)


def main():
    torch.manual_seed(20250101)
    encoder = Encoder()
    with torch.no_grad():
        encoder.norm1.running_mean.uniform_(-0.2, 0.2)
        encoder.norm1.running_var.uniform_(0.5, 2.0)
        encoder.norm1.weight.uniform_(0.5, 1.5)
        encoder.norm1.bias.uniform_(-0.1, 0.1)
    encoder.eval()
    x = fixed_input()
    save(torch.jit.trace(encoder, torch.rand(BATCH, CHANNELS, SIZE, SIZE)), "encoder.pt")
    torch.save(encoder.state_dict(), "state_dict.pt")
    save(torch.jit.trace(FeatureMap().eval(), x), "feature_map.pt")

    loaded = torch.jit.load("encoder.pt")
    with torch.no_grad():
        raw = loaded(x)
        centred = (x - 0.5) / 0.5
        plain = l2(loaded(centred))
        symmetric = l2(torch.stack([loaded(v) for v in dihedral(centred)]).mean(dim=0))
    expected = {
        "torch": torch.__version__,
        "input": {"shape": [BATCH, CHANNELS, SIZE, SIZE], "formula": "x[k] = (k mod 251) / 250, k the flat index"},
        "raw": raw.tolist(),
        "normalization": "centred",
        "embedding": plain.tolist(),
        "embedding_symmetries": symmetric.tolist(),
    }
    with open("expected.json", "w") as f:
        json.dump(expected, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
