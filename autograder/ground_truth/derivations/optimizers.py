"""Exact and 70-digit trajectories of the first-order optimisers of ``gradient_descent``.

Quadratic problems f(x) = x.A.x / 2 (gradient A x) with rational A, x0 and step sizes give exact
rational iterates; nonlinear course functions and the adaptive methods (square roots) are
iterated in mpmath at 70 digits and stored to 50. Tolerances bound the float64 rounding of the
student's T-step recursion with :func:`propagated_rounding`: each step's rounding is a few ulps of
the numbers it handles, magnified afterwards by the Lipschitz constant of the remaining steps.
"""

from __future__ import annotations

import mpmath
import sympy as sp

from ..derive import (U, Derived, exact, float_tolerance, inf_norm, jacobian,
                      propagated_rounding, propagated_rounding_jac, rational, rational_matrix,
                      to_mpf)
from ..registry import derivation
from .functions import mp_callables

ROUNDING_WHY = ("float64 rounding of the {T}-step recursion: each step rounds its ~{ops} "
                "operations (<= {ops} ulps of the numbers involved), and later steps magnify an "
                "error by at most the max-norm of their Jacobian; 4x the first-order bound")


def _vector(x0):
    """x0 as a column of Rationals, and whether it was a scalar."""
    scalar = not isinstance(x0, (list, tuple))
    return rational_matrix([x0] if scalar else x0), scalar


def _rows(states, scalar):
    return [s[0] if scalar else list(s) for s in states]


@derivation
def gd_quadratic(A, x0, eta, steps):
    """gd on f(x) = x.A.x/2 (grad A x): exact rational trajectory, checked against the closed
    form x_k = (I - eta*A)^k x0, plus gradient *ascent* (the sign mistake)."""
    A = rational_matrix(A)
    x, scalar = _vector(x0)
    eta = rational(eta)
    n = A.rows
    M = sp.eye(n) - eta * A
    states, ascent = [x], [x]
    for _ in range(steps):
        states.append(states[-1] - eta * (A * states[-1]))
        ascent.append(ascent[-1] + eta * (A * ascent[-1]))
    for k, s in enumerate(states):       # the recursion is the closed form, exactly
        assert s == M**k * x, "gd recursion disagrees with (I - eta*A)^k x0"
    # n + 2 roundings of A x, eta * g and x - ..., plus 2 for the float64 inputs eta and A
    # themselves (1/10 is not a double): a relative perturbation u of eta*A moves x by u|eta A x|
    local = [(n + 4) * U * (1 + inf_norm((eta * A).tolist())) * max(abs(to_mpf(v)) for v in s)
             for s in states[:-1]]
    Mmp = [[to_mpf(a) for a in row] for row in M.tolist()]
    bound = max(propagated_rounding_jac(local, [Mmp] * steps))
    why = ROUNDING_WHY.format(T=steps, ops=n + 4) + " (the float64 rounding of eta and A included)"
    return {"trajectory": Derived(_rows(states, scalar), atol=float_tolerance(bound), why=why),
            "ascent": exact(_rows(ascent, scalar), "the trajectory of x <- x + eta*grad(x)"),
            "closed_form_checked": exact("true", "every iterate equals (I - eta*A)^k x0")}


