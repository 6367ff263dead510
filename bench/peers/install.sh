#!/usr/bin/env bash
# Installs the peer benchmarks' dependencies from Debian for the system python, /usr/bin/python3, which
# hnswlib_bench.py and simclr_torch.py run under (a pyenv python3 first on PATH does not see them):
# hnswlib and numpy, PyTorch and torchvision, the Fashion-MNIST files, and OpenBLAS: Debian's PyTorch calls
# whichever libblas.so.3 the alternatives system points at, and the reference BLAS it falls back to makes its
# convolutions about twice as slow (docs/RESULTS.md).
set -euo pipefail

py=/usr/bin/python3
packages=(python3-hnswlib python3-numpy python3-torch python3-torchvision dataset-fashion-mnist libopenblas0-pthread)
fashion=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
ready() {
  [[ -x "$py" ]] && "$py" -c 'import hnswlib, numpy, torch, torchvision' 2>/dev/null && [[ -f "$fashion" ]] \
    && dpkg -s libopenblas0-pthread >/dev/null 2>&1
}
if ready; then
  echo "install.sh: hnswlib, numpy, torch and torchvision are importable by $py, and $fashion is there" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install.sh: $py cannot import hnswlib, numpy, torch and torchvision (or $fashion is missing), and there is no apt-get to install ${packages[*]}" >&2
  exit 1
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "install.sh: must run as root to install ${packages[*]} (try: sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${packages[@]}"
if ! ready; then
  echo "install.sh: installed ${packages[*]}, but $py still cannot import them or $fashion is missing" >&2
  exit 1
fi
echo "install.sh: ${packages[*]} installed for $py" >&2
