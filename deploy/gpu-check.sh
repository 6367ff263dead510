#!/usr/bin/env bash
# Forward images/s and SimCLR training steps/s of ResNet-50 1x at 224x224 on the GPU, next to the CPU,
# with the device each ran on. Run on a machine with an NVIDIA GPU and a CUDA libtorch 2.7.1 (the CUDA
# image sets PYTORCH_LIBRARY_PATH; elsewhere build with -Dplanstream.gpu and point PYTORCH_LIBRARY_PATH
# at libtorch-cxx11-abi 2.7.1+cu128, see deploy/README.md). Record the output in docs/RESULTS.md.
#
#   deploy/gpu-check.sh [BATCH] [TRAIN_BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
batch="${1:-64}"
train_batch="${2:-32}"
ps="./planstream"
if ! command -v nvidia-smi >/dev/null 2>&1; then
    echo "gpu-check: no nvidia-smi on this machine: run it where an NVIDIA GPU is" >&2
    exit 1
fi
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader
for device in gpu cpu; do
    # The CPU does few iterations: ResNet-50 at 224 px takes seconds per batch there.
    iterations=$([ "$device" = gpu ] && echo 50 || echo 3)
    steps=$([ "$device" = gpu ] && echo 20 || echo 2)
    echo "== bench encoder, resnet50 1x, 224 px, $device"
    "$ps" bench encoder --encoder resnet50 --width 1 --stem imagenet --size 224 --batch "$batch" \
        --train-batch "$train_batch" --iterations "$iterations" --steps "$steps" --warmup 2 --device "$device" --json
done
echo "== bench embed, resnet50 1x, 224 px, gpu (through the real topics)"
"$ps" bench embed --encoder resnet50 --size 224 --batch "$batch" --images 2000 --device gpu --json