@derivation
def gd_function(function, x0, eta, steps):
    """gd on a nonlinear course function, iterated at 70 digits with sympy's exact gradient."""
    _, grad, hess = mp_callables(function)
    scalar = not isinstance(x0, (list, tuple))
    x = [to_mpf(rational(v)) for v in ([x0] if scalar else x0)]
    eta = to_mpf(rational(eta))
    up = [list(x)]
    for _ in range(steps):
        up.append([a + eta * b for a, b in zip(up[-1], grad(up[-1]))])
    states, local, jacs = [x], [], []
    for _ in range(steps):
        g = grad(x)
        H = hess(x)
        n = len(x)
        jacs.append([[(1 if i == j else 0) - eta * H[i][j] for j in range(n)] for i in range(n)])
        # the float64 gradient of a trig function at x: ~8 ulps of |x| (the argument pi*x is
        # rounded, and |d grad/dx| = |f''| carries it) plus 8 ulps of |g| (which also covers
        # the rounding of eta and of x0 to float64)
        local.append(8 * U * (max(abs(v) for v in x) * (1 + eta * inf_norm(H))
                              + eta * max(abs(v) for v in g)))
        x = [a - eta * b for a, b in zip(x, g)]
        states.append(x)
    bound = max(propagated_rounding_jac(local, jacs))
    return {"trajectory": Derived(_rows(states, scalar), atol=float_tolerance(bound),
                                  why=ROUNDING_WHY.format(T=steps, ops=8)),
            "ascent": exact(_rows(up, scalar), "x <- x + eta * grad(x)")}


def _schedule(kind, params, t):
    if kind == "constant":
        return sp.Integer(1)
    if kind == "exponential":
        return sp.exp(-rational(params.get("rate", "1/10")) * t)
    if kind == "polynomial":
        return (1 + rational(params.get("alpha", "1/10")) * t) ** (-rational(params.get("power", "1/2")))
    if kind == "geometric":
        return rational(params["base"]) ** t
    raise ValueError(kind)


@derivation
def lr_schedule(kind, ts, params=None):
    """The schedule's factor at each step t, exact (exp and powers evaluated to 50 digits)."""
    params = params or {}
    values = [_schedule(kind, params, sp.Integer(t)) for t in ts]
    wrong_sign = [sp.exp(rational(params.get("rate", "1/10")) * t) for t in ts] \
        if kind == "exponential" else values
    return {"values": Derived(values, rtol=4 * float(U),
                              why="exp/pow of a float64 argument: libm is within 1 ulp, the "
                                  "product rate*t adds 1 ulp of relative error (4 ulps allowed)"),
            "wrong_sign": exact(wrong_sign, "exp(+rate*t): the sign mistake")}


@derivation
def sgd_affine(A, eta, steps, schedule="constant", params=None):
    """SGD on f = x.A.x/2 with noise n_t is affine in (x0, n_1..n_T): x_t = M_t x0 + sum_s N_ts n_s.

    Derived with symbolic noise variables, so a test can draw the noise from a fresh
    ``default_rng(seed)`` and compare the student's trajectory with M x0 + N n.
    """
    params = params or {}
    A = rational_matrix(A)
    n = A.rows
    eta = rational(eta)
    x0 = sp.Matrix(sp.symbols(f"a0:{n}"))
    noise = [sp.Matrix(sp.symbols(f"n{t}_0:{n}")) for t in range(1, steps + 1)]
    x = x0
    Ms, Ns, lips = [sp.eye(n)], [[sp.zeros(n, n) for _ in range(steps)]], []
    for t in range(1, steps + 1):
        c = eta * _schedule(schedule, params, sp.Integer(t))
        x = sp.expand(x - c * (A * x + noise[t - 1]))
        Ms.append(x.jacobian(list(x0)))
        Ns.append([x.jacobian(list(noise[s])) for s in range(steps)])
        lips.append(inf_norm((sp.eye(n) - c * A).tolist()))
    # Amplification of the per-step rounding: a test multiplies it by u times the size of the
    # numbers in its own trajectory (noise is only known at test time).
    amp = propagated_rounding([n + 3] * steps, lips)[-1]
    return {"M": exact([Mk.tolist() for Mk in Ms]),
            "N": exact([[Nts.tolist() for Nts in row] for row in Ns]),
            "amplification": Derived(amp, why=(
                "a test's atol = amplification * u * (max|x_k| + eta*(|A| max|x_k| + max|noise|)): "
                f"each step rounds ~{n + 3} operations and later steps magnify by |I - eta_t A|"))}


