"""Exact laws of the stochastic exercises, and acceptance bands derived from them.

Every band is for a false-failure probability ``delta`` (1e-9 unless stated), derived from the
exact law with a rigorous tail bound or exact quantiles, never tuned:

* sample second moment of n i.i.d. N(0, s^2): n m2 / s^2 ~ chi^2_n; Chernoff's bounds
  P(chi^2 >= n(1+t)) <= exp(-n/2 (t - ln(1+t))), P(chi^2 <= n(1-t)) <= exp(-n/2 (-t - ln(1-t)));
* sample mean of n i.i.d. N(0, s^2): exactly N(0, s^2/n), two-sided normal quantile (erfinv);
* bounded draws (uniform on [-a, a]): Hoeffding, P(|mean - mu| >= e) <= 2 exp(-2 n e^2 / range^2);
* a dropout mask's number of kept units: Binomial(n, p), exact quantiles at 70 digits.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import Derived, exact, rational, work_dps, working_precision
from ..registry import derivation

w = sp.Symbol("w", real=True)

INITIALISERS = {
    # name: (distribution, expression of the scale in fan_in, fan_out)
    "xavier_normal": ("normal", lambda fi, fo: sp.sqrt(sp.Rational(2) / (fi + fo))),
    "xavier_uniform": ("uniform", lambda fi, fo: sp.sqrt(sp.Rational(6) / (fi + fo))),
    "lecun_normal": ("normal", lambda fi, fo: sp.sqrt(sp.Rational(1) / fi)),
    "he_normal": ("normal", lambda fi, fo: sp.sqrt(sp.Rational(2) / fi)),
    "he_uniform": ("uniform", lambda fi, fo: sp.sqrt(sp.Rational(6) / fi)),
}


def _variance(kind, scale):
    """The variance of one draw, by integrating against the density (exact)."""
    if kind == "normal":
        density = sp.exp(-w**2 / (2 * scale**2)) / sp.sqrt(2 * sp.pi * scale**2)
        return sp.simplify(sp.integrate(w**2 * density, (w, -sp.oo, sp.oo)))
    return sp.simplify(sp.integrate(w**2 / (2 * scale), (w, -scale, scale)))


def _chernoff_band(n, delta):
    """(1 - t_lo, 1 + t_hi): P(chi^2_n <= n(1 - t_lo)) <= delta/2 and
    P(chi^2_n >= n(1 + t_hi)) <= delta/2."""
    target = mpmath.log(mpmath.mpf(delta) / 2)
    # Both exponents increase monotonically in t, so each equation has one root: bracket it
    # (for small n the lower root lies within 1e-19 of 1, out of reach of a Newton start).
    hi = mpmath.findroot(lambda t: -n / mpmath.mpf(2) * (t - mpmath.log(1 + t)) - target,
                         (mpmath.mpf("1e-30"), mpmath.mpf(10) ** 4), solver="illinois")
    # The lower root is solved for u = log(1 - t): t itself may lie closer to 1 than a 50-digit
    # bracket can resolve, and 1 - t, the band's own lower edge, would cancel.
    u = mpmath.findroot(lambda u: -n / mpmath.mpf(2) * (mpmath.expm1(u) - u) - target,
                        (-mpmath.mpf(10) ** 4, -mpmath.mpf("1e-30")), solver="illinois")
    return mpmath.exp(u), 1 + hi


def _normal_quantile(delta):
    """z with P(|N(0,1)| > z) = delta, exactly (erfinv at 70 digits)."""
    return mpmath.sqrt(2) * mpmath.erfinv(1 - mpmath.mpf(delta))


@derivation
def initializer_law(name, fan_in, fan_out, delta="1/1000000000"):
    """The scale (std or limit), the exact variance (by integration), and acceptance bands for
    the sample mean and second moment of all fan_in*fan_out draws (delta/2 each, so a correct
    initialiser fails a test checking both with probability <= delta). Also the variance each
    known mistake would give (fan_out for fan_in, std used as variance, limit without the root)."""
    fi, fo = sp.Integer(fan_in), sp.Integer(fan_out)
    kind, scale_of = INITIALISERS[name]
    scale = scale_of(fi, fo)
    var = _variance(kind, scale)
    n = int(fan_in * fan_out)
    d = rational(delta)
    half = d / 2
    if kind == "normal":
        lower, upper = _chernoff_band(n, half)
        m2_band = [var * sp.Float(lower, work_dps()), var * sp.Float(upper, work_dps())]
        mean_half = sp.sqrt(var / n) * sp.Float(_normal_quantile(half), work_dps())
        why = ("n m2/var ~ chi^2_n: Chernoff band at delta/2; mean ~ N(0, var/n): exact quantile at "
               "delta/2")
    else:
        # w^2 lies in [0, a^2] and w in [-a, a]: Hoeffding at delta/2 each
        eps2 = scale**2 * sp.sqrt(sp.log(2 / half) / (2 * n))
        m2_band = [var - eps2, var + eps2]
        mean_half = 2 * scale * sp.sqrt(sp.log(2 / half) / (2 * n))
        why = "Hoeffding on w^2 in [0, a^2] and w in [-a, a], delta/2 each"
    swapped = _variance(kind, scale_of(fo, fi))
    std_as_var = _variance(kind, scale**2) if kind == "normal" else var
    no_root = _variance("uniform", 6 / (fi + fo) if name == "xavier_uniform" else 6 / fi) \
        if kind == "uniform" else var
    return {"scale": Derived(scale, rtol=4e-16, why="one sqrt of a ratio: 2 ulps"),
            "kind": exact(kind), "variance": exact(var, "integral of w^2 against the density"),
            "n": exact(n),
            "m2_band": Derived(m2_band, why=why + f"; false-failure probability <= {delta}"),
            "mean_halfwidth": Derived(mean_half, why=why),
            "variance_fan_swapped": exact(swapped, "fan_in and fan_out exchanged"),
            "variance_std_as_var": exact(std_as_var, "the variance used as the standard deviation"),
            "variance_no_root": exact(no_root, "uniform limit 6/(fan) without the square root")}


@derivation
def binomial_band(n, p, delta="1/1000000000"):
    """Number of kept units of a dropout mask with n units and keep probability p:
    Binomial(n, p). Returns [k_lo, k_hi] with P(K < k_lo) <= delta/2 and P(K > k_hi) <= delta/2,
    from exact tail sums at 70 digits, and the same band for the keep/drop mistake (1 - p)."""
    P = rational(p) if "/" in str(p) or "." not in str(p) else sp.Float(str(p), 60)
    d = mpmath.mpf(sp.N(rational(delta), work_dps()))

    def band(prob):
        pm = mpmath.mpf(sp.N(prob, work_dps()))
        pmf = [mpmath.binomial(n, k) * pm**k * (1 - pm) ** (n - k) for k in range(n + 1)]
        lo, acc = 0, mpmath.mpf(0)
        while acc + pmf[lo] <= d / 2:
            acc += pmf[lo]
            lo += 1
        hi, acc = n, mpmath.mpf(0)
        while acc + pmf[hi] <= d / 2:
            acc += pmf[hi]
            hi -= 1
        return [lo, hi]

    return {"band": exact(band(P), f"exact Binomial({n}, {P}) tails, delta/2 each side"),
            "mean": exact(n * P), "variance": exact(n * P * (1 - P)),
            "band_if_swapped": exact(band(1 - P), "the band if keep and drop were exchanged")}


@derivation
def keep_probability(num_dropped, num_units):
    """p = 1 - num_dropped / num_units exactly; the drop fraction as the mistake."""
    p = 1 - sp.Rational(num_dropped, num_units)
    return {"p": Derived(p, rtol=4e-16, why="one division and one subtraction: 2 ulps"),
            "drop_fraction": exact(sp.Rational(num_dropped, num_units), "num_dropped / num_units")}


@derivation
def positive_definite_probability(n):
    """P(a random symmetric n x n matrix with i.i.d. N(0, 1) upper triangle is positive definite).

    n = 1: P(a > 0) = 1/2. n = 2: A = [[a, b], [b, c]] is positive definite iff a > 0, c > 0 and
    b^2 < ac; given a and c, P(|b| < sqrt(ac)) = erf(sqrt(ac/2)), so
    P = int_0^oo int_0^oo phi(a) phi(c) erf(sqrt(ac/2)) da dc, integrated by mpmath (tanh-sinh)
    at 34 digits and kept to 30 (a 60-digit run agrees to all 30; it takes minutes, not seconds).
    """
    if n == 1:
        return {"p": exact(sp.Rational(1, 2))}
    if n != 2:
        raise ValueError("only n = 1 and n = 2 have a closed form here")
    phi = lambda t: mpmath.exp(-t * t / 2) / mpmath.sqrt(2 * mpmath.pi)  # noqa: E731
    with working_precision(34):
        p = mpmath.quad(lambda a, c: phi(a) * phi(c) * mpmath.erf(mpmath.sqrt(a * c / 2)),
                        [0, mpmath.inf], [0, mpmath.inf])
        text = mpmath.nstr(p, 30)
    return {"p": Derived(mpmath.mpf(text), why="a double integral, 30 correct digits")}
