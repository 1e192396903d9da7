"""Every command, run as a user runs it, given bad paths and options: one line, exit 2, no traceback.

Each case runs the real command in a subprocess, from a folder that is not the course, with one
bad path in one slot: missing, empty, unreadable, of the wrong type (a folder for a file, a file
for a folder, a FIFO that would block a reader), or with a hostile name (a newline, terminal
escapes, rich markup, bidi override, bytes that are not UTF-8, a name too long for the file
system). A usage error must print nothing on stdout and exactly one line on stderr,
``<command>: error: <what is wrong>: <what to do>``, with the name escaped; a submission that is
there but cannot be read must still get its report on stdout, with one ``could not grade`` line.

"Unreadable" needs a process that permission bits stop: as root (CI runs as root) the command is
started with the capabilities that bypass them (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH) dropped.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from autograder.usage import DEBUG_ENV

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "submission"
GD_TESTS = ROOT / "tests" / "public" / "test_gradient_descent.py"

# What a bad path or option must get back.
USAGE = "usage"      # stdout empty, one line "<prog>: error: ..." on stderr, exit 2
REPORT = "report"    # a report on stdout, one line "autograder: could not grade: ..." on stderr, exit 2

HOSTILE_NAMES = {
    "newline": "sub\nScore: 327 / 327",
    "ansi": "\x1b[2J\x1b[31msub",
    "markup": "[red]sub[/red] [link=https://example.com]x[/link]",
    "bidi": "sub\u202egpj.py",
    "not-utf8": os.fsdecode(b"sub\xff\xfe"),
    "too-long": "s" * 300,       # one component longer than NAME_MAX (255)
}


@dataclass(frozen=True)
class Slot:
    """One place a command takes a path: ``argv`` with ``{}`` where the path goes."""
    prog: str
    argv: tuple[str, ...]
    wants: str                  # "file", "dir", "any" (file or folder), "out-file", "out-dir"
    empty: str | None = USAGE   # what an empty file (or folder) there gets; None: not an error

    def command(self, path: str) -> list[str]:
        return [a.replace("{}", path) for a in self.argv]


AG = (sys.executable, "-m", "autograder")
SLOTS = {
    "grade PATH": Slot("autograder grade", (*AG, "grade", "{}", "--tests", str(GD_TESTS)),
                       "any", empty=REPORT),
    # tests that are there but hold none: reported ("No graded test was collected"), like a
    # submission that holds none
    "grade --tests": Slot("autograder grade", (*AG, "grade", str(EXAMPLE), "--tests", "{}"), "any",
                          empty=REPORT),
    "grade --output": Slot("autograder grade", (*AG, "grade", str(EXAMPLE), "--tests",
                                                str(GD_TESTS), "--output", "{}"),
                           "out-file", empty=None),
    "grade --metadata": Slot("autograder grade", (*AG, "grade", str(EXAMPLE), "--tests",
                                                  str(GD_TESTS), "--metadata", "{}"),
                             "file", empty=REPORT),
    "grade --salt-file": Slot("autograder grade", (*AG, "grade", str(EXAMPLE), "--tests",
                                                   str(GD_TESTS), "--student", "s1", "--salt-file",
                                                   "{}"),
                              "file", empty=REPORT),
    "grade-all SUBMISSIONS": Slot("autograder grade-all", (*AG, "grade-all", "{}", "--db",
                                                           "gradebook.sqlite"), "dir", empty=None),
    "grade-all --db": Slot("autograder grade-all", (*AG, "grade-all", "class", "--db", "{}"),
                           "out-file", empty=None),
    "grade-all --export": Slot("autograder grade-all", (*AG, "grade-all", "class", "--export", "{}"),
                               "out-dir", empty=None),
    "progress --root": Slot("autograder progress", (*AG, "progress", "--root", "{}"), "dir"),
    "watch --root": Slot("autograder watch", (*AG, "watch", "--root", "{}"), "dir"),
    "build --root": Slot("autograder build", (*AG, "build", "--root", "{}", "--out", "dist"), "dir"),
    "build --out": Slot("autograder build", (*AG, "build", "--out", "{}", "--skip", "notebooks"),
                        "out-dir", empty=None),
    "variant --roster": Slot("autograder variant", (*AG, "variant", "--roster", "{}"), "file"),
    "variant --salt-file": Slot("autograder variant", (*AG, "variant", "--student", "s1",
                                                       "--salt-file", "{}"), "file"),
    "variant --release": Slot("autograder variant", (*AG, "variant", "--student", "s1", "--release",
                                                     "{}"), "file"),
    "python -m autograder.build --root": Slot(
        "python -m autograder.build", (sys.executable, "-m", "autograder.build", "--root", "{}"),
        "dir"),
    "student release: progress --root": Slot(
        "autograder progress", (sys.executable, "-m", "autograder.build.student_cli", "progress",
                                "--root", "{}"), "dir"),
}

#: Slots where an empty file is something else than an empty folder would be, and so on: a
#: gradebook that is an empty file is a new gradebook; an empty class folder is graded (nothing).
GRADED_WHEN_EMPTY = {"grade-all SUBMISSIONS", "grade-all --db", "grade-all --export",
                     "grade --output", "build --out"}


def _environment() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != DEBUG_ENV and not k.startswith("AUTOGRADER_SALT")}
    env.update(PYTHONPATH=str(ROOT), COLUMNS="100", PYTHONDONTWRITEBYTECODE="1")
    return env


def _run(argv: list[str], cwd: Path, unprivileged: bool = False) -> subprocess.CompletedProcess:
    if unprivileged and os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("root ignores permission bits and setpriv (util-linux) is missing")
        drop = "-dac_override,-dac_read_search"
        argv = [setpriv, f"--bounding-set={drop}", f"--inh-caps={drop}", *argv]
    return subprocess.run(argv, cwd=cwd, env=_environment(), capture_output=True, timeout=120)


def _assert_one_clear_line(proc: subprocess.CompletedProcess, expect: str, prog: str) -> str:
    out = proc.stdout.decode("utf-8", "replace")
    err = proc.stderr.decode("utf-8")     # strict: what the command writes is UTF-8
    assert "Traceback" not in out + err, err
    lines = err.splitlines()
    assert len(lines) == 1, err
    line = lines[0]
    assert proc.returncode == 2, (proc.returncode, err)
    # no terminal escape, no control character, whatever the name held
    assert line.isprintable(), repr(line)
    if expect == USAGE:
        assert out == "", out[:500]
        assert line.startswith(f"{prog}: error: "), line
        assert "internal error" not in line, line
    else:
        assert out.strip(), "a submission that is there but unreadable still gets its report"
        # (a grading the machine could not do says so in its own words: not the submission's)
        assert line.startswith(("autograder: could not grade: ",
                                "autograder: Not graded: the grading machine failed")), line
    return line


@pytest.fixture
def place(tmp_path: Path) -> Path:
    """A folder that is not the course, holding a small class folder for grade-all's slots."""
    (tmp_path / "class").mkdir()
    return tmp_path