def _momentum_like(A, x0, v0, eta, beta, steps, nesterov):
    A = rational_matrix(A)
    x, scalar = _vector(x0)
    v, _ = _vector(v0)
    eta, beta = rational(eta), rational(beta)
    xs, vs = [x], [v]
    for _ in range(steps):
        g = A * (x + beta * v) if nesterov else A * x
        v = beta * v - eta * g
        x = x + v
        xs.append(x)
        vs.append(v)
    n = A.rows
    I = sp.eye(n)
    # Jacobian of (x, v) -> (x', v'): [[I - eta A, beta(I - eta A)], [-eta A, beta(I - eta A)]]
    # for Nesterov; [[I - eta A, beta I], [-eta A, beta I]] for heavy ball.
    B = beta * (I - eta * A) if nesterov else beta * I
    J = sp.Matrix(sp.BlockMatrix([[I - eta * A, B], [-eta * A, B]]))
    # per component: x and v entries each round ~n+4 operations of the step's size, plus 2 for
    # the float64 rounding of eta, beta and A
    local = [[(n + 6) * U * (1 + inf_norm((eta * A).tolist())) *
              (max(abs(to_mpf(a)) for a in xk) + max(abs(to_mpf(a)) for a in vk))] * (2 * n)
             for xk, vk in zip(xs[:-1], vs[:-1])]
    Jmp = [[to_mpf(a) for a in row] for row in J.tolist()]
    bound = max(propagated_rounding_jac(local, [Jmp] * steps))
    why = ROUNDING_WHY.format(T=steps, ops=n + 6) + " (the float64 rounding of eta, beta, A included)"
    return _rows(xs, scalar), _rows(vs, scalar), float_tolerance(bound), why


@derivation
def momentum_quadratic(A, x0, v0, eta, beta, steps):
    """Heavy-ball momentum (v <- beta v - eta A x, x <- x + v), exact; and the d2l form
    (v <- beta v + A x, x <- x - eta v) and Nesterov's trajectory as known wrong answers."""
    xs, vs, atol, why = _momentum_like(A, x0, v0, eta, beta, steps, nesterov=False)
    An = rational_matrix(A)
    x, scalar = _vector(x0)
    v, _ = _vector(v0)
    d2l, d2l_v = [x], [v]
    for _ in range(steps):
        v = rational(beta) * v + An * x
        x = x - rational(eta) * v
        d2l.append(x)
        d2l_v.append(v)
    # With a constant eta the d2l form moves x exactly as heavy ball does when v0 = 0 (its v is
    # -v/eta); only v, or a nonzero v0, tells the two apart.
    return {"x": Derived(xs, atol=atol, why=why), "v": Derived(vs, atol=atol, why=why),
            "d2l_x": exact(_rows(d2l, scalar), "the d2l form v <- beta v + g, x <- x - eta v"),
            "d2l_v": exact(_rows(d2l_v, scalar), "the d2l form's velocity")}


@derivation
def nesterov_quadratic(A, x0, v0, eta, beta, steps):
    """Nesterov momentum with the gradient at x + beta v, exact; plain momentum as the mistake."""
    xs, vs, atol, why = _momentum_like(A, x0, v0, eta, beta, steps, nesterov=True)
    hb_x, hb_v, _, _ = _momentum_like(A, x0, v0, eta, beta, steps, nesterov=False)
    return {"x": Derived(xs, atol=atol, why=why), "v": Derived(vs, atol=atol, why=why),
            "no_lookahead_x": exact(hb_x, "heavy-ball momentum: the gradient taken at x")}


# --- adaptive methods: 70-digit evaluation of the update formulas as the contract writes them ---

def _mp(value):
    if isinstance(value, (list, tuple)):
        return [_mp(v) for v in value]
    return to_mpf(rational(value))


def _map(f, *arrays):
    if isinstance(arrays[0], list):
        return [_map(f, *parts) for parts in zip(*arrays)]
    return f(*arrays)


