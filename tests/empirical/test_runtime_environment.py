"""The environment record of every run folder (empirical.harness.runtime.environment): the CPU
model and numeric instruction-set flags, library builds and determinism settings, present,
JSON-serialisable, fast, and degrading without a crash where the platform does not say."""

from __future__ import annotations

import json
import sys
import time

import pytest

pytest.importorskip("torch")

from empirical.harness import runtime  # noqa: E402
from empirical.harness.rundir import RunDir  # noqa: E402


def test_environment_keys_and_types():
    env = runtime.environment("cpu")
    for key in ("python", "torch", "numpy", "scipy", "device", "torch_threads", "cpu_count", "platform",
                "machine", "cpu", "torch_build", "determinism", "utc"):
        assert key in env, key
    assert isinstance(env["platform"], str) and env["platform"]
    assert isinstance(env["machine"], str)
    assert env["numba"] is None or isinstance(env["numba"], str)
    cpu = env["cpu"]
    assert isinstance(cpu["model"], str)
    assert set(cpu["numeric_flags"]) <= set(runtime.NUMERIC_FLAGS)
    assert cpu["flags_sha256"] == "" or (len(cpu["flags_sha256"]) == 16 and int(cpu["flags_sha256"], 16) >= 0)
    assert set(env["torch_build"]) == {"cuda", "mkldnn", "cpu_capability", "blas", "parallel"}
    det = env["determinism"]
    assert isinstance(det["torch_deterministic_algorithms"], bool)
    assert set(det) >= {"cudnn_deterministic", "CUBLAS_WORKSPACE_CONFIG", "PYTHONHASHSEED", "OMP_NUM_THREADS"}
    json.dumps(env)
    if sys.platform.startswith("linux"):
        assert cpu["model"], "Linux: /proc/cpuinfo (or platform.processor) names the CPU"
        if env["machine"] == "x86_64":
            assert cpu["flags_sha256"], "x86 Linux lists its instruction-set flags"


def test_environment_is_fast_once_torch_is_imported():
    runtime.environment("cpu")
    t0 = time.perf_counter()
    runtime.environment("cpu")
    assert time.perf_counter() - t0 < 0.5


def test_environment_reads_env_vars(monkeypatch):
    monkeypatch.setenv("PYTHONHASHSEED", "0")
    monkeypatch.setenv("CUBLAS_WORKSPACE_CONFIG", ":4096:8")
    det = runtime.environment("cpu")["determinism"]
    assert det["PYTHONHASHSEED"] == "0" and det["CUBLAS_WORKSPACE_CONFIG"] == ":4096:8"


def test_cpu_info_without_proc_cpuinfo(monkeypatch):
    """Off Linux (no /proc/cpuinfo) the model comes from platform.processor(); if that fails too,
    the fields are empty, never an exception."""
    monkeypatch.setattr(runtime, "_cpuinfo_text", lambda: "")
    monkeypatch.setattr(runtime.platform, "processor", lambda: "arm")
    assert runtime.cpu_info() == {"model": "arm", "numeric_flags": [], "flags_sha256": ""}

    def broken():
        raise OSError("no uname")

    monkeypatch.setattr(runtime.platform, "processor", broken)
    assert runtime.cpu_info() == {"model": "", "numeric_flags": [], "flags_sha256": ""}
    assert runtime._version("surely-not-an-installed-package") is None


def test_cpu_info_parses_an_arm_cpuinfo(monkeypatch):
    text = "processor\t: 0\nBogoMIPS\t: 48.00\nFeatures\t: fp asimd evtstrm aes crc32 atomics\nHardware\t: BCM2835\n"
    monkeypatch.setattr(runtime, "_cpuinfo_text", lambda: text)
    info = runtime.cpu_info()
    assert info["model"] == "BCM2835" and info["numeric_flags"] == ["asimd"] and len(info["flags_sha256"]) == 16


def test_config_json_records_the_cpu(tmp_path):
    rd = RunDir(tmp_path, device="cpu")
    rd.start_plan("demo", {"preset": "smoke"}, {"x": 1}, [{"seed": 0}], ["k"], options={"jobs": 1})
    env = json.loads((tmp_path / "config.json").read_text())["environment"]
    assert env["cpu"] == runtime.cpu_info() and "determinism" in env and "utc" not in env
