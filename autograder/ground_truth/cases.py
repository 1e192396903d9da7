"""The catalogue of derivations the hidden tests read: (derivation name, exact parameters).

A hidden test calls ``ground_truth.load(name, **params)`` with one of these; adding a case here
and running ``python -m autograder.ground_truth --rebuild`` derives it. Parameters are exact:
rationals as strings ("1/10"), matrices as nested lists.
"""

from __future__ import annotations

CASES: list[tuple[str, dict]] = []


def case(name: str, **params) -> None:
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

# --- the float64 course functions of tests/hidden/course_functions.py, checked against sympy ---
for _name, _points in [("x^2", ["-3", "1/2", "7"]), ("x*cos(pi*x)", ["-2", "3/10", "13/10"]),
                       ("x*cos(0.15*pi*x)", ["-2", "1", "9"]), ("x^3", ["-2", "0", "3/2"])]:
    case("function_derivatives", function=_name, points=_points)
for _name in ["x^2+y^2", "x^2-y^2", "sin(x^2)+cos(y^2)", "rosenbrock", "x1^2+2*x2^2",
              "0.1*x1^2+2*x2^2"]:
    case("function_derivatives", function=_name, points=[["-1/2", "1"], ["1", "1"], ["3/2", "-2"]])