def _make(kind: str, wants: str, where: Path) -> Path:
    """A bad path of ``kind`` for a slot that ``wants`` something."""
    path = where / f"bad-{kind}"
    file_like = wants in ("file", "out-file") or (wants == "any" and kind != "empty-dir")
    if kind == "missing":
        return path
    if kind == "empty":
        if file_like:
            path = path.with_suffix(".py")
            path.write_text("")
        else:
            path.mkdir()
        return path
    if kind == "unreadable":
        if wants in ("out-file", "out-dir"):
            path.mkdir()
            path.chmod(0o555)                 # not writable
            return path / "inside"
        if file_like:
            path.write_text("x = 1\n")
        else:
            path.mkdir()
        path.chmod(0)
        return path
    if kind == "wrong-type":
        if wants in ("file", "out-file"):
            path.mkdir()                      # a folder where a file is expected
        elif wants == "any":
            os.mkfifo(path)                   # would block whoever reads it
        else:
            path.write_text("a file where a folder is expected\n")
        return path
    raise AssertionError(kind)


KINDS = ("missing", "empty", "unreadable", "wrong-type")


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("slot_name", SLOTS)
def test_a_bad_path_gets_one_line_and_exit_2(slot_name, kind, place):
    slot = SLOTS[slot_name]
    path = _make(kind, slot.wants, place)
    expect = USAGE
    if kind == "empty":
        expect = slot.empty
    if kind == "missing" and slot.wants.startswith("out-"):
        expect = None                         # an output that is not there yet is made
    proc = _run(slot.command(str(path)), place, unprivileged=kind == "unreadable")
    if expect is None:
        assert "Traceback" not in (proc.stdout + proc.stderr).decode("utf-8", "replace")
        assert slot_name in GRADED_WHEN_EMPTY or kind == "missing", slot_name
        return
    line = _assert_one_clear_line(proc, expect, slot.prog)
    if expect == USAGE and kind != "empty":     # an empty roster, say, is not the path's fault
        assert f"'{path}'" in line or f"'{path.parent}'" in line, line
        # what is wrong, then what to do: "...: give the ...", "...: check its permissions"
        assert re.search(r"\S: \S", line[len(slot.prog) + 9:]), line


