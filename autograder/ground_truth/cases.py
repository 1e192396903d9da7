"""The catalogue of derivations the hidden tests read: (derivation name, exact parameters).

A hidden test calls ``ground_truth.load(name, **params)`` with one of these; adding a case here
and running ``python -m autograder.ground_truth --rebuild`` derives it. Parameters are exact:
rationals as strings ("1/10"), matrices as nested lists.
"""

from __future__ import annotations

import sys

CASES: list[tuple[str, dict]] = []
#: The line of this file that declared each entry of CASES, in the same order (entries past its
#: end are generated: the variants' cases). ``autograder course show`` prints them.
CASE_LINES: list[int] = []


def case(name: str, /, **params) -> None:
    CASES.append((name, params))
    CASE_LINES.append(sys._getframe(1).f_lineno)


# --- gradient_descent -----------------------------------------------------------------------
# Named tables: the hidden tests parametrize over them (tests/hidden/test_gradient_descent.py),
# so each parameter is typed here once. The keys are the tests' ids.

# gd on quadratics x.A.x/2: the course's ill-conditioned pair, a saddle, a coupled A, a scalar
GD_QUADRATICS = {
    "scalar": dict(A=[["2"]], x0="-3", eta="3/10", steps=12),                        # x^2
    "x1^2+2x2^2": dict(A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="1/5", steps=8),
    "ill-conditioned": dict(A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"], eta="9/20", steps=10),
    "saddle": dict(A=[["2", "0"], ["0", "-2"]], x0=["1", "1/1000"], eta="1/10", steps=15),
    "coupled-3d": dict(A=[["3", "1", "0"], ["1", "2", "1/2"], ["0", "1/2", "1"]],
                       x0=["1", "-2", "3"], eta="1/4", steps=6),
}
GD_EDGES = {
    "eta-zero": dict(A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="0", steps=4),
    "diverges": dict(A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="3/5", steps=6),  # 3/5 > 2/4
}
for _kw in [*GD_QUADRATICS.values(), *GD_EDGES.values()]:
    case("gd_quadratic", **_kw)
GD_FUNCTIONS = {
    "x*cos(pi*x)": dict(function="x*cos(pi*x)", x0="3/10", eta="1/20", steps=10),
    "x*cos(0.15*pi*x)": dict(function="x*cos(0.15*pi*x)", x0="-2", eta="1/5", steps=20),
    "rosenbrock": dict(function="rosenbrock", x0=["-1/2", "1"], eta="1/1000", steps=10),
    "sin(x^2)+cos(y^2)": dict(function="sin(x^2)+cos(y^2)", x0=["1/2", "1"], eta="1/10", steps=12),
}
for _kw in GD_FUNCTIONS.values():
    case("gd_function", **_kw)

SCHEDULE_STEPS = [1, 2, 5, 17, 100]
SCHEDULES = {
    "exponential-default": dict(kind="exponential", params={"rate": "1/10"}),
    "exponential-fast": dict(kind="exponential", params={"rate": "3/4"}),
    "polynomial-default": dict(kind="polynomial", params={"alpha": "1/10", "power": "1/2"}),
    "polynomial-steep": dict(kind="polynomial", params={"alpha": "2", "power": "3/2"}),
    "constant": dict(kind="constant", params={}),
}
for _kw in SCHEDULES.values():
    case("lr_schedule", ts=SCHEDULE_STEPS, **_kw)

SGD_AFFINE = {
    "scalar-exponential": dict(A=[["2"]], eta="1/10", steps=6, schedule="exponential",
                               params={"rate": "1/5"}),
    "coupled-polynomial": dict(A=[["2", "1/2"], ["1/2", "1"]], eta="1/5", steps=5,
                               schedule="polynomial", params={"alpha": "1/2", "power": "1/2"}),
    "constant": dict(A=[["2", "0"], ["0", "4"]], eta="1/10", steps=5, schedule="constant", params={}),
}
for _kw in SGD_AFFINE.values():
    case("sgd_affine", **_kw)

MOMENTUM = {
    "ill-conditioned": dict(A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"], v0=["0", "0"],
                            eta="1/10", beta="9/10", steps=12),
    "scalar": dict(A=[["2"]], x0="1", v0="1/2", eta="1/4", beta="1/2", steps=8),
    "beta-0": dict(A=[["3", "1"], ["1", "2"]], x0=["1", "-1"], v0=["1/4", "0"],
                   eta="1/10", beta="0", steps=5),
}
for _kw in MOMENTUM.values():
    case("momentum_quadratic", **_kw)
NESTEROV = {
    "ill-conditioned": dict(A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"], v0=["0", "0"],
                            eta="1/10", beta="9/10", steps=12),
    "scalar": dict(A=[["2"]], x0="1", v0="1/2", eta="1/4", beta="1/2", steps=8),
    "coupled": dict(A=[["3", "1"], ["1", "2"]], x0=["1", "-1"], v0=["1/4", "1/2"],
                    eta="1/10", beta="4/5", steps=6),
}
for _kw in NESTEROV.values():
    case("nesterov_quadratic", **_kw)

ADAPTIVE_STEPS = {
    "adagrad-vector": dict(method="adagrad", x=["1", "-2", "1/2"], g=["3", "-1/10", "0"], eta="1/10",
                           state={"s": ["1", "4", "0"]}),
    "adagrad-matrix": dict(method="adagrad", x=[["1", "2"], ["-1", "0"]], g=[["1/2", "-3"], ["2", "1/100"]],
                           eta="1/2", state={"s": [["0", "0"], ["0", "0"]]}, hyper={"eps": "1/100"}),
    "rmsprop-vector": dict(method="rmsprop", x=["1", "-2", "1/2"], g=["3", "-1/10", "0"], eta="1/100",
                           state={"s": ["1", "4", "0"]}, hyper={"gamma": "9/10"}),
    "rmsprop-matrix": dict(method="rmsprop", x=[["1", "2"], ["-1", "0"]], g=[["1/2", "-3"], ["2", "1/100"]],
                           eta="1/10", state={"s": [["1/10", "0"], ["2", "0"]]},
                           hyper={"gamma": "1/2", "eps": "1/1000"}),
    "rmsprop-defaults": dict(method="rmsprop", x=["3", "-1"], g=["1/2", "-4"], eta="1/100",
                             state={"s": ["1/5", "3"]}),                          # default gamma, eps
    "adam-t=1": dict(method="adam", x=["1", "-2", "1/2"], g=["3", "-1/10", "0"], eta="1/100",
                     state={"v": ["0", "0", "0"], "s": ["0", "0", "0"]}, t=1),
    "adam-t=5": dict(method="adam", x=["1", "-2", "1/2"], g=["3", "-1/10", "1/4"], eta="1/100",
                     state={"v": ["1/2", "-1/5", "0"], "s": ["1/4", "1/100", "1/10"]}, t=5),
    "adam-matrix-t=1000": dict(method="adam", x=[["1", "2"], ["-1", "0"]], g=[["1/2", "-3"], ["2", "1/100"]],
                               eta="1/1000", state={"v": [["0", "1"], ["0", "0"]], "s": [["1", "0"], ["0", "1"]]},
                               t=1000, hyper={"beta1": "4/5", "beta2": "99/100", "eps": "1/10000000"}),
    "adam-scalar": dict(method="adam", x="2", g="-1/2", eta="1/10", state={"v": "0", "s": "0"}, t=1,
                        hyper={"eps": "1/10"}),
}
for _kw in ADAPTIVE_STEPS.values():
    case("adaptive_step", **_kw)
ADAPTIVE_QUADRATIC = {
    method: dict(method=method, A=[["1/5", "0"], ["0", "4"]], x0=["5", "1"], eta="1/10", steps=10, hyper=hyper)
    for method, hyper in [("adagrad", {}), ("rmsprop", {"gamma": "9/10"}), ("adam", {})]
}
for _kw in ADAPTIVE_QUADRATIC.values():
    case("adaptive_quadratic", **_kw)

CLIP = {
    "long vector": dict(g=["3", "4"], threshold="5/2"),
    "matrix with norm 5": dict(g=[["1", "-2"], ["2", "4"]], threshold="3"),
    "already short": dict(g=["1/10", "-1/5", "1/10"], threshold="1"),
    "zero gradient": dict(g=["0", "0", "0"], threshold="1"),
    "norm exactly at the threshold": dict(g=["6", "8"], threshold="10"),
    "scalar": dict(g="-7", threshold="2"),
}
for _kw in CLIP.values():
    case("clip_by_norm", **_kw)

# --- the float64 course functions (autograder/problems.py COURSE_FUNCTIONS), checked against sympy
for _name, _points in [("x^2", ["-3", "1/2", "7"]), ("x*cos(pi*x)", ["-2", "3/10", "13/10"]),
                       ("x*cos(0.15*pi*x)", ["-2", "1", "9"]), ("x^3", ["-2", "0", "3/2"])]:
    case("function_derivatives", function=_name, points=_points)
for _name in ["x^2+y^2", "x^2-y^2", "sin(x^2)+cos(y^2)", "rosenbrock", "x1^2+2*x2^2",
              "0.1*x1^2+2*x2^2"]:
    case("function_derivatives", function=_name, points=[["-1/2", "1"], ["1", "1"], ["3/2", "-2"]])

# --- second_order ---------------------------------------------------------------------------
# Named tables, read by tests/hidden/test_second_order.py (the keys are its test ids).
CRITICAL_POINTS = {
    "x^2": ["-5", "5"], "x*cos(pi*x)": ["-2", "2"], "x*cos(0.15*pi*x)": ["-10", "10"], "x^3": ["-5", "5"],
    "x^2+y^2": ["-5", "5"], "x^2-y^2": ["-5", "5"], "sin(x^2)+cos(y^2)": ["-5/2", "5/2"],
    "rosenbrock": ["-5", "5"], "x1^2+2*x2^2": ["-5", "5"], "0.1*x1^2+2*x2^2": ["-5", "5"],
}     # function -> the window searched for its critical points
for _fn, _window in CRITICAL_POINTS.items():
    case("critical_points", function=_fn, window=_window)

NEWTON = {
    "2d": dict(x=["1", "2"], g=["4", "-2"], H=[["4", "1"], ["1", "3"]]),
    "damped": dict(x=["1", "2"], g=["4", "-2"], H=[["4", "1"], ["1", "3"]], damping="1/2"),
    "3d": dict(x=["0", "0", "1"], g=["1", "2", "3"], H=[["2", "-1", "0"], ["-1", "2", "-1"], ["0", "-1", "2"]]),
    "saddle": dict(x=["3", "-1"], g=["1", "1"], H=[["1", "0"], ["0", "-2"]]),
    "singular-H-damped": dict(x=["1", "1"], g=["2", "-4"], H=[["1", "1"], ["1", "1"]], damping="1"),
    "ill-conditioned": dict(x=["1", "1"], g=["1", "1"], H=[["1", "0"], ["0", "1/1000000"]]),
    "1x1": dict(x=["2"], g=["3"], H=[["5"]]),
    # Newton on Rosenbrock from (-1/2, 1): g and H at that point (exact, from sympy) are the inputs
    "rosenbrock": dict(x=["-1/2", "1"], g=["147", "150"], H=[["-98", "200"], ["200", "200"]]),
}
for _kw in NEWTON.values():
    case("newton_step", **_kw)

CLASSIFY_DEFAULT_TOL = "1/100000000"     # classify_critical_point's default tol = 1e-8
CLASSIFY = {
    "min": dict(H=[["2", "0"], ["0", "4"]], tol="1/100000000"),
    "max": dict(H=[["-1", "0"], ["0", "-3"]], tol="1/100000000"),
    "saddle": dict(H=[["1", "2"], ["2", "1"]], tol="1/100000000"),                # eigenvalues 3, -1
    "degenerate": dict(H=[["2", "0"], ["0", "0"]], tol="1/100000000"),
    "saddle-with-zero": dict(H=[["1", "0", "0"], ["0", "-1", "0"], ["0", "0", "0"]], tol="1/100000000"),
    "tiny-eig-default-tol": dict(H=[["1", "0"], ["0", "1/10000000000"]], tol="1/100000000"),
    "tiny-eig-small-tol": dict(H=[["1", "0"], ["0", "1/10000000000"]], tol="1/1000000000000"),
    "tiny-negative": dict(H=[["-2", "0"], ["0", "-1/1000000000"]], tol="1/100000000"),
    "rosenbrock-minimum": dict(H=[["802", "-400"], ["-400", "200"]], tol="1/100000000"),
    "1x1": dict(H=[["3"]], tol="1/100000000"),
    "1x1-zero": dict(H=[["0"]], tol="1/100000000"),
    "3x3": dict(H=[["4", "2", "0"], ["2", "4", "2"], ["0", "2", "4"]], tol="1/100000000"),  # 4 - 2sqrt2 > 0
}
for _kw in CLASSIFY.values():
    case("classify_hessian", **_kw)

STABLE_LR = {      # positive definite: eta_max = 2 / lambda_max
    "diag": [["2", "0"], ["0", "4"]], "ill-conditioned": [["1/5", "0"], ["0", "4"]],
    "coupled": [["3", "1"], ["1", "2"]], "rosenbrock-min": [["802", "-400"], ["-400", "200"]],
    "1x1": [["7"]], "3x3": [["4", "2", "0"], ["2", "4", "2"], ["0", "2", "4"]],
}
NOT_DEFINITE = {"indefinite": [["1", "2"], ["2", "1"]], "singular": [["1", "0"], ["0", "0"]]}
for _H in [*STABLE_LR.values(), *NOT_DEFINITE.values()]:
    case("max_stable_learning_rate", H=_H)

TAYLOR_MODELS = {
    "sin(x^2)+cos(y^2)": dict(function="sin(x^2)+cos(y^2)", point=["1/2", "1"], delta=["1/10", "-1/5"]),
    "rosenbrock": dict(function="rosenbrock", point=["-1/2", "1"], delta=["1/100", "1/50"]),
    "x*cos(pi*x)": dict(function="x*cos(pi*x)", point="3/10", delta="1/4"),
    "x^3": dict(function="x^3", point="2", delta="-1/2"),
}
for _kw in TAYLOR_MODELS.values():
    case("taylor_model", **_kw)
TAYLOR_EXACT = {
    "2d": dict(f_x="1", g=["1", "-2"], H=[["2", "1"], ["1", "4"]], delta=["1/2", "1/4"]),
    "zero-gradient-3d": dict(f_x="-3/2", g=["0", "0", "0"], H=[["1", "0", "0"], ["0", "2", "0"], ["0", "0", "-1"]],
                             delta=["1", "-1", "2"]),
    "1x1": dict(f_x="2", g=["3"], H=[["-4"]], delta=["1/2"]),
    "zero-delta": dict(f_x="5", g=["1", "1"], H=[["1", "0"], ["0", "1"]], delta=["0", "0"]),
}
for _kw in TAYLOR_EXACT.values():
    case("taylor_exact", **_kw)

HVP_DEFAULT_H = "1/100000"               # hessian_vector_product's default h = 1e-5
HVP = {
    "rosen-e1": dict(function="rosenbrock", point=["-1/2", "1"], v=["1", "0"], h="1/100000"),
    "rosen-min": dict(function="rosenbrock", point=["1", "1"], v=["3/5", "-4/5"], h="1/100000"),
    "trig": dict(function="sin(x^2)+cos(y^2)", point=["1/2", "1"], v=["1", "1"], h="1/100000"),
    "trig-h1e-3": dict(function="sin(x^2)+cos(y^2)", point=["1/2", "1"], v=["1", "-2"], h="1/1000"),
    "saddle": dict(function="x^2-y^2", point=["3", "-1"], v=["1/2", "2"], h="1/100000"),
    "ill-conditioned": dict(function="0.1*x1^2+2*x2^2", point=["5", "1"], v=["1", "1"], h="1/100000"),
    "scalar": dict(function="x*cos(pi*x)", point="3/10", v="1", h="1/100000"),
    "zero-v": dict(function="rosenbrock", point=["-1/2", "1"], v=["0", "0"], h="1/100000"),
}
for _kw in HVP.values():
    case("hessian_vector_product", **_kw)

POWER = {          # A, and the test's num_iters and seed
    "2x2": ([["2", "1"], ["1", "3"]], 60, 11),
    "negative-dominant": ([["1", "0", "0"], ["0", "-3", "0"], ["0", "0", "2"]], 80, 5),
    "3x3": ([["4", "1", "0"], ["1", "3", "1"], ["0", "1", "1"]], 100, 123),
    "rosenbrock": ([["802", "-400"], ["-400", "200"]], 8, 0),
    "1x1": ([["5"]], 3, 9),
}
for _A, _, _ in POWER.values():
    case("dominant_eigenpair", A=_A)

# --- activations ------------------------------------------------------------------------------
ACTIVATION_POINTS = ["-1000", "-745", "-40", "-3", "-1/2", "0", "1/3", "2", "25", "40", "710", "1000"]
case("activation_values", points=ACTIVATION_POINTS)

# --- normalization ----------------------------------------------------------------------------
# Named tables, read by tests/hidden/test_normalization.py (the keys are its test ids).
BN_DEFAULT_EPS = "1/100000"              # the functions' default eps = 1e-5
BN_X = [["1", "-2", "3"], ["2", "0", "3"], ["4", "2", "3"], ["-1", "4", "3"]]          # a constant column
BN_FORWARD = {
    "constant-column": dict(x=BN_X, gamma=["1", "2", "1/2"], beta=["0", "-1", "1"]),
    "square-eps": dict(x=[["1/2", "10", "-3"], ["3/2", "20", "-1"], ["-1", "30", "5"]],
                       gamma=["1", "1", "1"], beta=["0", "0", "0"], eps="1/1000"),
    "offset-two-rows": dict(x=[["1000", "1/1000"], ["1001", "2/1000"]], gamma=["3", "1"], beta=["1", "0"]),
}
for _kw in BN_FORWARD.values():
    case("batchnorm_forward", **_kw)
BN_INFERENCE = {
    "batch-of-4": dict(x=BN_X, gamma=["1", "2", "1/2"], beta=["0", "-1", "1"],
                       running_mean=["1", "1", "3"], running_var=["4", "9/4", "0"]),
    "single-example": dict(x=[["1/2", "10"]], gamma=["2", "1"], beta=["1", "1"],
                           running_mean=["0", "10"], running_var=["1", "1/100"], eps="1/1000"),
}
for _kw in BN_INFERENCE.values():
    case("batchnorm_inference", **_kw)

# --- initialization ---------------------------------------------------------------------------
INITIALIZERS = ["xavier_normal", "xavier_uniform", "lecun_normal", "he_normal", "he_uniform"]
INIT_LAW_FANS = (400, 100)                                 # the law of 40000 draws
INIT_SEEDED_FANS = {"3x5": (3, 5), "7x2": (7, 2), "1x1": (1, 1)}   # exact seeded draws
for _name in INITIALIZERS:
    case("initializer_law", name=_name, fan_in=INIT_LAW_FANS[0], fan_out=INIT_LAW_FANS[1])

# --- dropout ----------------------------------------------------------------------------------
DROPOUT_MASK_UNITS = 4000
DROPOUT_MASK_RATES = {"5/12": 11, "9/10": 12}              # keep probability -> the test's seed
for _p in DROPOUT_MASK_RATES:
    case("binomial_band", n=DROPOUT_MASK_UNITS, p=_p)
KEEP_PROBABILITY = [(70, 120), (0, 10), (3, 4), (1, 3), (10, 10)]     # (num_dropped, num_units)
for _nd, _nu in KEEP_PROBABILITY:
    case("keep_probability", num_dropped=_nd, num_units=_nu)

# --- symmetry ---------------------------------------------------------------------------------
# Named tables, read by tests/hidden/test_symmetry.py (the keys are its test ids).
SYMMETRY_DS = [1, 2, 3, 4, 5, 8, 10]
case("symmetry_counts", ds=SYMMETRY_DS)
EIGEN_SIGN_ENUMERATION = {
    "1x1": dict(n=1, values=["-1", "0", "1"], probs=["1/3", "1/3", "1/3"]),
    "2x2-pm1": dict(n=2, values=["-1", "1"], probs=["1/2", "1/2"]),
    "2x2-ternary": dict(n=2, values=["-1", "0", "1"], probs=["1/3", "1/3", "1/3"]),
    "2x2-four": dict(n=2, values=["-2", "-1", "1", "2"], probs=["1/4", "1/4", "1/4", "1/4"]),
    "3x3-pm1": dict(n=3, values=["-1", "1"], probs=["1/2", "1/2"]),
    "3x3-ternary": dict(n=3, values=["-1", "0", "1"], probs=["1/4", "1/2", "1/4"]),
}
for _kw in EIGEN_SIGN_ENUMERATION.values():
    case("eigen_sign_enumeration", **_kw)
EIGEN_SIGN_COUNTS = {
    "four-2x2": [[["1", "0"], ["0", "-1"]], [["1", "1"], ["1", "1"]], [["2", "1"], ["1", "2"]],
                 [["0", "0"], ["0", "0"]]],
    "one-3x3": [[["1", "2", "0"], ["2", "1", "0"], ["0", "0", "-5"]]],
}
for _matrices in EIGEN_SIGN_COUNTS.values():
    case("eigen_sign_counts", matrices=_matrices)
MLP_PARAMS = [[["1/2", "-1", "0"], ["1", "1/4", "-1/2"]], ["0", "1/10", "-1/5"],
              [["1", "-1"], ["2", "0"], ["-1/2", "1"]], ["1/2", "-1/2"]]
MLP_OUTPUTS = {
    "tanh": dict(x=[["1", "2"], ["-1", "0"], ["0", "0"], ["3", "-2"]]),
    "identity": dict(x=[["1", "2"], ["-1", "0"]], activation="identity"),
}
for _kw in MLP_OUTPUTS.values():
    case("mlp_output", params=MLP_PARAMS, **_kw)
case("positive_definite_probability", n=1)
case("positive_definite_probability", n=2)

for _name in INITIALIZERS:
    for _fi, _fo in INIT_SEEDED_FANS.values():
        case("initializer_law", name=_name, fan_in=_fi, fan_out=_fo)

# P(a 2 x 2 symmetric matrix with N(0, 1) entries is positive definite), to 30 digits: the value
# of positive_definite_probability(n=2) above (tests/engine/test_ground_truth.py checks they agree)
PD2 = "0.115852249106329453118394786504"
PD_SAMPLES = 2000                # positive_definite_fraction's draws in tests/hidden/test_symmetry.py
case("binomial_band", n=PD_SAMPLES, p=PD2)
case("binomial_band", n=PD_SAMPLES, p="1/2")

# --- the pinned cases of tests/hidden/test_mutants_*.py ---------------------------------------
# Each kills surviving mutants at one edge of a contract (a default argument, eps on the right
# side of the root, a boundary at the tolerance); the test names its case here by key.
MUTANT_CASES: dict[str, tuple[str, dict]] = {
    # activations: the interval (0, 1), where a branch boundary moved from 0 to 1 picks the
    # wrong formula, and relu'(x) = 1 however small x > 0 is
    "sigmoid_between_zero_and_one": ("activation_values", {"points": ["1/2", "-1/2"]}),
    "relu_grad_between_zero_and_one": ("activation_values", {"points": ["1/2", "1e-300", "-1/2"]}),
    # normalization: the default eps, and eps inside the root at inference
    "batchnorm_forward_default_eps": ("batchnorm_forward", {"x": [["1"], ["3"]], "gamma": ["1"],
                                                            "beta": ["0"]}),
    "batchnorm_inference_eps_inside": ("batchnorm_inference", {
        "x": [["5"]], "gamma": ["2"], "beta": ["1"], "running_mean": ["1"], "running_var": ["3"],
        "eps": "1"}),
    "batchnorm_inference_default_eps": ("batchnorm_inference", {
        "x": [["5"]], "gamma": ["2"], "beta": ["1"], "running_mean": ["1"], "running_var": ["4"]}),
    # gradient_descent: schedule defaults, the schedule from t = 1, eps and defaults of the
    # adaptive steps, Adam's bias correction at t = 2
    "exponential_lr_default": ("lr_schedule", {"kind": "exponential", "ts": [10],
                                               "params": {"rate": "1/10"}}),
    "polynomial_lr_default": ("lr_schedule", {"kind": "polynomial", "ts": [30, 0],
                                              "params": {"alpha": "1/10", "power": "1/2"}}),
    "sgd_geometric_schedule": ("sgd_affine", {"A": [["2"]], "eta": "1/4", "steps": 3,
                                              "schedule": "geometric", "params": {"base": "1/2"}}),
    # eta_t = 1/4 * (1/2)**(t - 1) = 1/2 * (1/2)**t: the schedule counted from t = 0
    "sgd_geometric_schedule_from_zero": ("sgd_affine", {"A": [["2"]], "eta": "1/2", "steps": 3,
                                                        "schedule": "geometric", "params": {"base": "1/2"}}),
    "sgd_schedule_ignored": ("sgd_affine", {"A": [["2"]], "eta": "1/4", "steps": 3,
                                            "schedule": "constant", "params": {}}),
    "adagrad_eps_inside": ("adaptive_step", {"method": "adagrad", "x": ["1"], "g": ["2"], "eta": "3/10",
                                             "state": {"s": ["0"]}, "hyper": {"eps": "5"}}),
    "adagrad_default_eps": ("adaptive_step", {"method": "adagrad", "x": ["1"], "g": ["2"], "eta": "3/10",
                                              "state": {"s": ["0"]}}),
    "rmsprop_eps_inside": ("adaptive_step", {"method": "rmsprop", "x": ["0"], "g": ["2"], "eta": "1/2",
                                             "state": {"s": ["0"]}, "hyper": {"gamma": "3/4", "eps": "3"}}),
    "rmsprop_defaults": ("adaptive_step", {"method": "rmsprop", "x": ["0"], "g": ["2"], "eta": "1/10",
                                           "state": {"s": ["0"]}}),
    "adam_bias_correction_at_two": ("adaptive_step", {
        "method": "adam", "x": ["1"], "g": ["1"], "eta": "1/10", "state": {"v": ["0"], "s": ["0"]},
        "t": 2, "hyper": {"beta1": "1/2", "beta2": "3/4", "eps": "0"}}),
    "adam_eps_outside": ("adaptive_step", {"method": "adam", "x": ["1"], "g": ["1"], "eta": "1/10",
                                           "state": {"v": ["0"], "s": ["0"]}, "t": 1,
                                           "hyper": {"eps": "1"}}),
    "adam_default_eps": ("adaptive_step", {"method": "adam", "x": ["1"], "g": ["1/2"], "eta": "1/100",
                                           "state": {"v": ["0"], "s": ["0"]}, "t": 1}),
    # second_order: eigenvalues exactly at the tolerance, the largest of three eigenvalues
    **{f"classify_at_tolerance_{i}": ("classify_hessian", {"H": [[a, "0"], ["0", b]], "tol": "1/2"})
       for i, (a, b) in enumerate([("1/2", "-1"), ("-1/2", "1"), ("1/2", "1"), ("-1/2", "-1")])},
    "classify_exact_zero": ("classify_hessian", {"H": [["0", "0"], ["0", "2"]]}),
    "stable_lr_three_eigenvalues": ("max_stable_learning_rate", {
        "H": [["1", "0", "0"], ["0", "4", "0"], ["0", "0", "2"]]}),
    "hvp_default_step_on_a_cubic": ("hvp_closed_form", {"kind": "quartic_sum", "x": ["1", "2"],
                                                        "v": ["1", "1"]}),
    "hvp_scales_the_step_by_v": ("hvp_closed_form", {"kind": "quadratic", "x": ["1", "1"], "v": ["2", "1/2"],
                                                     "A": [["2", "0"], ["0", "6"]]}),
    "power_iteration_diag_one_zero": ("dominant_eigenpair", {"A": [["1", "0"], ["0", "0"]]}),
    # symmetry: eigenvalues at the tolerance; exact enumerations with unequal values, with a
    # probability of 0, and with integers whose products float64 rounds
    "sign_fractions_at_tolerance": ("eigen_sign_counts", {
        "matrices": [[["1/2", "0"], ["0", "-1/2"]], [["1", "0"], ["0", "-1"]]], "tol": "1/2"}),
    "exact_signs_unequal_values": ("eigen_sign_enumeration", {"n": 2, "values": ["1/2", "1"],
                                                              "probs": ["1/2", "1/2"]}),
    "exact_signs_zero_probability": ("eigen_sign_enumeration", {"n": 2, "values": ["5", "1"],
                                                                "probs": ["0", "1"]}),
    "exact_signs_beyond_float64": ("eigen_sign_enumeration", {
        "n": 2, "values": [str(2**20 + 1), str(2**40 - 2**20 + 1), str(2**30)],
        "probs": ["1/3", "1/3", "1/3"]}),
}
for _name, _params in MUTANT_CASES.values():
    case(_name, **_params)
# --- keras_lab ---------------------------------------------------------------------------------
# The lab's loss surfaces on the square it plots ([-2, 2]^2) and its activation plots' points
# (autograder.lab.spec: surface limit and activation_points, -6 ... 6 in steps of 1/2).
for _surface in ("convex", "non-convex", "saddle"):
    case("lab_critical_points", surface=_surface, limit="2")
case("lab_activation_curves", points=[str(k / 2) if k % 2 else str(k // 2) for k in range(-12, 13)])
case("lab_surface_values", xs=["-2", "-1", "0", "1", "2"], ys=["-3/2", "1/2", "5/2"])  # spec's grid

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
# sgd following a piecewise schedule (tests/hidden/test_piecewise_lr.py)
GD_PIECEWISE_SCHEDULE = dict(A=[["2", "0"], ["0", "4"]], x0=["3", "-2"], eta="1/5", steps=6,
                             boundaries=[2, 4], values=["1", "1/2", "1/4"])
case("gd_piecewise_schedule", **GD_PIECEWISE_SCHEDULE)
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
# keyed by the tests' ids; each entry is the derivation's keyword arguments (hyper only if given)
ADADELTA_STEPS = {_id: dict(x=_x, g=_g, s=_s, delta=_d, **({"hyper": _h} if _h else {}))
                  for _id, (_x, _g, _s, _d, _h) in zip(["first-step", "matrix", "scalar", "warm"], ADADELTA_STEPS)}
for _kw in ADADELTA_STEPS.values():
    case("adadelta_step_exact", **_kw)
NADAM_STEPS = [
    (["1", "-2", "1/2"], ["3", "-1/10", "1/4"], ["0", "0", "0"], ["0", "0", "0"], 1, "1/100", None),
    (["1", "-2", "1/2"], ["3", "-1/10", "1/4"], ["1/2", "-1/5", "0"], ["1/4", "1/100", "1/10"], 5, "1/100", None),
    ([["1", "2"], ["-1", "0"]], [["1/2", "-3"], ["2", "1/100"]], [["0", "1"], ["0", "0"]], [["1", "0"], ["0", "1"]],
     1000, "1/1000", {"beta1": "4/5", "beta2": "99/100", "eps": "1/10000000"}),
    ("0", "1", "1/10", "1/1000", 2, "1/10", {"eps": "0"}),
]
NADAM_STEPS = {_id: dict(x=_x, g=_g, v=_v, s=_s, t=_t, eta=_eta, **({"hyper": _h} if _h else {}))
               for _id, (_x, _g, _v, _s, _t, _eta, _h) in zip(["t=1", "t=5", "matrix-t=1000", "scalar-t=2"],
                                                               NADAM_STEPS)}
for _kw in NADAM_STEPS.values():
    case("nadam_step_exact", **_kw)
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
MINIBATCH_GRADIENTS = [(["1/2", "-1"], 2), (["0", "0"], 3), (["1", "1"], 1)]     # (w, batch_size)
for _w, _b in MINIBATCH_GRADIENTS:
    case("minibatch_gradients_all", **MINIBATCH_DATA, w=_w, batch_size=_b)
# (n, batch_size, num_epochs, eta) on the first n examples
MINIBATCH_SGD = [(4, 2, 2, "1/10"), (3, 2, 2, "1/5"), (4, 3, 2, "1/10")]
MINIBATCH_W0 = ["0", "0"]
for _n, _b, _epochs, _eta in MINIBATCH_SGD:
    case("minibatch_sgd_all_orders", X=MINIBATCH_DATA["X"][:_n], y=MINIBATCH_DATA["y"][:_n], w0=MINIBATCH_W0,
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
SYMBREAK_TRAINING = dict(eta="1/2", steps=5)
for _W1, _W2 in SYMBREAK_INITS.values():
    case("two_layer_gradients_exact", **SYMBREAK_DATA, W1=_W1, W2=_W2)
    case("two_layer_training", **SYMBREAK_DATA, W1=_W1, W2=_W2, **SYMBREAK_TRAINING)
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

# --- per-student variants (branch variants) ---------------------------------------------------
# Every combination of every variant-aware exercise of autograder/variants.toml: the derivations
# its hidden tests (tests/hidden/test_variants.py) read. Generated, so editing variants.toml and
# running --rebuild is all it takes.
from ..variants import variant_cases  # noqa: E402

CASES.extend(variant_cases())
