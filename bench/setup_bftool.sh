#!/usr/bin/env bash
# Build bftool (Alex Yu's C++ Boolean-function tool, github.com/sxyu/bftool) and the driver that
# bench/compare_bftool.py and tests/boolsens/test_bftool_peer.py talk to, all under bench/_peers
# (gitignored). bftool's code is never copied into the repository.
#
# Needs: a clone of bftool at bench/_peers/bftool-src (compared: commit 211a6a7, 2020-02-16, its
# last), cmake, a C++11 compiler, and pip (Eigen 3.4.0 headers are taken from the eigency 3.4.0.7
# wheel on PyPI: bftool needs Eigen for its sensitivity-graph spectra; Eigen 3.5's headers need
# C++14, which bftool's CMakeLists does not allow). bftool's sources are built unmodified with
# its own CMakeLists (Release); the only help is an Eigen3Config.cmake that points at the headers.
# The driver (bench/bftool_driver.cpp, ours) is linked with the object files of that build.
#
# Usage:  git clone <a copy of sxyu/bftool> bench/_peers/bftool-src && bash bench/setup_bftool.sh
# Result: bench/_peers/bftool-build/bftool (bftool's own demo binary) and
#         bench/_peers/bftool-build/bftool_driver.
set -eu
HERE="$(cd "$(dirname "$0")" && pwd)"
PEERS="$HERE/_peers"
SRC="$PEERS/bftool-src"
BUILD="$PEERS/bftool-build"
PY="${PYTHON:-python3}"
[ -f "$SRC/include/boolfun.hpp" ] || { echo "no bftool clone at $SRC"; exit 1; }
if [ ! -f "$PEERS/eigency/eigency/eigen/Eigen/Dense" ]; then
    mkdir -p "$PEERS/eigency-dl"
    "$PY" -m pip download --disable-pip-version-check --no-deps --only-binary :all: \
        -d "$PEERS/eigency-dl" "eigency==3.4.0.7"
    rm -rf "$PEERS/eigency" && mkdir -p "$PEERS/eigency"
    "$PY" -m zipfile -e "$PEERS"/eigency-dl/eigency-3.4.0.7-*.whl "$PEERS/eigency"
fi
mkdir -p "$PEERS/eigen3-cmake"
cat > "$PEERS/eigen3-cmake/Eigen3Config.cmake" <<'EOF'
# Eigen 3.4.0 headers from the eigency 3.4.0.7 wheel, which ships no CMake package file.
set(EIGEN3_INCLUDE_DIRS "${CMAKE_CURRENT_LIST_DIR}/../eigency/eigency/eigen")
set(EIGEN3_INCLUDE_DIR "${EIGEN3_INCLUDE_DIRS}")
set(Eigen3_FOUND TRUE)
EOF
cmake -S "$SRC" -B "$BUILD" -DCMAKE_BUILD_TYPE=Release -DEigen3_DIR="$PEERS/eigen3-cmake" >/dev/null
cmake --build "$BUILD" -j1
# The flags of bftool's Release build (CMakeLists: -std=c++11 -O3 -g; Release: -O3 -DNDEBUG).
OBJ="$BUILD/CMakeFiles/bftool.dir"
c++ -std=gnu++11 -O3 -DNDEBUG -I"$SRC/include" "$HERE/bftool_driver.cpp" \
    "$OBJ/boolfun.cpp.o" "$OBJ/boolfun_real.cpp.o" "$OBJ/boolfun_complexity.cpp.o" "$OBJ/util.cpp.o" \
    -pthread -o "$BUILD/bftool_driver"
git -C "$SRC" rev-parse HEAD > "$BUILD/bftool_commit.txt" 2>/dev/null || true
echo "built $BUILD/bftool_driver (bftool $(cat "$BUILD/bftool_commit.txt" 2>/dev/null))"
