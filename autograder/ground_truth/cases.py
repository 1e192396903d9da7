"""The catalogue of derivations the hidden tests read: (derivation name, exact parameters).

A hidden test calls ``ground_truth.load(name, **params)`` with one of these; adding a case here
and running ``python -m autograder.ground_truth --rebuild`` derives it. Parameters are exact:
rationals as strings ("1/10"), matrices as nested lists.
"""

from __future__ import annotations

CASES: list[tuple[str, dict]] = []


def case(name: str, /, **params) -> None:
    CASES.append((name, params))


# --- gradient_descent -----------------------------------------------------------------------
# gd on quadratics x.A.x/2: the course's ill-conditioned pair, a saddle, a coupled A, a scalar
case("gd_quadratic", A=[["2"]], x0="-3", eta="3/10", steps=12)              # x^2, scalar
case("gd_quadratic", A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="1/5", steps=8)   # x1^2+2x2^2
case("gd_quadratic", A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"], eta="9/20", steps=10)  # 0.1x1^2+2x2^2
case("gd_quadratic", A=[["2", "0"], ["0", "-2"]], x0=["1", "1/1000"], eta="1/10", steps=15)  # saddle
case("gd_quadratic", A=[["3", "1", "0"], ["1", "2", "1/2"], ["0", "1/2", "1"]],
     x0=["1", "-2", "3"], eta="1/4", steps=6)                                 # coupled, 3-d
case("gd_quadratic", A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="0", steps=4)       # eta = 0
case("gd_quadratic", A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="3/5", steps=6)     # diverges
case("gd_function", function="x*cos(pi*x)", x0="3/10", eta="1/20", steps=10)
case("gd_function", function="x*cos(0.15*pi*x)", x0="-2", eta="1/5", steps=20)
case("gd_function", function="rosenbrock", x0=["-1/2", "1"], eta="1/1000", steps=10)
case("gd_function", function="sin(x^2)+cos(y^2)", x0=["1/2", "1"], eta="1/10", steps=12)

for kind, params in [("exponential", {"rate": "1/10"}), ("exponential", {"rate": "3/4"}),
                     ("polynomial", {"alpha": "1/10", "power": "1/2"}),
                     ("polynomial", {"alpha": "2", "power": "3/2"}), ("constant", {})]:
    case("lr_schedule", kind=kind, ts=[1, 2, 5, 17, 100], params=params)

case("sgd_affine", A=[["2"]], eta="1/10", steps=6, schedule="exponential", params={"rate": "1/5"})
case("sgd_affine", A=[["2", "1/2"], ["1/2", "1"]], eta="1/5", steps=5, schedule="polynomial",
     params={"alpha": "1/2", "power": "1/2"})
case("sgd_affine", A=[["2", "0"], ["0", "4"]], eta="1/10", steps=5, schedule="constant", params={})

case("momentum_quadratic", A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"], v0=["0", "0"],
     eta="1/10", beta="9/10", steps=12)
case("momentum_quadratic", A=[["2"]], x0="1", v0="1/2", eta="1/4", beta="1/2", steps=8)
case("momentum_quadratic", A=[["3", "1"], ["1", "2"]], x0=["1", "-1"], v0=["1/4", "0"],
     eta="1/10", beta="0", steps=5)
case("nesterov_quadratic", A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"], v0=["0", "0"],
     eta="1/10", beta="9/10", steps=12)
case("nesterov_quadratic", A=[["2"]], x0="1", v0="1/2", eta="1/4", beta="1/2", steps=8)
case("nesterov_quadratic", A=[["3", "1"], ["1", "2"]], x0=["1", "-1"], v0=["1/4", "1/2"],
     eta="1/10", beta="4/5", steps=6)

case("adaptive_step", method="adagrad", x=["1", "-2", "1/2"], g=["3", "-1/10", "0"], eta="1/10",
     state={"s": ["1", "4", "0"]})
case("adaptive_step", method="adagrad", x=[["1", "2"], ["-1", "0"]], g=[["1/2", "-3"], ["2", "1/100"]],
     eta="1/2", state={"s": [["0", "0"], ["0", "0"]]}, hyper={"eps": "1/100"})
case("adaptive_step", method="rmsprop", x=["1", "-2", "1/2"], g=["3", "-1/10", "0"], eta="1/100",
     state={"s": ["1", "4", "0"]}, hyper={"gamma": "9/10"})
case("adaptive_step", method="rmsprop", x=[["1", "2"], ["-1", "0"]], g=[["1/2", "-3"], ["2", "1/100"]],
     eta="1/10", state={"s": [["1/10", "0"], ["2", "0"]]}, hyper={"gamma": "1/2", "eps": "1/1000"})
case("adaptive_step", method="adam", x=["1", "-2", "1/2"], g=["3", "-1/10", "0"], eta="1/100",
     state={"v": ["0", "0", "0"], "s": ["0", "0", "0"]}, t=1)
case("adaptive_step", method="adam", x=["1", "-2", "1/2"], g=["3", "-1/10", "1/4"], eta="1/100",
     state={"v": ["1/2", "-1/5", "0"], "s": ["1/4", "1/100", "1/10"]}, t=5)
case("adaptive_step", method="adam", x=[["1", "2"], ["-1", "0"]], g=[["1/2", "-3"], ["2", "1/100"]],
     eta="1/1000", state={"v": [["0", "1"], ["0", "0"]], "s": [["1", "0"], ["0", "1"]]}, t=1000,
     hyper={"beta1": "4/5", "beta2": "99/100", "eps": "1/10000000"})
case("adaptive_step", method="adam", x="2", g="-1/2", eta="1/10",
     state={"v": "0", "s": "0"}, t=1, hyper={"eps": "1/10"})
for method, hyper in [("adagrad", {}), ("rmsprop", {"gamma": "9/10"}), ("adam", {})]:
    case("adaptive_quadratic", method=method, A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"],
         eta="1/10", steps=10, hyper=hyper)

case("clip_by_norm", g=["3", "4"], threshold="5/2")
case("clip_by_norm", g=[["1", "-2"], ["2", "4"]], threshold="3")                # norm 5
case("clip_by_norm", g=["1/10", "-1/5", "1/10"], threshold="1")                  # already short
case("clip_by_norm", g=["0", "0", "0"], threshold="1")                           # zero gradient
case("clip_by_norm", g=["6", "8"], threshold="10")                               # exactly at the cap
case("clip_by_norm", g="-7", threshold="2")                                      # scalar

# --- the float64 course functions (autograder/problems.py COURSE_FUNCTIONS), checked against sympy
for _name, _points in [("x^2", ["-3", "1/2", "7"]), ("x*cos(pi*x)", ["-2", "3/10", "13/10"]),
                       ("x*cos(0.15*pi*x)", ["-2", "1", "9"]), ("x^3", ["-2", "0", "3/2"])]:
    case("function_derivatives", function=_name, points=_points)
for _name in ["x^2+y^2", "x^2-y^2", "sin(x^2)+cos(y^2)", "rosenbrock", "x1^2+2*x2^2",
              "0.1*x1^2+2*x2^2"]:
    case("function_derivatives", function=_name, points=[["-1/2", "1"], ["1", "1"], ["3/2", "-2"]])

# --- second_order ---------------------------------------------------------------------------
for _fn, _window in [("x^2", ["-5", "5"]), ("x*cos(pi*x)", ["-2", "2"]),
                     ("x*cos(0.15*pi*x)", ["-10", "10"]), ("x^3", ["-5", "5"]),
                     ("x^2+y^2", ["-5", "5"]), ("x^2-y^2", ["-5", "5"]),
                     ("sin(x^2)+cos(y^2)", ["-5/2", "5/2"]), ("rosenbrock", ["-5", "5"]),
                     ("x1^2+2*x2^2", ["-5", "5"]), ("0.1*x1^2+2*x2^2", ["-5", "5"])]:
    case("critical_points", function=_fn, window=_window)

NEWTON = [
    dict(x=["1", "2"], g=["4", "-2"], H=[["4", "1"], ["1", "3"]]),
    dict(x=["1", "2"], g=["4", "-2"], H=[["4", "1"], ["1", "3"]], damping="1/2"),
    dict(x=["0", "0", "1"], g=["1", "2", "3"], H=[["2", "-1", "0"], ["-1", "2", "-1"], ["0", "-1", "2"]]),
    dict(x=["3", "-1"], g=["1", "1"], H=[["1", "0"], ["0", "-2"]]),                  # a saddle
    dict(x=["1", "1"], g=["2", "-4"], H=[["1", "1"], ["1", "1"]], damping="1"),      # singular + damping
    dict(x=["1", "1"], g=["1", "1"], H=[["1", "0"], ["0", "1/1000000"]]),           # ill-conditioned
    dict(x=["2"], g=["3"], H=[["5"]]),                                               # 1 x 1
]
# Newton on Rosenbrock from (-1/2, 1): g and H at that point (exact, from sympy) are the inputs
NEWTON.append(dict(x=["-1/2", "1"], g=["147", "150"], H=[["-98", "200"], ["200", "200"]]))
for _kw in NEWTON:
    case("newton_step", **_kw)

CLASSIFY = [
    ([["2", "0"], ["0", "4"]], "1/100000000"), ([["-1", "0"], ["0", "-3"]], "1/100000000"),
    ([["1", "2"], ["2", "1"]], "1/100000000"),               # eigenvalues 3, -1: saddle
    ([["2", "0"], ["0", "0"]], "1/100000000"),               # degenerate
    ([["1", "0", "0"], ["0", "-1", "0"], ["0", "0", "0"]], "1/100000000"),   # saddle despite a 0
    ([["1", "0"], ["0", "1/10000000000"]], "1/100000000"),   # tiny eigenvalue: degenerate
    ([["1", "0"], ["0", "1/10000000000"]], "1/1000000000000"),   # ... but not with a smaller tol
    ([["-2", "0"], ["0", "-1/1000000000"]], "1/100000000"),  # tiny negative: degenerate
    ([["802", "-400"], ["-400", "200"]], "1/100000000"),     # Rosenbrock at (1, 1)
    ([["3"]], "1/100000000"), ([["0"]], "1/100000000"),
    ([["4", "2", "0"], ["2", "4", "2"], ["0", "2", "4"]], "1/100000000"),    # 4 - 2sqrt2 > 0
]
for _H, _tol in CLASSIFY:
    case("classify_hessian", H=_H, tol=_tol)

for _H in [[["2", "0"], ["0", "4"]], [["1/5", "0"], ["0", "4"]], [["3", "1"], ["1", "2"]],
           [["802", "-400"], ["-400", "200"]], [["7"]],
           [["4", "2", "0"], ["2", "4", "2"], ["0", "2", "4"]],
           [["1", "2"], ["2", "1"]], [["1", "0"], ["0", "0"]]]:
    case("max_stable_learning_rate", H=_H)

for _fn, _p, _d in [("sin(x^2)+cos(y^2)", ["1/2", "1"], ["1/10", "-1/5"]),
                    ("rosenbrock", ["-1/2", "1"], ["1/100", "1/50"]),
                    ("x*cos(pi*x)", "3/10", "1/4"), ("x^3", "2", "-1/2")]:
    case("taylor_model", function=_fn, point=_p, delta=_d)
for _kw in [dict(f_x="1", g=["1", "-2"], H=[["2", "1"], ["1", "4"]], delta=["1/2", "1/4"]),
            dict(f_x="-3/2", g=["0", "0", "0"], H=[["1", "0", "0"], ["0", "2", "0"], ["0", "0", "-1"]],
                 delta=["1", "-1", "2"]),
            dict(f_x="2", g=["3"], H=[["-4"]], delta=["1/2"]),
            dict(f_x="5", g=["1", "1"], H=[["1", "0"], ["0", "1"]], delta=["0", "0"])]:
    case("taylor_exact", **_kw)

for _fn, _p, _v, _h in [("rosenbrock", ["-1/2", "1"], ["1", "0"], "1/100000"),
                        ("rosenbrock", ["1", "1"], ["3/5", "-4/5"], "1/100000"),
                        ("sin(x^2)+cos(y^2)", ["1/2", "1"], ["1", "1"], "1/100000"),
                        ("sin(x^2)+cos(y^2)", ["1/2", "1"], ["1", "-2"], "1/1000"),
                        ("x^2-y^2", ["3", "-1"], ["1/2", "2"], "1/100000"),
                        ("0.1*x1^2+2*x2^2", ["5", "1"], ["1", "1"], "1/100000"),
                        ("x*cos(pi*x)", "3/10", "1", "1/100000"),
                        ("rosenbrock", ["-1/2", "1"], ["0", "0"], "1/100000")]:
    case("hessian_vector_product", function=_fn, point=_p, v=_v, h=_h)

for _A in [[["2", "1"], ["1", "3"]], [["1", "0", "0"], ["0", "-3", "0"], ["0", "0", "2"]],
           [["4", "1", "0"], ["1", "3", "1"], ["0", "1", "1"]], [["802", "-400"], ["-400", "200"]],
           [["5"]]]:
    case("dominant_eigenpair", A=_A)

# --- activations ------------------------------------------------------------------------------
ACTIVATION_POINTS = ["-1000", "-745", "-40", "-3", "-1/2", "0", "1/3", "2", "25", "40", "710", "1000"]
case("activation_values", points=ACTIVATION_POINTS)

# --- normalization ----------------------------------------------------------------------------
BN_X = [["1", "-2", "3"], ["2", "0", "3"], ["4", "2", "3"], ["-1", "4", "3"]]          # a constant column
case("batchnorm_forward", x=BN_X, gamma=["1", "2", "1/2"], beta=["0", "-1", "1"])
case("batchnorm_forward", x=[["1/2", "10", "-3"], ["3/2", "20", "-1"], ["-1", "30", "5"]],
     gamma=["1", "1", "1"], beta=["0", "0", "0"], eps="1/1000")                       # square
case("batchnorm_forward", x=[["1000", "1/1000"], ["1001", "2/1000"]], gamma=["3", "1"], beta=["1", "0"])
case("batchnorm_inference", x=BN_X, gamma=["1", "2", "1/2"], beta=["0", "-1", "1"],
     running_mean=["1", "1", "3"], running_var=["4", "9/4", "0"])
case("batchnorm_inference", x=[["1/2", "10"]], gamma=["2", "1"], beta=["1", "1"],
     running_mean=["0", "10"], running_var=["1", "1/100"], eps="1/1000")

# --- initialization ---------------------------------------------------------------------------
for _name in ["xavier_normal", "xavier_uniform", "lecun_normal", "he_normal", "he_uniform"]:
    case("initializer_law", name=_name, fan_in=400, fan_out=100)

# --- dropout ----------------------------------------------------------------------------------
case("binomial_band", n=4000, p="5/12")
case("binomial_band", n=4000, p="9/10")
for _nd, _nu in [(70, 120), (0, 10), (3, 4), (1, 3), (10, 10)]:
    case("keep_probability", num_dropped=_nd, num_units=_nu)

# --- symmetry ---------------------------------------------------------------------------------
case("symmetry_counts", ds=[1, 2, 3, 4, 5, 8, 10])
for _n, _vals, _probs in [(1, ["-1", "0", "1"], ["1/3", "1/3", "1/3"]),
                          (2, ["-1", "1"], ["1/2", "1/2"]),
                          (2, ["-1", "0", "1"], ["1/3", "1/3", "1/3"]),
                          (2, ["-2", "-1", "1", "2"], ["1/4", "1/4", "1/4", "1/4"]),
                          (3, ["-1", "1"], ["1/2", "1/2"]),
                          (3, ["-1", "0", "1"], ["1/4", "1/2", "1/4"])]:
    case("eigen_sign_enumeration", n=_n, values=_vals, probs=_probs)
case("eigen_sign_counts", matrices=[[["1", "0"], ["0", "-1"]], [["1", "1"], ["1", "1"]],
                                    [["2", "1"], ["1", "2"]], [["0", "0"], ["0", "0"]]])
case("eigen_sign_counts", matrices=[[["1", "2", "0"], ["2", "1", "0"], ["0", "0", "-5"]]])
MLP_PARAMS = [[["1/2", "-1", "0"], ["1", "1/4", "-1/2"]], ["0", "1/10", "-1/5"],
              [["1", "-1"], ["2", "0"], ["-1/2", "1"]], ["1/2", "-1/2"]]
case("mlp_output", params=MLP_PARAMS, x=[["1", "2"], ["-1", "0"], ["0", "0"], ["3", "-2"]])
case("mlp_output", params=MLP_PARAMS, x=[["1", "2"], ["-1", "0"]], activation="identity")
case("positive_definite_probability", n=1)
case("positive_definite_probability", n=2)

for _name in ["xavier_normal", "xavier_uniform", "lecun_normal", "he_normal", "he_uniform"]:
    for _fi, _fo in [(3, 5), (7, 2), (1, 1)]:
        case("initializer_law", name=_name, fan_in=_fi, fan_out=_fo)

# P(a 2 x 2 symmetric matrix with N(0, 1) entries is positive definite), to 30 digits: the value
# of positive_definite_probability(n=2) above (tests/engine/test_ground_truth.py checks they agree)
PD2 = "0.115852249106329453118394786504"
case("binomial_band", n=2000, p=PD2)
case("binomial_band", n=2000, p="1/2")
case("adaptive_step", method="rmsprop", x=["3", "-1"], g=["1/2", "-4"], eta="1/100",
     state={"s": ["1/5", "3"]})                                                   # default gamma, eps

# --- per-student variants (branch variants) ---------------------------------------------------
# Every combination of every variant-aware exercise of autograder/variants.toml: the derivations
# its hidden tests (tests/hidden/test_variants.py) read. Generated, so editing variants.toml and
# running --rebuild is all it takes.
from ..variants import variant_cases  # noqa: E402

CASES.extend(variant_cases())

# --- second half (issue 22) -------------------------------------------------------------------
# piecewise-constant schedules: both sides of every boundary, a boundary at step 1, the defaults
PIECEWISE_SCHEDULES = [
    ([10, 20], ["1", "1/2", "1/10"], [1, 9, 10, 11, 19, 20, 21, 100]),      # the defaults
    ([3], ["1/2", "1/4"], [1, 2, 3, 4, 5]),
    ([1, 2, 5], ["1", "3/4", "1/2", "1/4"], [1, 2, 3, 5, 6, 50]),
    ([4, 6], ["2", "1/2", "1/10"], [1, 4, 5, 6, 7, 11]),
]
for _b, _v, _ts in PIECEWISE_SCHEDULES:
    case("piecewise_schedule", boundaries=_b, values=_v, ts=_ts)
case("gd_piecewise_schedule", A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="1/5", steps=6,
     boundaries=[2, 4], values=["1", "1/2", "1/4"])
# conditioning: diagonal, coupled with rational and with irrational eigenvalues, 3-d, the course's
# ill-conditioned pair
CONDITIONING_HESSIANS = [
    [["2", "0"], ["0", "8"]],
    [["3", "1"], ["1", "3"]],
    [["4", "1"], ["1", "2"]],
    [["5", "2", "0"], ["2", "5", "0"], ["0", "0", "1"]],
    [["1/5", "0"], ["0", "4"]],
]
for _H in CONDITIONING_HESSIANS:
    case("conditioning_spectrum", H=_H)
# (H, eta): a short step, the best one, overshoot dominating, exactly 2/lambda_max, divergence
GD_CONTRACTIONS = [
    (CONDITIONING_HESSIANS[0], "1/10"), (CONDITIONING_HESSIANS[0], "1/5"), (CONDITIONING_HESSIANS[0], "1/4"),
    (CONDITIONING_HESSIANS[0], "3/10"), (CONDITIONING_HESSIANS[1], "2/5"), (CONDITIONING_HESSIANS[2], "1/4"),
    (CONDITIONING_HESSIANS[3], "2/7"), (CONDITIONING_HESSIANS[3], "3/10"), (CONDITIONING_HESSIANS[4], "9/20"),
]
for _H, _eta in GD_CONTRACTIONS:
    case("gd_contraction", H=_H, eta=_eta)
# (diagonal H, eta, factor): the docstring's example, the best steps of kappa = 20 and 100, no shrink
STEPS_TO_SHRINK = [
    ([["2", "0"], ["0", "8"]], "1/5", "10"),
    ([["2", "0"], ["0", "8"]], "1/10", "100"),
    ([["1/5", "0"], ["0", "4"]], "10/21", "1000"),
    ([["1", "0"], ["0", "100"]], "2/101", "10"),
    ([["2", "0"], ["0", "8"]], "1/5", "1"),
]
for _H, _eta, _factor in STEPS_TO_SHRINK:
    case("steps_to_shrink_diagonal", H=_H, eta=_eta, factor=_factor)
# Adadelta and Nadam: a first step from zeros with the defaults, a later step of a matrix with
# other hyperparameters, the docstrings' scalar examples, a default step from a warm state
ADADELTA_STEPS = [
    (["1", "-2", "1/2"], ["3", "-1/10", "0"], ["0", "0", "0"], ["0", "0", "0"], None),
    ([["1", "2"], ["-1", "0"]], [["1/2", "-3"], ["2", "1/100"]], [["1", "0"], ["4", "1/10"]],
     [["1/100", "0"], ["1", "1/4"]], {"rho": "9/10", "eps": "1/10000"}),
    ("1", "2", "0", "0", {"rho": "1/2", "eps": "1"}),
    (["3", "-1"], ["1/2", "-4"], ["1/5", "3"], ["1/50", "1/2"], None),
]
for _x, _g, _s, _d, _h in ADADELTA_STEPS:
    case("adadelta_step_exact", x=_x, g=_g, s=_s, delta=_d, **({"hyper": _h} if _h else {}))
NADAM_STEPS = [
    (["1", "-2", "1/2"], ["3", "-1/10", "1/4"], ["0", "0", "0"], ["0", "0", "0"], 1, "1/100", None),
    (["1", "-2", "1/2"], ["3", "-1/10", "1/4"], ["1/2", "-1/5", "0"], ["1/4", "1/100", "1/10"], 5, "1/100", None),
    ([["1", "2"], ["-1", "0"]], [["1/2", "-3"], ["2", "1/100"]], [["0", "1"], ["0", "0"]], [["1", "0"], ["0", "1"]],
     1000, "1/1000", {"beta1": "4/5", "beta2": "99/100", "eps": "1/10000000"}),
    ("0", "1", "1/10", "1/1000", 2, "1/10", {"eps": "0"}),
]
for _x, _g, _v, _s, _t, _eta, _h in NADAM_STEPS:
    case("nadam_step_exact", x=_x, g=_g, v=_v, s=_s, t=_t, eta=_eta, **({"hyper": _h} if _h else {}))
# batch normalisation in training: backward pass for small N and D (sympy differentiates the
# forward expression), and running statistics over a sequence of batches
BATCHNORM_BACKWARD = [
    ([["0"], ["1"], ["2"]], ["1"], [["1"], ["0"], ["0"]], "0"),                       # the docstring's
    ([["1", "2"], ["3", "-1"], ["-2", "0"]], ["2", "-1/2"], [["1", "-1"], ["1/2", "2"], ["0", "1"]], "1/100000"),
    ([["1", "0", "2"], ["2", "1", "-1"], ["0", "3", "1"], ["5", "-2", "0"]], ["1", "3", "-1"],
     [["1/2", "0", "1"], ["-1", "1", "0"], ["2", "-1/2", "1"], ["0", "1", "-3"]], "1/10"),
    ([["1", "2"], ["3", "6"]], ["2", "1/2"], [["1", "-1"], ["3", "2"]], "1/100000"),  # N = 2
]
for _x, _gamma, _dout, _eps in BATCHNORM_BACKWARD:
    case("batchnorm_backward_exact", x=_x, gamma=_gamma, dout=_dout, eps=_eps)
RUNNING_STATS = [
    ([[["1"], ["3"]]], ["0"], ["1"], "9/10"),                                             # the docstring's
    ([[["1", "2"], ["3", "-2"], ["2", "0"]], [["0", "1"], ["4", "1"], ["-1", "4"]],
      [["2", "2"], ["2", "-3"], ["5", "1"]]], ["0", "0"], ["1", "1"], "99/100"),         # Keras' default
    ([[["1", "-1", "2"], ["-1", "3", "0"]], [["1/2", "0", "1"], ["5/2", "2", "3"]]], ["1", "0", "-1"],
     ["2", "1", "1/2"], "1/2"),
]
for _batches, _m0, _v0, _momentum in RUNNING_STATS:
    case("running_stats_sequence", batches=_batches, mean0=_m0, var0=_v0, momentum=_momentum)
# Newton's method as an algorithm (function, w0, max_steps, damping): one step on quadratics, to a
# saddle and to a maximum on non-convex functions, and damped
NEWTON_METHOD = [
    ("x^2+2*y^2", ["1", "1"], 10, "0"),
    ("x^2+x*y+y^2-x", ["3", "-2"], 10, "0"),
    ("x^4/4-x^2/2+y^2/2", ["1/4", "1"], 20, "0"),
    ("x^4/4-x^2/2-y^2/2", ["1/4", "1"], 20, "0"),
    ("x^4/4-x^2/2+y^2/2", ["1/4", "1"], 4, "2"),
    ("x^2+2*y^2", ["1", "1"], 5, "2"),
]
for _f, _w0, _steps, _damping in NEWTON_METHOD:
    case("newton_method_trajectory", function=_f, w0=_w0, max_steps=_steps, damping=_damping)
LEAST_SQUARES = [
    ([["1", "0"], ["1", "2"]], ["1", "3"], ["0", "0"]),
    ([["1", "2", "0"], ["1", "-1", "1/2"], ["1", "0", "3"], ["1", "1/3", "-2"]], ["2", "0", "-1", "1/2"],
     ["1/2", "-1", "2"]),
    ([["2"], ["-1"], ["3"]], ["1", "1", "-2"], ["1/2"]),
]
for _X, _y, _w in LEAST_SQUARES:
    case("least_squares_derivatives", X=_X, y=_y, w=_w)
# minibatch SGD on least squares: every batch of a small data set, and every epoch order
MINIBATCH_DATA = {"X": [["1", "0"], ["0", "2"], ["1", "1"], ["2", "-1"]], "y": ["1", "2", "0", "1"]}
case("minibatch_gradients_all", **MINIBATCH_DATA, w=["1/2", "-1"], batch_size=2)
case("minibatch_gradients_all", **MINIBATCH_DATA, w=["0", "0"], batch_size=3)
case("minibatch_gradients_all", **MINIBATCH_DATA, w=["1", "1"], batch_size=1)
# (n, batch_size, num_epochs, eta) on the first n examples
MINIBATCH_SGD = [(4, 2, 2, "1/10"), (3, 2, 2, "1/5"), (4, 3, 2, "1/10")]
for _n, _b, _epochs, _eta in MINIBATCH_SGD:
    case("minibatch_sgd_all_orders", X=MINIBATCH_DATA["X"][:_n], y=MINIBATCH_DATA["y"][:_n], w0=["0", "0"],
         eta=_eta, batch_size=_b, num_epochs=_epochs)
# vanishing and exploding gradients: sigmoid chains (saturated, at z = 0, large weights), and
# variances through depth with He, LeCun and Xavier variances, linear and ReLU
SIGMOID_CHAINS = [
    (["1", "2"], ["0", "0"]),
    (["1"] * 10, ["0"] * 10),
    (["3", "-2", "1/2", "4", "1"], ["1", "-2", "3", "1/2", "-1"]),
    (["8", "8", "8", "8"], ["0", "0", "0", "0"]),                       # factors of 2: explodes
]
for _w, _z in SIGMOID_CHAINS:
    case("sigmoid_chain_gradients", weights=_w, pre_activations=_z)
FORWARD_VARIANCES = [
    ([100, 50], ["1/50", "1/25"], "1", True),                           # He with ReLU: steady at 2
    ([100, 50], ["1/100", "1/50"], "1", True),                          # LeCun with ReLU: halves
    ([4, 8, 2, 5], ["1/4", "1/8", "1/2", "1/5"], "3", False),           # LeCun, linear: steady
    ([4, 8, 2, 5], ["1/6", "1/5", "2/7", "1/3"], "1", False),           # Xavier, linear: drifts
    ([10, 10, 10], ["1/2", "1/2", "1/2"], "1", True),                   # too large: explodes
]
for _n, _v, _q, _relu in FORWARD_VARIANCES:
    case("forward_variance_sequence", fan_ins=_n, weight_variances=_v, input_second_moment=_q, relu=_relu)
# symmetry breaking: a one-hidden-layer tanh network on 3 examples, with constant, zero and
# distinct initial weights
SYMBREAK_DATA = {"X": [["1", "0"], ["1/2", "1"], ["-1", "2"]], "y": [["1"], ["0"], ["-1"]]}
SYMBREAK_INITS = {
    "constant": ([["1/2", "1/2", "1/2"], ["1/2", "1/2", "1/2"]], [["1/4"], ["1/4"], ["1/4"]]),
    "zero": ([["0", "0", "0"], ["0", "0", "0"]], [["0"], ["0"], ["0"]]),
    "random": ([["3/10", "-1/2", "1/5"], ["-1/10", "2/5", "7/10"]], [["1/2"], ["-3/10"], ["1/10"]]),
}
for _W1, _W2 in SYMBREAK_INITS.values():
    case("two_layer_gradients_exact", **SYMBREAK_DATA, W1=_W1, W2=_W2)
    case("two_layer_training", **SYMBREAK_DATA, W1=_W1, W2=_W2, eta="1/2", steps=5)
# saddle points: escape factors and escape times; started on the stable directions (offset 0)
SADDLE_ESCAPES = [
    ([["2", "0"], ["0", "-1"]], "1/10", "1/1000", "1"),
    ([["3", "0", "0"], ["0", "-1/2", "0"], ["0", "0", "1"]], "1/4", "1/100", "2"),
    ([["1", "2"], ["2", "1"]], "1/10", "1/10000", "1/2"),           # eigenvalues 3 and -1, coupled
    ([["2", "0"], ["0", "-1"]], "1/10", "0", "1"),                   # stalls at the saddle
    ([["2", "0"], ["0", "-1"]], "1/10", "2", "1"),                   # already out
]
for _H, _eta, _offset, _radius in SADDLE_ESCAPES:
    case("saddle_escape", H=_H, eta=_eta, offset=_offset, radius=_radius)
