#!/usr/bin/env bash
# Installs the peer benchmarks' dependencies from Debian for the system python, /usr/bin/python3, which
# hnswlib_bench.py and simclr_torch.py run under (a pyenv python3 first on PATH does not see them).
#   install.sh hnswlib   hnswlib and numpy, for hnswlib_bench.py (what .ci/run needs)
#   install.sh torch     PyTorch, torchvision, numpy, the Fashion-MNIST files and OpenBLAS, for simclr_torch.py:
#                        Debian's PyTorch calls whichever libblas.so.3 the alternatives system points at, and the
#                        reference BLAS it falls back to makes its convolutions slower (docs/RESULTS.md)
#   install.sh           both
set -euo pipefail

py=/usr/bin/python3
fashion=/usr/share/datasets/fashion-mnist/train-images-idx3-ubyte.gz
case "${1:-all}" in
  hnswlib) groups=(hnswlib) ;;
  torch) groups=(torch) ;;
  all) groups=(hnswlib torch) ;;
  *) echo "install.sh: unknown group '$1': hnswlib, torch, or nothing for both" >&2; exit 2 ;;
esac
packages=()
for g in "${groups[@]}"; do
  case "$g" in
    hnswlib) packages+=(python3-hnswlib python3-numpy) ;;
    torch) packages+=(python3-torch python3-torchvision python3-numpy dataset-fashion-mnist libopenblas0-pthread) ;;
  esac
done
ready() {
  for g in "${groups[@]}"; do
    case "$g" in
      hnswlib) "$py" -c 'import hnswlib, numpy' 2>/dev/null || return 1 ;;
      torch) "$py" -c 'import torch, torchvision, numpy' 2>/dev/null && [[ -f "$fashion" ]] \
               && dpkg -s libopenblas0-pthread >/dev/null 2>&1 || return 1 ;;
    esac
  done
}
if [[ -x "$py" ]] && ready; then
  echo "install.sh: ${packages[*]} are there for $py" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install.sh: $py lacks some of ${packages[*]}, and there is no apt-get to install them" >&2
  exit 1
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "install.sh: must run as root to install ${packages[*]} (try: sudo $0 ${1:-})" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y "${packages[@]}"
if ! ready; then
  echo "install.sh: installed ${packages[*]}, but $py still lacks some of them" >&2
  exit 1
fi
echo "install.sh: ${packages[*]} installed for $py" >&2
