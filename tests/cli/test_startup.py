"""Start-up stays cheap: importing the packages and building the ``boolsens`` command line loads
none of the heavy dependencies. They are imported where they are used (numba on the first kernel
call, torch by the code that runs a model, matplotlib by a plot, hypothesis by the strategies).

Each case runs in a fresh interpreter and asserts on ``sys.modules``, not on a time, so it fails
the same way on a fast and a slow machine.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]

#: never loaded by importing a package or building the command line
HEAVY = ("torch", "scipy", "matplotlib", "sympy", "ray", "numba", "hypothesis", "tqdm")

CASES = {
    "import boolsens": "import boolsens",
    "import proofs_check": "import proofs_check",
    "import boolsens_cli.main": "import boolsens_cli.main",
    "boolsens command line built": (
        "import importlib; importlib.import_module('boolsens_cli.main').build_parser()"),
}


def _loaded(code: str) -> list[str]:
    probe = f"{code}\nimport json, sys\nprint(json.dumps(sorted(sys.modules)))"
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]))
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, cwd=ROOT,
                         timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("code", list(CASES.values()), ids=list(CASES))
def test_no_heavy_module_at_start_up(code):
    modules = _loaded(code)
    heavy = sorted({m.split(".")[0] for m in modules} & set(HEAVY))
    assert heavy == [], f"`{code}` imports {heavy}"


def test_the_probe_sees_a_heavy_import():
    # the check above can fail: a module that does import one is caught
    assert "numba" in {m.split(".")[0] for m in _loaded("import boolsens; boolsens.majority(3).sensitivity()")}