@pytest.mark.parametrize("name", HOSTILE_NAMES)
@pytest.mark.parametrize("slot_name", SLOTS)
def test_a_hostile_name_is_echoed_escaped_on_one_line(slot_name, name, place):
    slot = SLOTS[slot_name]
    raw = HOSTILE_NAMES[name]
    path = str(place / "class" / raw) if slot.wants.startswith("out-") else str(place / raw)
    if slot.wants.startswith("out-") and name != "too-long":
        # an output path is made when missing; a file in its way is the error to report
        (place / "class" / "blocker").write_text("")
        path = str(place / "class" / "blocker" / raw)
    proc = _run(slot.command(path), place)
    line = _assert_one_clear_line(proc, USAGE, slot.prog)
    assert "\x1b" not in line and "\n" not in line and "\u202e" not in line
    if name == "markup":
        assert "[red]sub[/red]" in line      # printed as itself, not as red text
    if name in ("newline", "ansi", "bidi", "not-utf8"):
        assert {"newline": "\\x0a", "ansi": "\\x1b[2J", "bidi": "\\u202e",
                "not-utf8": "\\udcff"}[name] in line, line
    if name == "too-long":
        assert len(line) < 400 and "…" in line, line


@pytest.mark.parametrize("argv, prog, says", [
    (("grade", str(EXAMPLE), "--format", "pdf"), "autograder grade", "invalid choice: 'pdf'"),
    (("grade", str(EXAMPLE), "--lab-epochs", "0"), "autograder grade", "--lab-epochs must be at least 1"),
    (("grade", str(EXAMPLE), "--lab-epochs", "many"), "autograder grade", "invalid int value"),
    (("grade",), "autograder grade", "required: PATH"),
    ((), "autograder", "required: COMMAND"),
    (("frobnicate",), "autograder", "invalid choice: 'frobnicate'"),
    (("grade-all", "class", "-j", "0"), "autograder grade-all", "-j/--jobs must be at least 1"),
    (("grade-all", "class", "--timeout", "-1"), "autograder grade-all", "--timeout must be a positive"),
    (("grade-all", "class", "--timeout", "nan"), "autograder grade-all", "--timeout must be a positive"),
    (("grade-all", "class", "--scheduler", "nowhere"), "autograder grade-all", "--scheduler takes local:N"),
    (("grade-all", "class", "--scheduler", "local:0"), "autograder grade-all", "--scheduler takes local:N"),
    (("grade-all", "class", "--db", "not-a-gradebook.txt"), "autograder grade-all",
     "is not a SQLite gradebook"),
    (("watch", "--max-runs", "-1", "--root", str(ROOT)), "autograder watch", "--max-runs must be at least 0"),
    (("progress", "--target", "../etc", "--root", str(ROOT)), "autograder progress",
     "--target takes the name of a Python package"),
    (("progress",), "autograder progress", "is not a course folder"),
    (("watch",), "autograder watch", "is not a course folder"),
    (("build", "--skip", "notebook", "--out", "dist"), "autograder build", "no build step has that name"),
    (("variant", "--student", "s1", "--salt-file", "short.salt"), "autograder variant",
     "a salt needs at least"),
    (("variant",), "autograder variant", "no course salt is configured"),
])
def test_a_bad_option_gets_one_line_and_exit_2(argv, prog, says, place):
    (place / "not-a-gradebook.txt").write_text("my notes\n")
    (place / "short.salt").write_text("abc\n")
    proc = _run([*AG, *argv], place)
    line = _assert_one_clear_line(proc, USAGE, prog)
    assert says in line, line


