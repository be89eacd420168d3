"""Shared test configuration: hypothesis profiles chosen by an environment variable.

``BOOLSENS_HYPOTHESIS_PROFILE`` picks one of

* ``dev`` (default outside CI): few examples, quick local runs;
* ``ci`` (default when ``CI`` is set): a medium number of examples, derandomized so a CI run is
  reproducible;
* ``thorough``: many examples, for an occasional long run.

Every profile disables hypothesis's per-example deadline: this machine is shared and timings
vary, and a deadline would make failures depend on load rather than on the code.
"""

from __future__ import annotations

import os

from hypothesis import settings

settings.register_profile("dev", max_examples=15, deadline=None)
settings.register_profile("ci", max_examples=60, deadline=None, derandomize=True, print_blob=True)
settings.register_profile("thorough", max_examples=1000, deadline=None, print_blob=True)

_PROFILES = ("dev", "ci", "thorough")
_default = "ci" if os.environ.get("CI") else "dev"
_chosen = os.environ.get("BOOLSENS_HYPOTHESIS_PROFILE", _default)
if _chosen not in _PROFILES:
    raise RuntimeError(
        f"BOOLSENS_HYPOTHESIS_PROFILE={_chosen!r} must be one of {', '.join(_PROFILES)}"
    )
settings.load_profile(_chosen)
