#!/usr/bin/env bash
# Installs the hnswlib peer benchmark's dependencies from Debian for the system python,
# /usr/bin/python3, which hnswlib_bench.py runs under (a pyenv python3 first on PATH does not see them).
set -euo pipefail

py=/usr/bin/python3
if [[ -x "$py" ]] && "$py" -c 'import hnswlib, numpy' 2>/dev/null; then
  echo "install.sh: hnswlib and numpy are already importable by $py" >&2
  exit 0
fi
if ! command -v apt-get >/dev/null; then
  echo "install.sh: $py cannot import hnswlib and numpy, and there is no apt-get to install python3-hnswlib python3-numpy" >&2
  exit 1
fi
if [[ "$(id -u)" -ne 0 ]]; then
  echo "install.sh: must run as root to install python3-hnswlib python3-numpy (try: sudo $0)" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update
apt-get install -y python3-hnswlib python3-numpy
if ! "$py" -c 'import hnswlib, numpy'; then
  echo "install.sh: installed python3-hnswlib python3-numpy, but $py still cannot import them" >&2
  exit 1
fi
echo "install.sh: hnswlib and numpy installed for $py" >&2
