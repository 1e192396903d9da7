"""Second-order facts about the course's functions, exact where sympy can and 70-digit otherwise.

Gradients and Hessians (sympy diff), critical points (``solve``, or ``nsolve`` from a grid of
starts where ``solve`` cannot: x*cos(0.15*pi*x)), Hessian eigenvalues there and the
classification they imply, Newton steps (exact rational solves), largest stable learning rates
(exact eigenvalues), Taylor models, Hessian-vector products with the central-difference error
bound, and the dominant eigenpair that power iteration converges to.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import (U, work_dps, Derived, exact, exact_eigenvalues, float_tolerance, inf_norm, rational,
                      rational_matrix, to_mpf)
from ..registry import derivation
from .functions import at, symbolic


def _point(point):
    return [rational(p) for p in (point if isinstance(point, (list, tuple)) else [point])]


@derivation
def function_derivatives(function, points):
    """f, its gradient and its Hessian at each point (exact rationals / 50 digits)."""
    variables, f, grad, hess = symbolic(function)
    fs, gs, hs = [], [], []
    for p in points:
        pt = _point(p)
        fs.append(at(f, variables, pt))
        gs.append(list(at(grad, variables, pt)))
        hs.append(at(hess, variables, pt).tolist())
    why = ("a course function evaluated in float64 at these points: a few ulps of the terms "
           "(trig of an argument up to ~10 loses ~|argument| ulps); rtol 1e-13 and atol 1e-12")
    return {"f": Derived(fs, rtol=1e-13, atol=1e-12, why=why),
            "grad": Derived(gs, rtol=1e-13, atol=1e-12, why=why),
            "hess": Derived(hs, rtol=1e-13, atol=1e-12, why=why),
            "gradient_expression": exact([str(e) for e in grad]),
            "hessian_expression": exact([[str(e) for e in row] for row in hess.tolist()])}


def _classify(eigs, zero):
    pos = sum(1 for e in eigs if e > zero)
    neg = sum(1 for e in eigs if e < -zero)
    if pos and neg:
        return "saddle"
    if pos + neg < len(eigs):
        return "degenerate"
    return "minimum" if pos else "maximum"


def _critical_points_1d(f, var, lo, hi, starts):
    """Roots of f' in [lo, hi]: sympy's solve when it returns a finite list, else nsolve from
    ``starts`` evenly spaced points (deduplicated at 1e-30)."""
    fp = sp.diff(f, var)
    try:
        sols = sp.solve(fp, var)
        roots = [s for s in sols if s.is_real and lo <= s <= hi]
        method = "solve"
        if not roots and not sols:
            raise NotImplementedError
    except NotImplementedError:
        roots, method = [], "nsolve"
        for k in range(starts):
            x0 = sp.Rational(lo) + (sp.Rational(hi) - sp.Rational(lo)) * sp.Rational(k, starts - 1)
            try:
                r = sp.nsolve(fp, var, x0, prec=60)
            except (ValueError, ZeroDivisionError):
                continue
            if lo <= r <= hi and all(abs(r - q) > sp.Float("1e-30") for q in roots):
                roots.append(r)
        roots.sort()
    return roots, method


@derivation
def critical_points(function, window, starts=41):
    """Critical points of a course function in a box, the Hessian's eigenvalues there and the
    classification (minimum / maximum / saddle / degenerate) those exact eigenvalues give."""
    variables, f, grad, hess = symbolic(function)
    lo, hi = (rational(w) for w in window)
    if len(variables) == 1:
        roots, method = _critical_points_1d(f, variables[0], lo, hi, starts)
        points = [[r] for r in roots]
    elif function == "sin(x^2)+cos(y^2)":
        # The gradient (2x cos(x^2), -2y sin(y^2)) separates: each coordinate solves its own
        # one-dimensional equation (exactly: x^2 = pi/2 + k pi, y^2 = k pi).
        xs, _ = _critical_points_1d(sp.sin(variables[0]**2), variables[0], lo, hi, starts)
        ys, _ = _critical_points_1d(sp.cos(variables[1]**2), variables[1], lo, hi, starts)
        points = [[a, b] for a in xs for b in ys]
        method = "solve per coordinate"
    else:
        sols = sp.solve(list(grad), variables, dict=True)
        points = [[s[v] for v in variables] for s in sols
                  if all(s[v].is_real and lo <= s[v] <= hi for v in variables)]
        method = "solve"
    out_points, out_eigs, labels, hessians = [], [], [], []
    for p in sorted(points, key=lambda q: [sp.N(c, 30) for c in q]):
        H = at(hess, variables, p)
        if H.is_diagonal():
            eigs = sorted((sp.N(H[i, i], 60) for i in range(H.rows)), key=float)
        elif all(h.is_Rational for h in H):
            eigs = [sp.N(e, 60) for e in exact_eigenvalues(H)]
        else:
            eigs = sorted(mpmath.eigsy(mpmath.matrix([[to_mpf(h) for h in row]
                                                      for row in H.tolist()]))[0])
        # At a root known to 60 digits an eigenvalue below 1e-40 is 0 (the exact Hessian is
        # singular there: x^3 at 0, sin(x^2)+cos(y^2) at y = 0).
        zero = sp.Float("1e-40")
        out_points.append(p)
        out_eigs.append(list(eigs))
        hessians.append(H.tolist())
        labels.append(_classify([sp.Float(e, 60) if not isinstance(e, sp.Basic) else e
                                 for e in eigs], zero))
    return {"points": Derived(out_points, rtol=1e-15, atol=1e-15,
                              why="a root stored to 50 digits, rounded once to float64"),
            "eigenvalues": Derived(out_eigs, rtol=1e-12, atol=1e-12,
                                   why="eigenvalues of the float64 Hessian move by <= |H| * 1e-15"),
            "hessians": Derived(hessians, rtol=1e-15, atol=1e-15, why="rounded once"),
            "labels": exact(labels, "from the signs of the exact eigenvalues"),
            "method": exact(method)}


@derivation
def newton_step(x, g, H, damping="0"):
    """x - (H + damping I)^-1 g by an exact rational solve; the forward error of a float64 solve
    is bounded by cond(H + damping I) * n * u * |d| (Higham, Thm 7.2, first order)."""
    X = rational_matrix(x)
    G = rational_matrix(g)
    Hm = rational_matrix(H)
    n = Hm.rows
    K = Hm + rational(damping) * sp.eye(n)
    d = K.LUsolve(G)
    eigs = [abs(sp.N(e, 40)) for e in exact_eigenvalues(K)]
    cond = max(eigs) / min(eigs)
    dmax = max(abs(to_mpf(v)) for v in d)
    bound = 4 * n * U * to_mpf(cond) * dmax + 2 * U * max(abs(to_mpf(v)) for v in X - d)
    return {"x_new": Derived(list(X - d), atol=float_tolerance(bound),
                             why=f"LU solve forward error <= 4 n u cond |d| with cond = "
                                 f"{float(cond):.3g}, plus one rounding of x - d"),
            "step": exact(list(d)),
            "ascent": exact(list(X + d), "x + (H + damping I)^-1 g: the sign mistake"),
            "times_hessian": exact(list(X - K * G), "x - (H + damping I) g: multiplied instead of solved"),
            "no_damping": exact(list(X - Hm.LUsolve(G)) if Hm.det() != 0 else list(X),
                                "damping ignored")}


@derivation
def classify_hessian(H, tol="1/100000000"):
    """The classification from the exact eigenvalues of a rational symmetric matrix, with the
    tolerance rule of the contract (|lambda| <= tol counts as zero unless signs prove a saddle)."""
    Hm = rational_matrix(H)
    eigs = exact_eigenvalues(Hm)
    t = rational(tol)
    pos = sum(1 for e in eigs if e > t)
    neg = sum(1 for e in eigs if e < -t)
    if pos and neg:
        label = "saddle"
    elif pos + neg < len(eigs):
        label = "degenerate"
    else:
        label = "minimum" if pos else "maximum"
    zeros = len(eigs) - pos - neg
    # the mistake: |lambda| <= tol counted as positive (a zero never makes it degenerate)
    zero_as_positive = ("saddle" if (pos + zeros) and neg else "minimum" if neg == 0 else "maximum")
    return {"label": exact(label), "eigenvalues": exact(eigs),
            "zero_as_positive": exact(zero_as_positive, "|lambda| <= tol counted as positive")}


@derivation
def max_stable_learning_rate(H):
    """2 / lambda_max with lambda_max exact (a root of the characteristic polynomial)."""
    Hm = rational_matrix(H)
    eigs = exact_eigenvalues(Hm)
    lmax = max(eigs, key=lambda e: sp.N(e, 50))
    lmin = min(eigs, key=lambda e: sp.N(e, 50))
    definite = "true" if sp.N(lmin, 50) > 0 else "false"
    return {"eta_max": Derived(2 / lmax, rtol=16 * float(U),
                               why="eigvalsh is backward stable: |dlambda| <= ~n u |H| with "
                                   "|H| <= a few lambda_max; 16 ulps"),
            "positive_definite": exact(definite),
            "one_over": exact(1 / lmax, "1 / lambda_max"),
            "two_over_min": exact(2 / lmin if lmin != 0 else 0, "2 / lambda_min"),
            "two_over_max_diag": exact(2 / max(Hm[i, i] for i in range(Hm.rows)),
                                       "2 / max(diag H)")}


@derivation
def taylor_model(function, point, delta):
    """f(p) + g.delta + delta.H.delta/2 at a point of a course function (exact / 50 digits),
    the model without the 1/2, and the true f(p + delta) for comparison."""
    variables, f, grad, hess = symbolic(function)
    p = _point(point)
    d = sp.Matrix(_point(delta))
    fx, g, H = at(f, variables, p), at(grad, variables, p), at(hess, variables, p)
    model = fx + (g.T * d)[0] + (d.T * H * d)[0] / 2
    scale = abs(to_mpf(fx)) + abs(to_mpf((g.T * d)[0])) + abs(to_mpf((d.T * H * d)[0]))
    return {"f_x": exact(fx), "g": exact(list(g)), "H": exact(H.tolist()),
            "model": Derived(model, atol=float_tolerance(8 * U * scale),
                             why="a dot product and a quadratic form: <= 8 ulps of the terms"),
            "no_half": exact(fx + (g.T * d)[0] + (d.T * H * d)[0], "delta.H.delta without 1/2"),
            "f_at_x_plus_delta": exact(at(f, variables, [a + b for a, b in zip(p, d)]))}


@derivation
def taylor_exact(f_x, g, H, delta):
    """The Taylor model from given rational pieces (any dimension, 1 x 1 included)."""
    G = rational_matrix(g)
    Hm = rational_matrix(H)
    D = rational_matrix(delta)
    lin, quad = (G.T * D)[0], (D.T * Hm * D)[0]
    model = rational(f_x) + lin + quad / 2
    scale = abs(to_mpf(rational(f_x))) + abs(to_mpf(lin)) + abs(to_mpf(quad))
    return {"model": Derived(model, atol=float_tolerance(8 * U * scale),
                             why="a dot product and a quadratic form: <= 8 ulps of the terms"),
            "no_half": exact(rational(f_x) + lin + quad, "delta.H.delta without 1/2"),
            "minus_linear": exact(rational(f_x) - lin + quad / 2, "f - g.delta")}


@derivation
def hvp_closed_form(kind, x, v, h="1/100000", A=None):
    """H v where it is exact and the central difference's own error is known exactly: ``kind``
    "quartic_sum" (f = sum x^4 / 4, grad = x^3 elementwise, H = diag(3 x^2); the central
    difference of a cubic errs by exactly h^2 v^3) or "quadratic" (grad = A x: H v = A v, and the
    central difference is exact up to rounding)."""
    X, V, step = [rational(a) for a in x], [rational(a) for a in v], rational(h)
    if kind == "quartic_sum":
        hv = [3 * a**2 * b for a, b in zip(X, V)]
        central = [((a + step * b) ** 3 - (a - step * b) ** 3) / (2 * step) for a, b in zip(X, V)]
        assert all(c - e == step**2 * b**3 for c, e, b in zip(central, hv, V))
    elif kind == "quadratic":
        hv = list(rational_matrix(A) * sp.Matrix(V))
        central = hv
    else:
        raise ValueError(kind)
    return {"hv": exact(hv, "H v exactly"),
            "central_difference": exact(central, "(grad(x + h v) - grad(x - h v)) / (2 h), exactly")}


@derivation
def hessian_vector_product(function, point, v, h="1/100000"):
    """Exact H(x) v, and the tolerance of the central difference (grad(x+hv)-grad(x-hv))/2h:

    truncation: |error_i| <= h^2/6 * max_{|t|<=h} |d^3/dt^3 grad_i(x + t v)|, with the third
    derivative evaluated in mpmath interval arithmetic over [-h, h] (a rigorous bound);
    rounding: the two float64 gradients carry <= 8 ulps of |grad| each (divided by 2h), and the
    rounding of x +- h v moves them by <= |H| u |x| (divided by h).
    """
    variables, f, grad, hess = symbolic(function)
    p = _point(point)
    V = sp.Matrix(_point(v))
    hh = rational(h)
    exact_hv = at(hess, variables, p) * V
    t = sp.Symbol("t", real=True)
    along = {var: pi + t * vi for var, pi, vi in zip(variables, p, V)}
    third = [sp.diff(gi.subs(along), t, 3) for gi in grad]
    iv = mpmath.iv
    iv.dps = 30
    interval = iv.mpf([-to_mpf(hh), to_mpf(hh)])
    repl = {"sin": iv.sin, "cos": iv.cos, "exp": iv.exp, "pi": iv.pi, "sqrt": iv.sqrt, "mpf": iv.mpf}
    m3 = []
    for expr in third:
        fn = sp.lambdify(t, expr, [repl, "mpmath"])
        value = fn(interval) if expr.free_symbols else iv.mpf(to_mpf(expr))
        # the interval's upper end of |value|, read back as a plain mpf (rounded up by 1e-10)
        if hasattr(value, "_mpi_"):
            lo_, hi_ = (mpmath.mp.make_mpf(e) for e in value._mpi_)
            upper = max(abs(lo_), abs(hi_))
        else:
            upper = abs(to_mpf(value))
        m3.append(upper * (1 + mpmath.mpf("1e-10")))
    m3 = max(m3)
    truncation = to_mpf(hh) ** 2 / 6 * m3
    gmax = max(abs(to_mpf(gi)) for pt in ([a + hh * b for a, b in zip(p, V)],
                                          [a - hh * b for a, b in zip(p, V)])
               for gi in at(grad, variables, pt))
    hnorm = inf_norm(at(hess, variables, p).tolist())
    xmax = max(abs(to_mpf(a)) for a in p) + to_mpf(hh) * max(abs(to_mpf(b)) for b in V)
    rounding = (8 * U * gmax + hnorm * U * xmax) / to_mpf(hh)
    forward = (at(grad, variables, [a + hh * b for a, b in zip(p, V)]) - at(grad, variables, p)) / hh
    central = (at(grad, variables, [a + hh * b for a, b in zip(p, V)])
               - at(grad, variables, [a - hh * b for a, b in zip(p, V)])) / (2 * hh)
    return {"hv": Derived(list(exact_hv), atol=float_tolerance(truncation + rounding, safety=2),
                          why=f"central difference: truncation h^2/6*max|D^3| = {float(truncation):.2e}"
                              f", rounding (8u|g| + |H|u|x|)/h = {float(rounding):.2e}; 2x their sum"),
            "central_difference": exact(list(central), "the difference quotient itself, exactly"),
            "forward_difference": exact(list(forward), "(grad(x+hv) - grad(x))/h"),
            "missing_half": exact([2 * c for c in central], "(grad(x+hv) - grad(x-hv))/h"),
            "truncation_bound": exact(truncation), "rounding_bound": exact(rounding)}


@derivation
def dominant_eigenpair(A):
    """The eigenvalues of a rational symmetric matrix (exact roots, to 50 digits) and the unit
    eigenvectors (mpmath at 70 digits), sorted by decreasing |lambda|: row 0 is the pair power
    iteration converges to. A test bounds its convergence from its own start vector."""
    Am = rational_matrix(A)
    exact_eigs = exact_eigenvalues(Am)
    mpA = mpmath.matrix([[to_mpf(a) for a in row] for row in Am.tolist()])
    E, Q = mpmath.eigsy(mpA)
    order = sorted(range(len(E)), key=lambda i: -abs(E[i]))
    eigs = [E[i] for i in order]
    for e in eigs:            # mpmath's eigenvalues are the exact roots, to all but 20 digits
        assert min(abs(e - to_mpf(r)) for r in exact_eigs) < mpmath.mpf(10) ** (20 - work_dps())
    vecs = [[Q[r, i] for r in range(Q.rows)] for i in order]
    assert len(eigs) == 1 or abs(eigs[0]) > abs(eigs[1]), "power iteration needs a dominant eigenvalue"
    return {"eigenvalues": Derived(eigs, rtol=1e-14, why="eigenvalues to 50 digits"),
            "eigenvectors": Derived(vecs, rtol=1e-14, why="unit eigenvectors, rows, same order"),
            "ratio": exact(abs(eigs[1]) / abs(eigs[0]) if len(eigs) > 1 else mpmath.mpf(0),
                           "|lambda_2| / |lambda_1|, the rate")}
