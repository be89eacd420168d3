r"""proofs_check: every claim of docs/theory.md §3 as a numerical check, and a way to add your own.

Run them all::

    boolsens verify                  # or: python -m proofs_check  (default profile)
    boolsens verify --claim prop-2.2 --details
    boolsens verify --quick --json   # machine-readable; exit status 1 if any claim fails

or from Python::

    import proofs_check
    results = proofs_check.run_claims(profile="quick")   # list[Result]
    print(proofs_check.format_table(results))

Each :class:`Result` says how many instances were tried, whether the claim held, the worst slack
(how close the tightest instance came), the witness of that instance (which function, which ρ),
the method (exhaustive / hypothesis / Monte Carlo with its sample size and seed), the time, the
tightness counts where the theory says a bound is tight, and notes (e.g. why ρ < 0 is outside
Proposition 2.2).

Add a claim: a predicate over :class:`~proofs_check.domains.Measures` of a batch of functions,
returning relations (:func:`Le`, :func:`Ge`, :func:`Eq`, :func:`Lt`)::

    >>> import proofs_check as pc
    >>> reg = pc.Registry()
    >>> @reg.claim(id="my-bound", statement="deg f ≤ s(f)²", domain=pc.domains.boolean(families=None))
    ... def my_bound(m):
    ...     return pc.Le(m.degree, m.sensitivity ** 2, "deg ≤ s²")
    >>> [r.held for r in reg.run(profile="quick")]
    [True]

(``proofs_check.claim`` registers into the global registry instead.) For property tests in your
own suite use :mod:`proofs_check.strategies` (``boolean_functions``, ``rhos``, ``families``).

Conventions: see :mod:`boolsens`.
"""

from __future__ import annotations

from typing import Callable, Iterable

from . import domains
from .core import (
    PROFILES,
    REGISTRY,
    Claim,
    Context,
    Eq,
    Ge,
    Le,
    Lt,
    Registry,
    Relation,
    RelationSummary,
    Result,
    claim,
    run_claim,
    variant,
)
from .report import format_details, format_table, to_json

# the claims of docs/theory.md §3 register themselves on import, in this order
from . import claims_identities  # noqa: E402,F401
from . import claims_inequalities  # noqa: E402,F401
from . import claims_spectral_bias  # noqa: E402,F401
from . import claims_source_papers  # noqa: E402,F401
from . import claims_cryptographic  # noqa: E402,F401
from . import claims_pbiased  # noqa: E402,F401
from . import claims_linear_programs  # noqa: E402,F401

__all__ = [
    "REGISTRY", "Registry", "Claim", "Context", "Result", "RelationSummary", "Relation",
    "Le", "Ge", "Eq", "Lt", "claim", "run_claims", "run_claim", "variant", "format_table", "format_details",
    "to_json", "domains", "strategies", "PROFILES", "THEORY_IDS",
]


def __getattr__(name: str):
    """``proofs_check.strategies``, imported on first use: it needs hypothesis (a test
    dependency, and a tenth of a second to import), which nothing else here does; None when
    hypothesis is not installed."""
    if name == "strategies":
        import importlib

        try:
            module = importlib.import_module(".strategies", __name__)
        except ImportError:  # pragma: no cover - depends on the install
            module = None
        globals()["strategies"] = module
        return module
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

#: The claim ids of docs/theory.md §3, in the order the issue lists them.
THEORY_IDS = (
    "parseval", "influence-fourier", "total-influence", "stability-fourier", "disagreement", "noise-sensitivity",
    "poincare", "edge-isoperimetric", "kkl", "friedgut", "level-k", "complexity-chain", "huang", "jensen",
    "prop-2.2", "prop-2.1", "softmax-perturbation", "word-sensitivity", "gaussian-closed-forms",
    "relu-layer-stability", "majority-sheppard", "def-3.1-boolean",
    "covering-radius", "siegenthaler",
    "margulis-russo", "poincare-p",
    "fractional-chain", "approximate-degree",
)


def run_claims(ids: Iterable[str] | None = None, profile: str = "default", *, seed: int = 0,
               progress: Callable[[str], None] | None = None) -> list[Result]:
    """Check the registered claims ``ids`` (all by default) under ``profile`` ("quick", "default",
    "thorough"); ``seed`` is the base of every random draw and is reported in each result."""
    return REGISTRY.run(ids, profile=profile, seed=seed, progress=progress)