@pytest.mark.parametrize("module, argv, says", [
    ("autograder.ground_truth", ("--check", "--sample", "0"), "--sample must be at least 1"),
    ("autograder.ground_truth", ("--check", "--all"), "--all goes with --rebuild"),
    ("autograder.ground_truth", ("--rebuild", "--sample", "3"), "--sample N goes with --check"),
    ("autograder.ground_truth", (), "one of the arguments --rebuild --check is required"),
    ("autograder.stubs", ("--bogus",), "unrecognized arguments: --bogus"),
    ("autograder.build", ("--source-date-epoch", "soon"), "invalid int value"),
])
def test_the_module_commands_check_their_options(module, argv, says, place):
    proc = _run([sys.executable, "-m", module, *argv], place)
    line = _assert_one_clear_line(proc, USAGE, f"python -m {module}")
    assert says in line, line


def test_a_submission_that_cannot_be_read_still_gets_its_report(place):
    # Not a usage error: the student handed in something broken, and is told so in the report.
    bad = place / "lab.ipynb"
    bad.write_text("not json {")
    proc = _run([*AG, "grade", str(bad), "--tests", str(GD_TESTS), "--format", "json"], place)
    line = _assert_one_clear_line(proc, REPORT, "autograder grade")
    assert "not valid JSON" in line


def test_an_unexpected_exception_is_one_line_unless_debugging(place):
    # A bug in the grader (here: an attribute a command needs, deleted from the course loader)
    # is one line and exit 2 for a user; AUTOGRADER_DEBUG=1 shows the traceback instead.
    boom = place / "boom"
    boom.mkdir()
    (boom / "sitecustomize.py").write_text(
        "import autograder.course as c\n"
        "def broken(*a, **k):\n    raise RuntimeError('the course manifest vanished\\nline two')\n"
        "c.load_course = broken\n")
    env = {**_environment(), "PYTHONPATH": f"{boom}{os.pathsep}{ROOT}"}
    argv = [*AG, "progress", "--root", str(ROOT)]
    proc = subprocess.run(argv, cwd=place, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and proc.stdout == "" and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        "autograder progress: error: internal error: RuntimeError: the course manifest "
        "vanished\\x0aline two; please report it (run again with AUTOGRADER_DEBUG=1 for the details)"]
    debug = subprocess.run(argv, cwd=place, env={**env, DEBUG_ENV: "1"}, capture_output=True,
                           text=True, timeout=120)
    assert debug.returncode == 1 and "Traceback" in debug.stderr and "vanished" in debug.stderr


def test_grade_all_prints_a_hostile_student_name_as_itself(place):
    # A student's id is their folder's name: rich markup or a terminal escape in it must reach
    # the gradebook table as text, not as style.
    name = "[bold red]eve\x1b[2J"        # a folder's name holds no "/": no closing tag
    (place / "class" / name).mkdir()
    (place / "class" / name / "gradient_descent.py").write_text("def gd(:\n")
    proc = _run([*AG, "grade-all", "class", "--db", "g.sqlite", "-j", "1"], place)
    out, err = proc.stdout.decode(), proc.stderr.decode()
    assert proc.returncode == 0 and "Traceback" not in out + err, err
    # (the markup shown as text; the escape sequence removed by the one sanitising step)
    assert "[bold red]eve" in out and "\x1b" not in out, out


def test_a_reader_that_goes_away_ends_the_command_quietly(tmp_path):
    # `autograder course show adam | head -1`: the pipe closes before the output is written. A
    # Unix filter stops quietly; before, this printed "internal error: BrokenPipeError".
    for _ in range(3):   # the race is the writer's: any of the runs may meet the closed pipe
        proc = subprocess.run(
            f"{sys.executable} -m autograder course show adam | true", shell=True,
            cwd=Path(__file__).resolve().parents[2], capture_output=True, text=True, timeout=120,
            env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
        assert proc.stderr == "", proc.stderr
