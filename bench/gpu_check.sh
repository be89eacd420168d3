#!/usr/bin/env bash
# Exercise every CUDA path of boolsens on the GPU at hand and write bench/results/gpu.md (and .json):
# the core on CUDA tensors, from_model on CUDA, the n = 5 census on CUDA, batched seeds against one
# at a time, and a few steps of every experiment's gpu preset. Meant for at most 8 minutes on one
# H200; pass --quick for a first look. Run it from a fresh clone:
#     python3 -m pip install -e ".[all]" && bash bench/gpu_check.sh
set -euo pipefail
cd "$(dirname "$0")/.."
nvidia-smi --query-gpu=name,memory.total,utilization.gpu --format=csv || true
timeout 480 python3 bench/bench_gpu.py "$@"
