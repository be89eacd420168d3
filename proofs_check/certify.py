r"""Exact-in-ρ certificates: the ρ-dependent claims proven for *every* ρ in their interval, not on a
grid (docs/theory.md §3).

Every ρ-dependent claim that boolsens checks reduces, for one Boolean function f, to a statement
about a polynomial with rational coefficients:

* Stab_ρ(f) = Σ_k W^k ρ^k is a polynomial in ρ with rational coefficients (the W^k are dyadic);
* with I(f) = p/q in lowest terms and the substitution ρ = t^q (a bijection of [0, 1]),
  ρ^{I} = t^p, ρ^{deg} = t^{q·deg} and ρ^{s²} = t^{q·s²} are monomials in t;
* the disagreement and noise-sensitivity forms are ½ − ½ Stab at ρ or at 1 − 2δ.

A polynomial inequality P ≥ 0 on [a, b] is decided exactly: sympy isolates every real root of P in
[a, b] in disjoint rational intervals, and P is evaluated exactly (in rationals) at the ends and at
a rational point of every gap between roots; P keeps its sign on each gap, so P ≥ 0 on [a, b] iff
every one of those values is ≥ 0. When P < 0 somewhere, the rational point found is an exact
counterexample ρ (or δ).

The inequality claims depend on f only through its *profile* (W⁰ … Wⁿ, I, deg, s), so each
distinct profile is certified once (the 65,812 functions on n ≤ 4 have 190 profiles). The two
identities (``stability-fourier``: the pair sum over ρ-correlated pairs equals Σ_k W^k ρ^k as
polynomials; ``noise-sensitivity``'s identity) are polynomial identities per function, checked by
comparing exact integer coefficient vectors, the pair sum computed from autocorrelations by brute
force (no Fourier transform).

``level-k`` is not polynomial in ρ (its bound has α^{2/(1+ρ)}); it stays a grid check and the
certificate report says so.

Cost: about a millisecond per profile and polynomial with sympy; every function on n ≤ 4 in a few
seconds (see ``boolsens verify --certify``).

>>> from fractions import Fraction as F
>>> nonnegative_on({0: F(1), 1: F(-2), 2: F(1)}, F(0), F(2))   # (1 - t)^2 >= 0
(True, None)
>>> nonnegative_on({0: F(-1, 4), 2: F(1)}, F(0), F(1))         # t^2 - 1/4 < 0 near 0
(False, Fraction(0, 1))
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterable, Sequence

import numpy as np

import boolsens as bs
from boolsens.cube import popcount

__all__ = ["Profile", "CertificateResult", "nonnegative_on", "profiles", "census_profiles", "certify_profiles",
           "certify_identities", "certify", "format_certificates", "CERTIFIED_CLAIMS"]


def nonnegative_on(coeffs: dict[int, Fraction], a: Fraction, b: Fraction) -> tuple[bool, Fraction | None]:
    """Is P(t) = Σ_e coeffs[e] t^e >= 0 for every t in [a, b]? Returns (True, None) or
    (False, t0) with P(t0) < 0, t0 rational. Exact (sympy root isolation over QQ)."""
    import sympy as sp

    terms = {e: Fraction(c) for e, c in coeffs.items() if c != 0}
    if not terms:
        return True, None
    t = sp.Symbol("t")
    poly = sp.Poly({(e,): sp.Rational(c.numerator, c.denominator) for e, c in terms.items()}, t, domain="QQ")

    def value(x: Fraction) -> Fraction:
        return sum((c * x**e for e, c in terms.items()), Fraction(0))

    lo_q, hi_q = sp.Rational(a.numerator, a.denominator), sp.Rational(b.numerator, b.denominator)
    eps = None
    while True:
        # isolating intervals of the distinct real roots in [a, b], refined until consecutive
        # ones are separated by a gap (so a rational point strictly between two roots exists)
        roots = sorted((Fraction(int(lo.p), int(lo.q)), Fraction(int(hi.p), int(hi.q)))
                       for (lo, hi), _ in poly.intervals(inf=lo_q, sup=hi_q, eps=eps))
        if all(r1[1] < r2[0] for r1, r2 in zip(roots, roots[1:])):
            break
        width = min(hi - lo for lo, hi in roots if hi > lo)
        eps = sp.Rational((width / 4).numerator, (width / 4).denominator)
    points = [Fraction(a), Fraction(b)]
    # P has one sign on [a, r_1), (r_i, r_i+1) and (r_k, b]: one rational point in each
    edges = [Fraction(a)] + [x for lo, hi in roots for x in (lo, hi)] + [Fraction(b)]
    for left, right in zip(edges[0::2], edges[1::2]):
        if left < right:
            points.append((left + right) / 2)
    for x in sorted(points):
        if value(x) < 0:
            return False, x
    return True, None


@dataclass(frozen=True)
class Profile:
    """What the ρ-claims see of a Boolean function: exact weights W^0..W^n, I, deg, s."""

    n: int
    weights: tuple[Fraction, ...]
    total_influence: Fraction
    degree: int
    sensitivity: int


def profiles(signs: np.ndarray) -> dict[Profile, int]:
    """Distinct profiles of the (B, 2**n) ±1 tables with how many tables have each."""
    n = signs.shape[1].bit_length() - 1
    weights = bs.fourier_weights(signs, exact=True).reshape(-1, n + 1)
    total = np.atleast_1d(bs.total_influence(signs, exact=True))
    deg = np.atleast_1d(bs.degree(signs))
    sens = np.atleast_1d(bs.sensitivity(signs))
    out: dict[Profile, int] = {}
    for b in range(signs.shape[0]):
        p = Profile(n, tuple(weights[b]), Fraction(total[b]), int(deg[b]), int(sens[b]))
        out[p] = out.get(p, 0) + 1
    return out


def _stab_in_t(p: Profile, q: int) -> dict[int, Fraction]:
    """Stab_ρ with ρ = t^q: Σ_k W^k t^{qk}."""
    out: dict[int, Fraction] = {}
    for k, w in enumerate(p.weights):
        if w:
            out[q * k] = out.get(q * k, Fraction(0)) + w
    return out


def _minus_monomial(poly: dict[int, Fraction], e: int, c: Fraction = Fraction(1)) -> dict[int, Fraction]:
    out = dict(poly)
    out[e] = out.get(e, Fraction(0)) - c
    return out


def _binomial_poly(a: Fraction, b: Fraction, k: int) -> dict[int, Fraction]:
    """(a + b δ)^k as {power: coefficient}."""
    from math import comb

    return {j: Fraction(comb(k, j)) * a ** (k - j) * b**j for j in range(k + 1)}


#: relation id -> (claim, description, interval, builder of P(t) >= 0 from a profile)
def _relations(exponent: Callable[[Profile], Fraction] | None = None) -> dict[str, tuple[str, str, tuple, Callable]]:
    def I_of(p):
        return p.total_influence if exponent is None else exponent(p)

    # each builder returns (coefficients of P(t), q) with ρ = t^q (q = 1: P is in ρ or δ itself)
    def jensen(p):  # Stab_ρ - ρ^I >= 0, ρ = t^q
        I = Fraction(I_of(p))
        q = I.denominator
        return _minus_monomial(_stab_in_t(p, q), I.numerator), q

    def level_deg(p):  # ρ^I - ρ^deg >= 0
        I = Fraction(I_of(p))
        q = I.denominator
        return ({I.numerator: Fraction(1), q * p.degree: Fraction(-1)} if I.numerator != q * p.degree else {}), q

    def level_s2(p):  # ρ^deg - ρ^{s²} >= 0
        e1, e2 = p.degree, p.sensitivity**2
        return ({e1: Fraction(1), e2: Fraction(-1)} if e1 != e2 else {}), 1

    def chain_end(p):  # Stab_ρ - ρ^{s²} >= 0 (Pr_ρ <= ½(1 - ρ^{s²}) directly)
        return _minus_monomial(_stab_in_t(p, 1), p.sensitivity**2), 1

    def ns_bound(p):  # δ·I - NS_δ >= 0 on [0, ½], NS_δ = ½ - ½ Σ W^k (1 - 2δ)^k
        out: dict[int, Fraction] = {1: Fraction(I_of(p)), 0: Fraction(-1, 2)}
        for k, w in enumerate(p.weights):
            if w:
                for j, c in _binomial_poly(Fraction(1), Fraction(-2), k).items():
                    out[j] = out.get(j, Fraction(0)) + w * c / 2
        return out, 1

    one = (Fraction(0), Fraction(1))
    return {
        "jensen: Stab_ρ ≥ ρ^I": ("jensen", "ρ ∈ [0, 1] (ρ = t^q, I = p/q)", one, jensen),
        "prop-2.2: Pr_ρ ≤ ½(1 − ρ^I)": ("prop-2.2", "ρ ∈ [0, 1] (same polynomial as Jensen)", one, jensen),
        "prop-2.2: ½(1 − ρ^I) ≤ ½(1 − ρ^deg)": ("prop-2.2", "ρ ∈ [0, 1]", one, level_deg),
        "prop-2.2: ½(1 − ρ^deg) ≤ ½(1 − ρ^{s²})": ("prop-2.2", "ρ ∈ [0, 1]", one, level_s2),
        "prop-2.2: Pr_ρ ≤ ½(1 − ρ^{s²})": ("prop-2.2", "ρ ∈ [0, 1]", one, chain_end),
        "noise-sensitivity: NS_δ ≤ δ·I(f)": ("noise-sensitivity", "δ ∈ [0, ½]", (Fraction(0), Fraction(1, 2)),
                                             ns_bound),
    }


@dataclass
class CertificateResult:
    """One relation certified over a set of profiles (or functions, for identities)."""

    relation: str
    claim: str
    interval: str
    held: bool
    profiles: int
    functions: int
    domain: str
    seconds: float
    witness: str = ""
    notes: list[str] = field(default_factory=list)


def _witness(t0: Fraction, q: int, relation: str) -> str:
    if relation.startswith("noise-sensitivity"):
        return f"δ = {t0}"
    return f"ρ = {t0**q}" + (f" (= t^{q}, t = {t0})" if q != 1 else "")


def certify_profiles(profs: dict[Profile, int], *, domain: str,
                     exponent: Callable[[Profile], Fraction] | None = None,
                     relations: Iterable[str] | None = None) -> list[CertificateResult]:
    """Certify every ρ-inequality of :func:`_relations` on each distinct profile. ``exponent``
    replaces I(f) in the ρ^I relations (a deliberately false variant for tests, e.g. I/2)."""
    rels = _relations(exponent)
    chosen = list(rels) if relations is None else list(relations)
    out = []
    decided: dict[tuple, tuple[bool, Fraction | None]] = {}  # relations that share a polynomial share its decision
    for name in chosen:
        claim, interval_text, (a, b), build = rels[name]
        t0 = time.perf_counter()
        held, witness = True, ""
        for p in sorted(profs, key=lambda p: (p.n, p.weights, p.total_influence, p.degree, p.sensitivity)):
            coeffs, q = build(p)
            memo = (build.__name__, p, a, b)
            if memo not in decided:
                decided[memo] = nonnegative_on(coeffs, a, b)
            ok, x = decided[memo]
            if not ok:
                held = False
                witness = (f"{_witness(x, q, name)} for the profile n={p.n}, W={[str(w) for w in p.weights]}, "
                           f"I={p.total_influence}, deg={p.degree}, s={p.sensitivity}")
                break
        out.append(CertificateResult(name, claim, interval_text, held, len(profs), sum(profs.values()), domain,
                                     time.perf_counter() - t0, witness))
    return out


def _autocorrelation_counts(signs: np.ndarray) -> np.ndarray:
    """(B, n+1) integer sums Σ_{|z|=j} Σ_x f(x) f(x ⊕ z), by brute force (no transform)."""
    B, N = signs.shape
    n = N.bit_length() - 1
    x = np.arange(N)
    s = signs.astype(np.int64)
    out = np.zeros((B, n + 1), dtype=np.int64)
    weight = popcount(x)
    for z in range(N):
        out[:, weight[z]] += (s * s[:, x ^ z]).sum(axis=1)
    return out


def certify_identities(signs: np.ndarray, *, domain: str, power_offset: int = 0) -> list[CertificateResult]:
    """The polynomial identities, per function, as exact coefficient vectors:

    * ``stability-fourier``: E[f(x)f(y)] over ρ-correlated pairs, i.e.
      2^{-n} Σ_z ((1+ρ)/2)^{n-|z|} ((1-ρ)/2)^{|z|} Σ_x f(x)f(x⊕z), equals Σ_k W^k ρ^k;
    * ``disagreement`` / ``noise-sensitivity`` identities follow from it by ½ − ½(·), the same
      polynomial, so one comparison covers the three.

    ``power_offset`` moves W^k to ρ^{k+offset} on the spectral side (a false variant for tests).
    """
    from math import comb

    t0 = time.perf_counter()
    B, N = signs.shape
    n = N.bit_length() - 1
    corr = _autocorrelation_counts(signs)  # (B, n+1)
    # 4^n E[f(x)f(y)] = Σ_j corr_j (1+ρ)^{n-j} (1-ρ)^j: integer coefficients of ρ^k
    basis = np.zeros((n + 1, n + 1), dtype=np.int64)  # basis[j, k]: coeff of ρ^k in (1+ρ)^{n-j}(1-ρ)^j
    for j in range(n + 1):
        for a in range(n - j + 1):
            for b in range(j + 1):
                basis[j, a + b] += comb(n - j, a) * comb(j, b) * (-1) ** b
    pair = corr @ basis  # (B, n+1): 4^n × coefficient of ρ^k
    spectral = np.asarray(bs.fourier_weights(signs, exact=True).reshape(B, n + 1) * (4**n)).astype(np.int64)
    if power_offset:
        spectral = np.roll(spectral, power_offset, axis=1)
    bad = np.flatnonzero((pair != spectral).any(axis=1))
    held = bad.size == 0
    witness = "" if held else f"hex {bs.BooleanFunction.from_signs(signs[bad[0]]).to_hex()} (n={n})"
    return [CertificateResult("stability-fourier, disagreement, noise-sensitivity identities: "
                              "pair sum = Σ_k W^k ρ^k as polynomials", "stability-fourier", "every ρ (identity)",
                              held, B, B, domain, time.perf_counter() - t0, witness)]


def census_profiles(n: int = 5, *, progress: Callable[[str], None] | None = None
                    ) -> tuple[dict[Profile, int], str, np.ndarray]:
    """The distinct profiles of every function on n variables, from the census (each class's
    profile weighted by its orbit size), a description of that domain, and the ±1 tables of the
    class representatives."""
    if progress:
        progress(f"census of n={n}")
    rows = bs.census(n)
    profs: dict[Profile, int] = {}
    den = 4**n
    for r in rows:
        weights = tuple(Fraction(int(v), den) for v in r["level_sums"])
        p = Profile(n, weights, Fraction(int(r["sensitive_edges"]), 1 << (n - 1)), int(r["degree"]),
                    int(r["sensitivity"]))
        profs[p] = profs.get(p, 0) + int(r["orbit"])
    total = sum(profs.values())
    return (profs, f"every function on n = {n} ({total:,} functions, {len(rows):,} classes)",
            bs.tables_to_signs(rows["table"], n))


def _all_functions(n: int) -> np.ndarray:
    v = np.arange(1 << (1 << n), dtype=np.int64)
    return (1 - 2 * ((v[:, None] >> np.arange(1 << n)) & 1)).astype(np.int8)


#: the claims certified here (the others are identities of fixed numbers or not ρ-dependent)
CERTIFIED_CLAIMS = ("jensen", "prop-2.2", "noise-sensitivity", "stability-fourier", "disagreement")


def certify(n_max: int = 4, *, extra: dict[Profile, int] | None = None, extra_domain: str = "",
            extra_signs: np.ndarray | None = None,
            progress: Callable[[str], None] | None = None) -> list[CertificateResult]:
    """Certificates for every function on n = 1..``n_max`` (n_max <= 4), plus the profiles
    ``extra`` and the identities on the tables ``extra_signs`` (e.g. the n = 5 census's profiles
    and class representatives: the identities are invariant under the NPN group) certified
    separately."""
    if not 1 <= n_max <= 4:
        raise ValueError(f"n_max={n_max} must lie in [1, 4] (n = 5 comes through extra=, from the census)")
    profs: dict[Profile, int] = {}
    identity_results: list[CertificateResult] = []
    total = 0
    for n in range(1, n_max + 1):
        signs = _all_functions(n)
        total += signs.shape[0]
        if progress:
            progress(f"profiles of the {signs.shape[0]:,} functions on n={n}")
        for p, c in profiles(signs).items():
            profs[p] = profs.get(p, 0) + c
        identity_results += certify_identities(signs, domain=f"all {signs.shape[0]:,} functions on n={n}")
    domain = f"every function on n = 1..{n_max} ({total:,} functions)"
    results = certify_profiles(profs, domain=domain)
    merged = CertificateResult(identity_results[0].relation, "stability-fourier", "every ρ (identity)",
                               all(r.held for r in identity_results), sum(r.profiles for r in identity_results),
                               sum(r.functions for r in identity_results), domain,
                               sum(r.seconds for r in identity_results),
                               next((r.witness for r in identity_results if not r.held), ""))
    results.append(merged)
    if extra:
        results += certify_profiles(extra, domain=extra_domain)
    if extra_signs is not None:
        results += certify_identities(extra_signs, domain=extra_domain)
    return results


def format_certificates(results: Sequence[CertificateResult]) -> str:
    """A table: relation, interval, verdict (certified / counterexample), profiles, functions."""
    head = ("relation", "interval", "verdict", "profiles", "functions", "domain", "time")
    rows = []
    for r in results:
        verdict = "certified for all" if r.held else f"COUNTEREXAMPLE {r.witness}"
        rows.append((r.relation, r.interval, verdict, f"{r.profiles:,}", f"{r.functions:,}", r.domain,
                     f"{r.seconds:.1f}s"))
    widths = [max(len(h), *(len(row[i]) for row in rows)) for i, h in enumerate(head)]
    line = lambda cells: "  ".join(c.ljust(w) for c, w in zip(cells, widths))  # noqa: E731
    out = [line(head), "  ".join("-" * w for w in widths)] + [line(row) for row in rows]
    out.append("level-k: not certified exactly (its bound ρ^{-k} α^{2/(1+ρ)} is not polynomial in ρ); "
               "checked on its ρ grid by `boolsens verify --claim level-k`.")
    return "\n".join(out)
