"""The Keras lab's expected numbers: activation curves and the loss surfaces' critical points.

The lab's three surfaces are *separable*, L(x, y) = g(x) + h(y), so their critical points are the
pairs of 1-D critical points of g and h, and each pair is classified without the Hessian test
(which is silent where a second derivative vanishes, as cos(y^2) has at y = 0): a 1-D critical
point is a minimum or a maximum by the sign of its first non-zero derivative of even order (an odd
one first makes it an inflection, which the lab's functions never have). Then

* minimum + minimum = a local minimum, maximum + maximum = a local maximum,
* a minimum along one axis and a maximum along the other = a saddle.

The lab's source annotates its figures with coordinates where it should mark the critical points
themselves; here every point is derived, inside the closed square [-limit, limit]^2 the lab plots.
"""

from __future__ import annotations

import sympy as sp

from ..derive import U, Derived, rational
from ..registry import derivation

t = sp.Symbol("t", real=True)
SIGMOID = 1 / (1 + sp.exp(-t))
EPS64 = 2 * float(U)

u = sp.Symbol("u", nonnegative=True)
#: (G, H) with L(x, y) = G(x^2) + H(y^2): every surface of the lab is a function of the squares.
SURFACES = {
    "convex": (u, u),
    "non-convex": (sp.sin(u), sp.cos(u)),
    "saddle": (u, -u),
}


def _one_d_critical(outer: sp.Expr, limit: sp.Rational) -> list[tuple[sp.Expr, str]]:
    """The critical points of g(t) = outer(t^2) in [-limit, limit], each with "min" or "max".

    g'(t) = 2 t outer'(t^2): t = 0, and t = +-sqrt(u) for every root u in (0, limit^2] of outer'
    (solved in u, where sympy returns a finite set on a bounded interval)."""
    g = outer.subs(u, t**2)
    inner = sp.solveset(sp.diff(outer, u), u, sp.Interval.Lopen(0, limit**2))
    if inner is not sp.S.EmptySet and not isinstance(inner, sp.FiniteSet):
        raise ValueError(f"{outer}: the critical points are not a finite set: {inner}")
    roots = {sp.Integer(0)} | {s * sp.sqrt(r) for r in inner for s in (1, -1)}
    out = []
    for root in sorted(roots, key=lambda r: float(r)):
        for order in range(2, 9):
            value = sp.simplify(sp.diff(g, t, order).subs(t, root))
            if value != 0:
                break
        else:
            raise ValueError(f"{g}: every derivative up to 8 vanishes at {root}")
        if order % 2:
            raise ValueError(f"{g}: an inflection at {root}, not a minimum or maximum")
        out.append((root, "min" if value > 0 else "max"))
    return out


@derivation
def lab_critical_points(surface, limit):
    """The minima and saddle points of the lab's ``surface`` in [-limit, limit]^2, as sorted
    lists of (x, y), evaluated to 50 digits."""
    g, h = SURFACES[surface]
    lim = rational(limit)
    kinds = {"min": [], "saddle": [], "max": []}
    for x, gx in _one_d_critical(g, lim):
        for y, hy in _one_d_critical(h, lim):
            kind = gx if gx == hy else "saddle"
            kinds[kind].append((x, y))
    why = "exact algebraic numbers (0, sqrt(pi/2), sqrt(pi), ...) rounded once to float64"

    def points(items):
        ordered = sorted(items, key=lambda p: (float(p[0]), float(p[1])))
        return Derived([[sp.N(x, 50), sp.N(y, 50)] for x, y in ordered] or [],
                       rtol=2 * EPS64, atol=2 * EPS64, why=why)

    return {"minima": points(kinds["min"]), "saddles": points(kinds["saddle"]),
            "maxima": points(kinds["max"]),
            "values_at_minima": Derived([sp.N(g.subs(u, x**2) + h.subs(u, y**2), 50)
                                         for x, y in sorted(kinds["min"], key=lambda p: (float(p[0]), float(p[1])))],
                                        rtol=4 * EPS64, atol=4 * EPS64, why=why)}


@derivation
def lab_activation_curves(points):
    """sigmoid, tanh and ReLU and their derivatives (relu'(0) = 0) at exact points: the lines
    the lab's activation plots must draw."""
    zs = [rational(p) for p in points]
    tol = {"rtol": 8 * EPS64, "atol": 4 * EPS64,
           "why": "one exp or tanh and a few operations in float64: a few eps"}
    curves = {
        "sigmoid": SIGMOID, "sigmoid_grad": sp.diff(SIGMOID, t),
        "tanh": sp.tanh(t), "tanh_grad": sp.diff(sp.tanh(t), t),
    }
    out = {name: Derived([sp.N(expr.subs(t, z), 50) for z in zs], **tol) for name, expr in curves.items()}
    out["relu"] = Derived([max(z, 0) for z in zs], rtol=0, atol=0, why="exact")
    out["relu_grad"] = Derived([sp.Heaviside(z, 0) for z in zs], rtol=0, atol=0,
                               why="0 or 1 exactly; relu'(0) = 0 by the lab's contract")
    return out


@derivation
def lab_surface_values(xs, ys):
    """Each surface's value on the grid meshgrid(xs, ys) (rows follow ys, columns xs), at exact
    points: sin and cos at 50 digits."""
    grid = [(rational(y), rational(x)) for y in ys for x in xs]
    out = {}
    for name, (outer_x, outer_y) in SURFACES.items():
        values = [sp.N(outer_x.subs(u, x**2) + outer_y.subs(u, y**2), 50) for y, x in grid]
        rows = [values[i * len(xs):(i + 1) * len(xs)] for i in range(len(ys))]
        out[name] = Derived(rows, rtol=8 * EPS64, atol=8 * EPS64,
                            why="a square, a sine or cosine and a sum in float64: a few eps")
    return out
