"""Exact-in-ρ certificates (proofs_check.certify): they prove the true claims for every ρ on every
function with n <= 3 here (n <= 4 in `boolsens verify --certify`), and each can fail: a false
bound is refuted with an exact rational ρ (or δ) that the test re-checks in rationals."""

from __future__ import annotations

from fractions import Fraction

import pytest

pytest.importorskip("sympy")

import boolsens as bs  # noqa: E402
from proofs_check import certify as C  # noqa: E402


@pytest.fixture(scope="module")
def profiles():
    out = {}
    for n in range(1, 4):
        for p, c in C.profiles(C._all_functions(n)).items():
            out[p] = out.get(p, 0) + c
    return out


def test_nonnegative_on_decides_exactly():
    assert C.nonnegative_on({0: Fraction(1), 1: Fraction(-2), 2: Fraction(1)}, Fraction(0), Fraction(1)) == (True, None)
    ok, x = C.nonnegative_on({0: Fraction(1, 100), 1: Fraction(-1, 2), 2: Fraction(1)}, Fraction(0), Fraction(1))
    assert not ok and x ** 2 - x / 2 + Fraction(1, 100) < 0        # dips below 0 between its two roots
    # a double root inside the interval does not change the sign: (t - 1/3)^2 >= 0
    assert C.nonnegative_on({0: Fraction(1, 9), 1: Fraction(-2, 3), 2: Fraction(1)}, Fraction(0), Fraction(1))[0]


def test_true_claims_are_certified(profiles):
    results = C.certify_profiles(profiles, domain="n <= 3")
    assert [r.held for r in results] == [True] * len(results), [r.witness for r in results if not r.held]
    assert {r.claim for r in results} == {"jensen", "prop-2.2", "noise-sensitivity"}
    assert all(r.functions == 4 + 16 + 256 for r in results)


def test_identities_are_certified_per_function():
    (r,) = C.certify_identities(C._all_functions(3), domain="n = 3")
    assert r.held and r.functions == 256


def test_identity_checker_can_fail():
    (r,) = C.certify_identities(C._all_functions(2), domain="n = 2", power_offset=1)
    assert not r.held and r.witness.startswith("hex ")


@pytest.mark.parametrize("factor", [Fraction(1, 2), Fraction(3, 4)])
def test_false_jensen_bound_has_an_exact_counterexample(profiles, factor):
    """Stab_ρ ≥ ρ^{factor·I} is false for factor < 1; the certificate names an exact ρ."""
    (r,) = C.certify_profiles(profiles, domain="n <= 3", exponent=lambda p: p.total_influence * factor,
                              relations=["jensen: Stab_ρ ≥ ρ^I"])
    assert not r.held
    # "ρ = 1/4 (= t^2, t = 1/2) for the profile n=1, W=['0', '1'], I=1, ...": the dictator
    rho = Fraction(r.witness.split()[2])
    t = Fraction(r.witness.split("t = ")[1].split(")")[0])
    assert "n=1, W=['0', '1'], I=1" in r.witness
    assert rho == t ** factor.denominator and 0 < rho < 1
    # Stab_ρ(DICT) = ρ (exactly, from the core), and ρ^{factor} = t^{numerator} exceeds it
    assert bs.noise_stability(bs.dictator(1), rho) == rho < t ** factor.numerator


def test_false_noise_sensitivity_bound_is_refuted(profiles):
    (r,) = C.certify_profiles(profiles, domain="n <= 3", exponent=lambda p: p.total_influence * Fraction(9, 10),
                              relations=["noise-sensitivity: NS_δ ≤ δ·I(f)"])
    assert not r.held
    delta = Fraction(r.witness.split()[2])
    # the dictator is the witness: NS_δ = δ > (9/10) δ I with I = 1
    assert bs.noise_sensitivity(bs.dictator(1), delta) == delta > Fraction(9, 10) * delta


# ----------------------------------------------------------------------------- verify --exhaustive
def test_every_exhaustive_claim_is_registered_with_a_reason():
    import proofs_check as pc
    from proofs_check.core import EXHAUSTIVE

    assert set(EXHAUSTIVE) <= set(pc.REGISTRY.ids())
    assert all(group in ("NPN", "NP") and len(reason) > 20 for group, reason in EXHAUSTIVE.values())
    assert EXHAUSTIVE["level-k"][0] == "NP"      # not invariant under negating the output


def test_exhaustive_run_covers_every_function_through_the_classes():
    import proofs_check as pc

    results = pc.REGISTRY.run(["huang", "level-k", "complexity-chain"], profile="quick", exhaustive=4)
    assert [r.held for r in results] == [True, True, True]
    assert all("all 65,536 functions on n=4" in r.domain for r in results)
    assert "222 representatives" in results[0].domain and "402 representatives" in results[1].domain
    assert any("NP classes" in note for note in results[1].notes)


def test_an_exhaustive_false_claim_fails_with_a_witness():
    import proofs_check as pc
    from proofs_check.core import run_claim

    reg = pc.Registry()

    @reg.claim(id="deg-le-s", statement="deg f ≤ s(f) (false)", domain=pc.domains.boolean())
    def deg_le_s(m):
        return pc.Le(m.degree, m.sensitivity, "deg ≤ s")

    res = run_claim(reg["deg-le-s"], profile="quick", exhaustive=(4, "NPN"))
    assert not res.held and "all 65,536 functions on n=4" in res.domain
    table = res.relations[0].witness_table            # "4:hex" of a class representative
    f = bs.BooleanFunction.from_hex(table.split(":")[1], 4)
    assert bs.degree(f) > bs.sensitivity(f)
