#!/usr/bin/env bash
# Install the peer libraries that bench/bench_core.py compares against into a SEPARATE
# virtualenv (bench/_peers/venv, gitignored), so their dependencies never touch the system
# environment. The venv sees the system site-packages (numpy, numba) read-only; anything a peer
# needs in another version is installed into the venv only. boolsens is installed editable.
#
# Each peer is installed on its own; a failure is logged to bench/_peers/install_log.json and the
# script goes on. Usage:  bash bench/setup_peers.sh   (takes several minutes: pyfwht compiles C)
set -u
HERE="$(cd "$(dirname "$0")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
PEERS="$HERE/_peers"
VENV="$PEERS/venv"
LOG="$PEERS/install_log.json"
mkdir -p "$PEERS"
if [ ! -x "$VENV/bin/python" ]; then
    python3 -m venv --system-site-packages "$VENV" || { echo "cannot create $VENV"; exit 1; }
fi
PY="$VENV/bin/python"
PIP="$PY -m pip --disable-pip-version-check"
echo "{" > "$LOG.tmp"
first=1
record() {  # name status message
    local msg
    msg=$(printf '%s' "$3" | tail -c 1500 | "$PY" -c 'import json,sys; print(json.dumps(sys.stdin.read()))')
    if [ $first -eq 0 ]; then echo "," >> "$LOG.tmp"; fi
    first=0
    printf '  "%s": {"status": "%s", "log_tail": %s}' "$1" "$2" "$msg" >> "$LOG.tmp"
    echo "[$1] $2"
}
try() {  # name command...
    local name="$1"; shift
    local out
    if out=$("$@" 2>&1); then record "$name" ok "$(printf '%s' "$out" | tail -n 3)"
    else record "$name" failed "$out"; fi
}
try boolsens $PIP install --no-deps -e "$ROOT"
try build-tools $PIP install pybind11 setuptools wheel
try ffht-unofficial $PIP install --no-build-isolation ffht-unofficial
try pyfwht env USE_CUDA=0 CUDA_HOME= $PIP install --no-build-isolation pyfwht
try passagemath-modules $PIP install passagemath-modules
try boofun $PIP install boofun
try fbool $PIP install fbool
printf '\n}\n' >> "$LOG.tmp"
mv "$LOG.tmp" "$LOG"
echo "log: $LOG"
