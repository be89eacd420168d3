"""Shared test configuration: the test tiers, the oracle on the path, and hypothesis profiles
chosen by an environment variable.

Tiers: ``python3 -m pytest -q`` (the README's command) runs the fast tier; tests marked
``@pytest.mark.slow`` form the slow tier (``python3 -m pytest -q -m slow``). The property tests run
in the fast tier with few examples and again at full strength in the slow tier, which CI runs as
``BOOLSENS_HYPOTHESIS_PROFILE=ci python3 -m pytest -q -m "slow or hypothesis"`` (hypothesis marks
every ``@given`` test ``hypothesis``).

``BOOLSENS_HYPOTHESIS_PROFILE`` picks one of

* ``dev`` (default outside CI): few examples, quick local runs;
* ``fast`` (default when ``CI`` is set): as few examples as ``dev``, derandomized so a CI run is
  reproducible;
* ``ci``: a medium number of examples, derandomized (the slow tier in CI);
* ``thorough``: many examples, for an occasional long run.

Every profile disables hypothesis's per-example deadline: this machine is shared and timings
vary, and a deadline would make failures depend on load rather than on the code.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

from hypothesis import settings

# the independent oracle (tests/oracle.py) is imported as ``oracle`` by tests in every subfolder
sys.path.append(str(Path(__file__).resolve().parent))

settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile("fast", max_examples=15, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)

_PROFILES = ("dev", "fast", "ci", "thorough")
_default = "fast" if os.environ.get("CI") else "dev"
_chosen = os.environ.get("BOOLSENS_HYPOTHESIS_PROFILE", _default)
if _chosen not in _PROFILES:
    raise RuntimeError(
        f"BOOLSENS_HYPOTHESIS_PROFILE={_chosen!r} must be one of {', '.join(_PROFILES)}"
    )
settings.load_profile(_chosen)