def _flat(a):
    return [v for part in a for v in _flat(part)] if isinstance(a, list) else [a]


def _step_formula(method, variant):
    """Elementwise update of one coordinate, as the contract writes it (and known variants)."""
    sqrt = mpmath.sqrt

    def adagrad(x, s, g, eta, eps, **_):
        s = s + g * g
        den = sqrt(s) + eps if variant == "eps_outside" else sqrt(s + eps)
        return x - eta * g / den, s

    def rmsprop(x, s, g, eta, eps, gamma, **_):
        s = gamma * s + (g * g if variant == "no_one_minus_gamma" else (1 - gamma) * g * g)
        den = sqrt(s) + eps if variant == "eps_outside" else sqrt(s + eps)
        return x - eta * g / den, s

    def adam(x, v, s, g, eta, eps, beta1, beta2, t, **_):
        v = beta1 * v + (1 - beta1) * g
        s = beta2 * s + (1 - beta2) * g * g
        if variant == "no_bias_correction":
            vh, sh = v, s
        else:
            vh, sh = v / (1 - beta1 ** t), s / (1 - beta2 ** t)
        den = sqrt(sh + eps) if variant == "eps_inside" else sqrt(sh) + eps
        return x - eta * vh / den, v, s

    return {"adagrad": adagrad, "rmsprop": rmsprop, "adam": adam}[method]


HYPER_DEFAULTS = {"adagrad": {"eps": "1e-6"},
                  "rmsprop": {"gamma": "9/10", "eps": "1e-6"},
                  "adam": {"beta1": "9/10", "beta2": "999/1000", "eps": "1e-6"}}
VARIANTS = {"adagrad": ["eps_outside"], "rmsprop": ["no_one_minus_gamma", "eps_outside"],
            "adam": ["no_bias_correction", "eps_inside"]}


@derivation
def adaptive_step(method, x, g, eta, state, hyper=None, t=None):
    """One step of adagrad/rmsprop/adam from an arbitrary state, elementwise on any shape.

    ``state`` is {"s": ...} or {"v": ..., "s": ...}; the result has x, s (and v), plus the
    results of the known wrong variants. Evaluated at 70 digits (square roots are irrational).
    """
    h = {k: to_mpf(rational(v)) for k, v in {**HYPER_DEFAULTS[method], **(hyper or {})}.items()}
    if t is not None:
        h["t"] = int(t)
    X, G, S = _mp(x), _mp(g), _mp(state["s"])
    V = _mp(state["v"]) if "v" in state else None
    eta_ = to_mpf(rational(eta))

    def run(variant):
        step = _step_formula(method, variant)
        if method == "adam":
            out = _map(lambda a, b, c, d: step(a, b, c, d, eta=eta_, **h), X, V, S, G)
        else:
            out = _map(lambda a, c, d: step(a, c, d, eta=eta_, **h), X, S, G)
        return out

    def part(out, i):
        return _map(lambda o: o[i], out) if isinstance(out, list) else out[i]

    out = run(None)
    xs = part(out, 0)
    scale = max(abs(v) for v in _flat(X) + _flat(xs))
    step_size = max(abs(a - b) for a, b in zip(_flat(X), _flat(xs)))
    result = {"x": Derived(xs, atol=float_tolerance(12 * U * (scale + step_size)),
                           why="one step: ~12 roundings (products, sqrt, division) of at most "
                               "ulp(|x|) + ulp(|step|) each; 4x that")}
    names = ["v", "s"] if method == "adam" else ["s"]
    for i, name in enumerate(names, start=1):
        vals = part(out, i)
        top = max(abs(v) for v in _flat(vals)) if _flat(vals) else 0
        result[name] = Derived(vals, atol=float_tolerance(4 * U * top), rtol=8 * float(U),
                               why="a moment update is 3 roundings of the moment's own size")
    for variant in VARIANTS[method]:
        result["wrong_" + variant] = exact(part(run(variant), 0), f"x_new with the {variant} mistake")
    return result


