"""Per-student variants in the releases built by ``autograder build`` (:mod:`autograder.build`).

* :func:`check_salt_leaks`: the build refuses a student release holding the course salt (as
  is, in hex or in base64): the leak check's "secrets" extended with the one secret that is not
  a file of the checkout.
* The ``variant-salt`` producer: when a salt is configured at build time (``$AUTOGRADER_SALT``
  or ``$AUTOGRADER_SALT_FILE``), ``autograder.zip`` carries it as ``variant_salt`` and
  ``run_autograder`` points ``$AUTOGRADER_SALT_FILE`` at it, so Gradescope grades each student's
  own variant (``submission_metadata.json`` names the student). ``autograder.zip`` already holds
  the hidden tests and the ground truth: it is the instructor's, never a student's.
* :func:`personal_releases`: ``student.zip`` plus each student's ``variant.json`` (and a
  "Your variant" section in its README), one zip per student, byte-reproducible and
  salt-checked like the generic release.

This module imports the build package, so it never ships to students (the student release holds
only :mod:`autograder.variants` itself, which imports nothing of the build).
"""

from __future__ import annotations

import calendar
import re
import zipfile
from pathlib import Path
from typing import Iterable

from ..build.leaks import Leak, LeakError
from ..build.release import BuildError, autograder_producer
from ..build.reproducible import FILE_MODE, Member, zip_bytes
from . import VARIANT_FILE, SaltError, normalise_student, read_salt, salt_leaks, variant_for

SALT_MEMBER = "variant_salt"


def check_salt_leaks(members: Iterable[Member], salt: bytes | None = None) -> None:
    """Raise :class:`LeakError` naming every member that holds the salt (never the salt itself).

    ``salt`` defaults to the configured one; without a salt there is nothing to leak.
    """
    salt = read_salt() if salt is None else salt
    if salt is None:
        return
    leaked = salt_leaks(((m.path, m.data) for m in members), salt)
    if leaked:
        raise LeakError([Leak(name, "course salt", "(the variants' secret key)", "contains the")
                         for name in leaked])


@autograder_producer("variant-salt")
def salt_for_gradescope(ctx) -> list[Member]:
    try:
        salt = read_salt()
    except SaltError as exc:
        raise BuildError(str(exc)) from None
    return [Member(SALT_MEMBER, salt + b"\n", FILE_MODE)] if salt is not None else []


def readme_section(variant) -> str:
    """The student README's list of their own numbers (the same as ``variant.json``)."""
    lines = ["", "## Your variant", "",
             "Some exercises use numbers of your own (every student's are different, and equally "
             "hard). `tests/public/test_variant.py` checks your code on them; the grader uses them "
             f"too. They are also in `{VARIANT_FILE}`:", ""]
    for exercise, params in variant.params.items():
        shown = ", ".join(f"{k} = {_plain(v)}" for k, v in params.items())
        lines.append(f"- `{exercise}`: {shown}")
    return "\n".join(lines) + "\n"


def _plain(value) -> str:
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_plain(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list):
        return "[" + ", ".join(_plain(v) for v in value) + "]"
    return str(value)


def _with_variant_section(member: Member, variant) -> Member:
    if member.path != "README.md":
        return member
    return Member(member.path, member.data.rstrip(b"\n") + b"\n" + readme_section(variant).encode("utf-8"),
                  member.mode)


def release_name(student: str) -> str:
    """A file name for a student's zip: the normalised id with anything unusual replaced."""
    return "student-" + re.sub(r"[^a-z0-9._@-]", "_", normalise_student(student)) + ".zip"


def personal_releases(student_zip: str | Path, students: Iterable[str], salt: bytes,
                      out: str | Path) -> dict[str, Path]:
    """One ``student-<id>.zip`` per student in ``out``: ``student.zip``'s members plus the
    student's ``variant.json``, with the same timestamps (so a rebuild is byte-identical)."""
    if salt is None:
        raise SaltError("per-student releases need the course salt "
                        "($AUTOGRADER_SALT, $AUTOGRADER_SALT_FILE or --salt-file)")
    with zipfile.ZipFile(student_zip) as zf:
        infos = [i for i in zf.infolist() if not i.is_dir()]
        base = [Member(i.filename, zf.read(i), (i.external_attr >> 16) & 0o777 or FILE_MODE)
                for i in infos if i.filename != VARIANT_FILE]
        epoch = calendar.timegm(infos[0].date_time + (0, 0, -1)) if infos else 0
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    written: dict[str, Path] = {}
    for student in students:
        name = release_name(student)
        if name in {p.name for p in written.values()}:
            raise BuildError(f"two students map to the release name {name}")
        variant = variant_for(student, salt)
        members = [_with_variant_section(m, variant) for m in base]
        members.append(Member(VARIANT_FILE, variant.to_json().encode("utf-8")))
        check_salt_leaks(members, salt)
        path = out / name
        path.write_bytes(zip_bytes(members, epoch))
        written[variant.student] = path
    return written
