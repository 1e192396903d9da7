"""Per-student variants: each student gets their own numbers, every variant as fair as the others.

The instructor lists, in ``autograder/variants.toml``, finite sets of exact values for the
parameters of a few exercises (a step size, a starting point, the conditioning of a quadratic,
a keep probability, ...). A student's value of parameter ``NAME`` of exercise ``EX`` is::

    index = int(HMAC-SHA256(salt, "autograder-variant-v1 \\x1f student \\x1f EX \\x1f NAME")) mod len(list)

* **Stable forever.** Each choice has its own HMAC of (student, exercise, parameter name), so
  adding an exercise or a parameter never moves another one, and no pseudo-random generator
  (whose stream may change between library versions) is involved: HMAC-SHA256 is a standard.
* **Secret.** The salt is the course's secret key. Without it a student cannot compute a
  classmate's variant (HMAC is a pseudo-random function of the key); the salt is read from the
  environment or a file, never stored in the repository, and must not appear in a release.
* **Default variant.** Without a salt (or without a student id) everyone gets the first value of
  every list: the variant the public tests document.

Ground truth for every combination of every exercise is derived with sympy at build time
(:func:`variant_cases` feeds ``autograder/ground_truth/cases.py``), so grading reads cached values
and never imports sympy. This module imports neither sympy nor the ground truth: it ships to
students (their public tests show them their own parameters).

    >>> v = variant_for("s1234567", salt=b"a test salt, sixteen bytes at least")
    >>> v["gd"]["eta"]                        # one of the exact strings of variants.toml
    >>> ground_truth_requests("gd", v["gd"])  # what the hidden tests load for it
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import os
from dataclasses import dataclass
from fractions import Fraction
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterable, Mapping

from .. import toml_cache

# The manifest sits beside course.toml, where instructors edit the course.
MANIFEST = Path(__file__).resolve().parent.parent / "variants.toml"
SALT_ENV = "AUTOGRADER_SALT"
SALT_FILE_ENV = "AUTOGRADER_SALT_FILE"
VARIANT_FILE = "variant.json"
MIN_SALT_BYTES = 16          # 128 bits: guessing the salt is as hard as guessing a random key
DOMAIN = "autograder-variant-v1"   # changes only if the derivation itself ever changes
FORMAT = 1


class SaltError(RuntimeError):
    """The salt is missing where it is required, or unusable (too short, unreadable)."""


class VariantFileError(ValueError):
    """A ``variant.json`` that cannot be read as a variant of this course."""


# --- the salt ----------------------------------------------------------------------------------

def read_salt(salt_file: str | os.PathLike | None = None,
              environ: Mapping[str, str] | None = None) -> bytes | None:
    """The course's secret salt, or None when none is configured.

    Looked up in order: ``salt_file`` (``--salt-file``), ``$AUTOGRADER_SALT``,
    ``$AUTOGRADER_SALT_FILE``. Surrounding whitespace (a file's final newline) is dropped. A salt
    shorter than 16 bytes is refused: a short one could be found by trying them all.
    """
    env = os.environ if environ is None else environ
    if salt_file is None and env.get(SALT_ENV):
        raw, where = env[SALT_ENV].encode("utf-8"), f"${SALT_ENV}"
    else:
        path = salt_file if salt_file is not None else env.get(SALT_FILE_ENV) or None
        if path is None:
            return None
        where = f"the salt file {path}"
        try:
            raw = Path(path).read_bytes()
        except OSError as exc:
            raise SaltError(f"cannot read {where}: {exc.strerror or exc}") from None
    salt = raw.strip()
    if len(salt) < MIN_SALT_BYTES:
        raise SaltError(f"{where} holds {len(salt)} bytes; a salt needs at least {MIN_SALT_BYTES} "
                        "(make one with: python -c 'import secrets; print(secrets.token_hex(32))')")
    return salt


def normalise_student(student: str) -> str:
    """One spelling per student: surrounding spaces dropped, case folded (emails are
    case-insensitive, and a roster's "S123" must match Gradescope's "s123")."""
    text = str(student).strip().casefold()
    if not text:
        raise ValueError("the student identifier is empty")
    return text


def choice_index(salt: bytes, student: str, exercise: str, parameter: str, size: int) -> int:
    """Which of ``size`` values this student gets for one parameter (see the module docstring).

    The modulo's bias is at most size / 2**256: no student can notice it.
    """
    message = "\x1f".join([DOMAIN, normalise_student(student), exercise, parameter]).encode("utf-8")
    digest = hmac.new(salt, message, hashlib.sha256).digest()
    return int.from_bytes(digest, "big") % size


# --- the manifest ------------------------------------------------------------------------------

@dataclass(frozen=True)
class ExerciseVariants:
    """The variant space of one exercise: shared parameters and the lists students draw from."""
    exercise: str
    fixed: dict
    choices: dict                       # parameter name -> list of exact values

    def default(self) -> dict:
        return {**self.fixed, **{name: values[0] for name, values in self.choices.items()}}

    def combinations(self) -> list[dict]:
        """Every variant of this exercise (the product of its lists), in a fixed order."""
        names = list(self.choices)
        return [{**self.fixed, **dict(zip(names, picked))}
                for picked in itertools.product(*(self.choices[n] for n in names))]


@lru_cache(maxsize=None)
def load_manifest(path: Path = MANIFEST) -> dict[str, ExerciseVariants]:
    data = toml_cache.load(path)
    spaces = {}
    for exercise, table in data.items():
        choices = table.get("choices", {})
        unknown = set(table) - {"fixed", "choices"}
        if unknown:
            raise ValueError(f"{path}: [{exercise}] has unknown keys {sorted(unknown)}")
        for name, values in choices.items():
            if not isinstance(values, list) or not values:
                raise ValueError(f"{path}: {exercise}.choices.{name} must be a non-empty list")
            if len({json.dumps(v, sort_keys=True) for v in values}) != len(values):
                raise ValueError(f"{path}: {exercise}.choices.{name} lists a value twice")
        overlap = set(choices) & set(table.get("fixed", {}))
        if overlap:
            raise ValueError(f"{path}: {exercise}: {sorted(overlap)} both fixed and chosen")
        spaces[exercise] = ExerciseVariants(exercise, dict(table.get("fixed", {})), dict(choices))
    return spaces


def variant_exercises() -> tuple[str, ...]:
    """The ids of the variant-aware exercises, in manifest order."""
    return tuple(load_manifest())


# --- a student's variant -----------------------------------------------------------------------

@dataclass(frozen=True)
class Variant:
    """One student's parameters for every variant-aware exercise.

    ``source`` says where it came from: ``"salt"`` (computed for ``student``), ``"default"``,
    or ``"variant.json"`` (a student release's copy).
    """
    params: dict
    student: str | None = None
    source: str = "default"

    def __getitem__(self, exercise: str) -> dict:
        try:
            return self.params[exercise]
        except KeyError:
            raise KeyError(f"exercise {exercise!r} has no variant; variants.toml lists "
                           f"{sorted(self.params)}") from None

    @property
    def is_default(self) -> bool:
        return self.params == default_variant().params

    def to_json(self) -> str:
        """What a per-student release ships as ``variant.json`` (no salt, nothing secret)."""
        return json.dumps({"format": FORMAT, "student": self.student, "source": self.source,
                           "exercises": self.params}, indent=1, sort_keys=True) + "\n"


def default_variant() -> Variant:
    return Variant({ex: space.default() for ex, space in load_manifest().items()})


def variant_for(student: str | None, salt: bytes | None) -> Variant:
    """The student's variant; the default variant when there is no salt or no student."""
    if salt is None or student is None:
        return default_variant()
    student = normalise_student(student)
    params = {}
    for exercise, space in load_manifest().items():
        chosen = {name: values[choice_index(salt, student, exercise, name, len(values))]
                  for name, values in space.choices.items()}
        params[exercise] = {**space.fixed, **chosen}
    return Variant(params, student=student, source="salt")


def read_variant_file(path: str | os.PathLike) -> Variant:
    """A release's ``variant.json``; every exercise's parameters must be one of its combinations
    (so a hand-edited file cannot ask for values nobody derived)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise VariantFileError(f"{path} is not a readable variant file: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT or not isinstance(data.get("exercises"), dict):
        raise VariantFileError(f"{path} is not a variant file of format {FORMAT}")
    manifest = load_manifest()
    params = default_variant().params
    for exercise, values in data["exercises"].items():
        if exercise not in manifest:
            raise VariantFileError(f"{path}: exercise {exercise!r} has no variants in this course")
        if values not in manifest[exercise].combinations():
            raise VariantFileError(f"{path}: the parameters of {exercise!r} are not one of its variants")
        params[exercise] = values
    return Variant(params, student=data.get("student"), source=VARIANT_FILE)


def variant_for_run(student: str | None = None, salt_file: str | None = None,
                    rootdir: str | os.PathLike | None = None) -> Variant:
    """The variant a test run uses (the pytest plugin's ``variant`` fixture).

    Grading (``--student ID``): computed from the salt, or the default variant when the course
    has no salt. A student's own run: their release's ``variant.json`` when there is one at the
    root, else the default variant.
    """
    if student:
        return variant_for(student, read_salt(salt_file))
    if rootdir is not None and (Path(rootdir) / VARIANT_FILE).is_file():
        return read_variant_file(Path(rootdir) / VARIANT_FILE)
    return default_variant()


def write_variant_file(directory: str | os.PathLike, student: str, salt: bytes) -> Path:
    """Write ``variant.json`` for one student into a per-student release directory.

    The file holds the student's parameters only: not the salt, not other students' variants.
    """
    if salt is None:
        raise SaltError("a per-student release needs the course salt "
                        f"(${SALT_ENV}, ${SALT_FILE_ENV} or --salt-file)")
    out = Path(directory) / VARIANT_FILE
    out.write_text(variant_for(student, salt).to_json(), encoding="utf-8")
    return out


# --- the student's identity at grading time ----------------------------------------------------

METADATA_FILE = "submission_metadata.json"


def student_from_metadata(path: str | os.PathLike) -> str | None:
    """The student id of a Gradescope ``submission_metadata.json``: ``users[0].sid``, else
    ``users[0].email``; None when the file has neither (or cannot be read)."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    users = data.get("users") if isinstance(data, dict) else None
    if not isinstance(users, list) or not users or not isinstance(users[0], dict):
        return None
    for key in ("sid", "email"):
        value = users[0].get(key)
        if isinstance(value, (str, int)) and str(value).strip():
            return normalise_student(str(value))
    return None


def resolve_student(submission: str | os.PathLike, student: str | None = None,
                    metadata: str | os.PathLike | None = None) -> str | None:
    """Who handed ``submission`` in: ``student`` if given, else ``metadata``'s id, else the id in
    a ``submission_metadata.json`` beside the submission (Gradescope puts it at
    ``/autograder/submission_metadata.json``, next to ``/autograder/submission``)."""
    if student:
        return normalise_student(student)
    if metadata is not None:
        return student_from_metadata(metadata)
    beside = Path(submission).resolve().parent / METADATA_FILE
    return student_from_metadata(beside) if beside.is_file() else None


# --- ground truth for every variant ------------------------------------------------------------

# The rotation of gd's quadratic family: exact (a Pythagorean triple), so A stays rational.
ROTATION = ((Fraction(3, 5), Fraction(-4, 5)), (Fraction(4, 5), Fraction(3, 5)))


def rotated_quadratic(kappa: str) -> list[list[str]]:
    """A = R diag(1, kappa) R^T: eigenvalues 1 and kappa, eigenvectors the columns of R."""
    lam = (Fraction(1), Fraction(kappa))
    return [[str(sum(ROTATION[i][k] * lam[k] * ROTATION[j][k] for k in range(2))) for j in range(2)]
            for i in range(2)]


def stable_lr_matrix(params: Mapping[str, Any]) -> list[list[str]]:
    return [[params["a"], params["b"]], [params["b"], params["c"]]]


def num_dropped(params: Mapping[str, Any]) -> int:
    dropped = (1 - Fraction(params["keep"])) * params["num_units"]
    if dropped.denominator != 1:
        raise ValueError(f"keep {params['keep']} of {params['num_units']} units is not a whole number")
    return int(dropped)


def ground_truth_requests(exercise: str, params: Mapping[str, Any]) -> dict[str, tuple[str, dict]]:
    """The cached derivations a variant's hidden tests read: label -> (derivation, parameters),
    for ``ground_truth.load(name, **parameters)``."""
    p = params
    if exercise == "gd":
        requests = {"trajectory": ("gd_quadratic", dict(A=rotated_quadratic(p["kappa"]), x0=p["x0"],
                                                        eta=p["eta"], steps=p["steps"]))}
        if "nonconvex" in p:
            n = p["nonconvex"]
            requests["nonconvex"] = ("gd_cosine", dict(c=n["c"], x0=n["x0"], eta=n["eta"],
                                                       steps=p["nonconvex_steps"]))
        return requests
    if exercise in ("momentum", "nesterov"):
        return {"trajectory": (f"{exercise}_quadratic", dict(A=p["A"], x0=p["x0"], v0=p["v0"],
                                                            eta=p["eta"], beta=p["beta"],
                                                            steps=p["steps"]))}
    if exercise == "newton":
        return {"step": ("newton_step", dict(x=p["x"], g=p["g"], H=p["H"], damping=p["damping"]))}
    if exercise == "stable_lr":
        return {"eta_max": ("max_stable_learning_rate", dict(H=stable_lr_matrix(p)))}
    if exercise == "dropout":
        return {"keep": ("keep_probability", dict(num_dropped=num_dropped(p), num_units=p["num_units"])),
                "band": ("binomial_band", dict(n=p["mask_shape"][0] * p["mask_shape"][1], p=p["keep"]))}
    if exercise == "permutation_symmetry":
        return {"counts": ("symmetry_counts", dict(ds=[p["d"]]))}
    if exercise == "wigner_symmetry":
        return {"probabilities": ("eigen_sign_enumeration", dict(n=p["n"], values=p["entries"]["values"],
                                                                 probs=p["entries"]["probs"]))}
    raise KeyError(f"no ground truth is mapped for the variants of {exercise!r}")


def variant_cases() -> list[tuple[str, dict]]:
    """Every (derivation, parameters) any variant of any exercise reads: the block of
    ``autograder/ground_truth/cases.py`` that ``--rebuild`` derives."""
    out, seen = [], set()
    for exercise, space in load_manifest().items():
        for params in space.combinations():
            for name, kwargs in ground_truth_requests(exercise, params).values():
                key = json.dumps([name, kwargs], sort_keys=True)
                if key not in seen:
                    seen.add(key)
                    out.append((name, kwargs))
    return out


# --- secrecy -----------------------------------------------------------------------------------

def salt_spellings(salt: bytes) -> list[bytes]:
    """The ways a salt could be written into a file: as is, in hex, in base64."""
    import base64

    return [salt, salt.hex().encode(), base64.b64encode(salt).rstrip(b"=")]


def salt_leaks(files: Iterable[tuple[str, bytes]], salt: bytes) -> list[str]:
    """Names of the ``(name, bytes)`` files that contain the salt (for a release's leak check)."""
    spellings = salt_spellings(salt)
    return [name for name, data in files if any(s in data for s in spellings)]