@derivation
def adaptive_quadratic(method, A, x0, eta, steps, hyper=None):
    """``steps`` steps of adagrad/rmsprop/adam on f = x.A.x/2 from zero moments, at 70 digits,
    with the per-step Jacobian (by 70-digit differences) bounding the float64 rounding."""
    h = {k: to_mpf(rational(v)) for k, v in {**HYPER_DEFAULTS[method], **(hyper or {})}.items()}
    A = [[to_mpf(rational(a)) for a in row] for row in A]
    n = len(A)
    eta_ = to_mpf(rational(eta))
    nstate = 3 if method == "adam" else 2

    def full_step(state, t, step=_step_formula(method, None)):
        xs = state[:n]
        g = [sum(A[i][j] * xs[j] for j in range(n)) for i in range(n)]
        outs = []
        for i in range(n):
            if method == "adam":
                outs.append(step(xs[i], state[n + i], state[2 * n + i], g[i], eta=eta_, t=t, **h))
            else:
                outs.append(step(xs[i], state[n + i], g[i], eta=eta_, **h))
        return [o[k] for k in range(nstate) for o in outs]

    state = [to_mpf(rational(v)) for v in x0] + [mpmath.mpf(0)] * (n * (nstate - 1))
    states, local, jacs = [state], [], []
    for t in range(1, steps + 1):
        jacs.append(jacobian(lambda s: full_step(s, t), state))
        new = full_step(state, t)
        local.append([12 * U * max(abs(a), abs(b)) for a, b in zip(state, new)])
        state = new
        states.append(state)
    bound = max(propagated_rounding_jac(local, jacs))
    why = ROUNDING_WHY.format(T=steps, ops=12)
    out = {"x": Derived([s[:n] for s in states], atol=float_tolerance(bound), why=why)}
    names = ["s"] if method != "adam" else ["v", "s"]
    for k, name in enumerate(names, start=1):
        out[name] = Derived([s[k * n:(k + 1) * n] for s in states], atol=float_tolerance(bound),
                            why=why)
    for variant in VARIANTS[method]:          # the known mistakes' trajectories, same start
        state = states[0]
        xs = [state[:n]]
        for t in range(1, steps + 1):
            state = full_step(state, t, _step_formula(method, variant))
            xs.append(state[:n])
        out["wrong_" + variant] = exact(xs, f"the iterates with the {variant} mistake")
    return out


@derivation
def clip_by_norm(g, threshold):
    """g * min(1, threshold/||g||) with the exact Frobenius norm; elementwise clipping and
    always-rescaling as the known wrong answers."""
    G = _nested_rationals(g)
    thr = rational(threshold)
    flat = _flat(G)
    norm = sp.sqrt(sum(v * v for v in flat))
    factor = 1 if norm == 0 else sp.Min(1, thr / norm)
    clipped = _map(lambda v: v * factor, G)
    elementwise = _map(lambda v: sp.Max(-thr, sp.Min(thr, v)), G)
    rescaled = _map(lambda v: v * thr / norm, G) if norm != 0 else G
    top = max([abs(sp.N(v, 30)) for v in _flat(clipped)] + [0])
    return {"clipped": Derived(clipped, atol=float_tolerance(8 * U * to_mpf(top)), rtol=8 * float(U),
                               why="a norm (sum of squares, sqrt) and one division: <= 8 ulps"),
            "norm": Derived(norm, rtol=4 * float(U), why="sum of squares and a sqrt"),
            "elementwise": exact(elementwise, "np.clip(g, -threshold, threshold)"),
            "always_rescaled": exact(rescaled, "g * threshold / ||g|| even when ||g|| <= threshold")}


def _nested_rationals(value):
    if isinstance(value, (list, tuple)):
        return [_nested_rationals(v) for v in value]
    return rational(value)
