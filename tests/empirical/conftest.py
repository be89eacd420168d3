"""Fixtures of the empirical tests: ``seed_watch``, which sees every seed fed to a random
generator and every value :func:`empirical.harness.plan.derive_seed` gave."""

from __future__ import annotations

import functools
import random
import sys
from dataclasses import dataclass, field

import numpy as np
import pytest


@dataclass
class SeedWatch:
    """What happened since the fixture started: ``derived`` (every value derive_seed returned) and
    ``fed`` (every (generator, seed) a torch, numpy or Python generator was seeded with)."""

    derived: set = field(default_factory=set)
    fed: list = field(default_factory=list)

    def foreign(self) -> list:
        """The (generator, seed) pairs whose seed derive_seed did not give (None: unseeded)."""
        return [(where, seed) for where, seed in self.fed
                if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or int(seed) not in self.derived]


@pytest.fixture
def seed_watch(monkeypatch) -> SeedWatch:
    """Wrap derive_seed (in :mod:`empirical.harness.plan` and every empirical module that imported
    it) and the seeding functions: ``torch.Generator.manual_seed``, ``torch.manual_seed``,
    ``numpy.random.default_rng``, ``numpy.random.seed``, ``random.seed``."""
    torch = pytest.importorskip("torch")
    from empirical.harness import plan

    watch = SeedWatch()
    real = plan.derive_seed

    @functools.wraps(real)
    def derive_seed(unit_seed, *labels):
        value = real(unit_seed, *labels)
        watch.derived.add(value)
        return value

    for name, module in list(sys.modules.items()):  # (a module imported under an earlier watch holds its wrapper)
        held = getattr(module, "derive_seed", None)
        if name.split(".")[0] == "empirical" and (held is real or getattr(held, "__wrapped__", None) is real):
            monkeypatch.setattr(module, "derive_seed", derive_seed)

    class Generator(torch.Generator):
        def manual_seed(self, seed):
            watch.fed.append(("torch.Generator.manual_seed", seed))
            return super().manual_seed(seed)

    def wrap(owner, attr: str, label: str) -> None:
        original = getattr(owner, attr)

        def seeded(seed=None, *args, **kwargs):
            watch.fed.append((label, seed))
            return original(seed, *args, **kwargs)

        monkeypatch.setattr(owner, attr, seeded)

    monkeypatch.setattr(torch, "Generator", Generator)
    wrap(torch, "manual_seed", "torch.manual_seed")
    wrap(np.random, "default_rng", "numpy.random.default_rng")
    wrap(np.random, "seed", "numpy.random.seed")
    wrap(random, "seed", "random.seed")
    return watch
