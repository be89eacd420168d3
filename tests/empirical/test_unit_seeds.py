"""One way to derive a unit's seeds: every seed a unit feeds a random generator is a value of
:func:`empirical.harness.plan.derive_seed` of the unit's seed and a label naming the stream. The
smoke run of every experiment checks this on all its units (``test_empirical_part2``, with the
``seed_watch`` fixture); here, the exact streams of one training run, and that no module keeps
another way (``zlib.crc32`` of a description, ``10_000 + seed`` offsets, a second
``seed_everything``)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

pytest.importorskip("torch")

from empirical.harness.plan import derive_seed  # noqa: E402
from empirical.train.algorithmic import ModularAdditionSpec, train_modular  # noqa: E402
from empirical.train.regularizers import StabilityRegularizer  # noqa: E402

EMPIRICAL = Path(__file__).resolve().parents[2] / "empirical"


def test_a_modular_run_seeds_each_stream_from_derive_seed_of_its_name(seed_watch):
    spec = ModularAdditionSpec(p=5, d_model=8, n_heads=2, d_mlp=8, steps=2, log_every=1)
    train_modular(spec, 3, None, regularizer=StabilityRegularizer(form="gaussian", gamma=0.5))
    want = {derive_seed(3, label) for label in ("data", "init", "penalty", "probe", "diagnostics")}
    assert {seed for _, seed in seed_watch.fed} == want and not seed_watch.foreign()


#: ways of deriving a seed other than derive_seed: a hash of a description, an offset of the seed
OTHER_WAYS = re.compile(r"crc32|seed_of\b|\d_000 \+ seed|seed \+ \d")


def test_no_module_derives_seeds_another_way():
    modules = [p for p in sorted(EMPIRICAL.rglob("*.py")) if p.name != "plan.py"]
    found = [f"{p.relative_to(EMPIRICAL)}:{i}: {line.strip()}" for p in modules
             for i, line in enumerate(p.read_text().splitlines(), 1) if OTHER_WAYS.search(line)]
    assert not found, "\n".join(found)
    callers = [p.relative_to(EMPIRICAL).as_posix() for p in modules
               if "seed_everything(" in p.read_text() and "def seed_everything" not in p.read_text()]
    assert callers == ["harness/runner.py"], callers   # the global generators are seeded in one place
