"""docs/coverage.md (the course sources' items against the exercises) is consistent.

* every exercise id it names (in backquotes, third column) is an exercise of the manifest, and
  every written question it names (``written_questions`` Q*N* (name)) is in
  ``autograder/written_questions.toml`` under that label and name;
* its count line matches the table's rows, and every row's coverage is covered, partly or not;
* README's "What the course covers" section states the same count line and links the file.
"""

import re
import tomllib
from collections import Counter
from pathlib import Path

from autograder.course import load_course

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "coverage.md").read_text(encoding="utf-8")
README = (ROOT / "README.md").read_text(encoding="utf-8")
COUNT = re.compile(r"^(\d+) items: (\d+) covered, (\d+) partly, (\d+) not covered\.$", re.M)


def rows() -> list[list[str]]:
    table = [line for line in DOC.splitlines() if line.startswith("| ")]
    assert table[0].split("|")[1:-1] == [" source ", " item ", " exercise or question ", " coverage "]
    return [[cell.strip() for cell in line.split("|")[1:-1]] for line in table[1:]
            if not line.startswith("| ---")]


def count_line() -> re.Match:
    found = COUNT.findall(DOC)
    assert len(found) == 1, "docs/coverage.md must state one count line"
    return COUNT.search(DOC)


def test_every_row_has_four_cells_and_a_known_coverage():
    table = rows()
    assert table
    for row in table:
        assert len(row) == 4 and all(row), row
        assert row[3] in {"covered", "partly", "not"}, row


def test_count_line_matches_the_table():
    total, covered, partly, missing = map(int, count_line().groups())
    counts = Counter(row[3] for row in rows())
    assert (total, covered, partly, missing) == (len(rows()), counts["covered"], counts["partly"],
                                                 counts["not"])


def test_every_named_exercise_exists():
    ids = {ex.id for ex in load_course().exercises}
    named = {name for row in rows() for name in re.findall(r"`([^`]+)`", row[2])}
    assert named, "the table names no exercise"
    assert named <= ids, f"not exercises of autograder/course.toml: {sorted(named - ids)}"
    for row in rows():
        if row[3] != "not":
            assert re.search(r"`[^`]+`", row[2]), f"a {row[3]} row names no exercise: {row}"


def test_every_named_written_question_exists():
    data = tomllib.loads((ROOT / "autograder" / "written_questions.toml").read_text(encoding="utf-8"))
    questions = {(str(q["label"]), q["name"]) for q in data["question"]}
    named = {(label, name) for row in rows()
             for label, name in re.findall(r"`written_questions` Q(\d+) \((\w+)\)", row[2])}
    assert named and named <= questions, sorted(named - questions)


def test_readme_states_the_same_count_line_and_links_the_table():
    section = README.split("## What the course covers", 1)[1].split("\n## ", 1)[0]
    assert count_line().group(0) in section.splitlines()
    assert "(docs/coverage.md)" in section


def test_every_named_lab_question_exists():
    from autograder.lab.spec import WRITTEN_QUESTIONS

    questions = {(q.label, q.name) for q in WRITTEN_QUESTIONS}
    named = {(number, name) for row in rows()
             for number, name in re.findall(r"(\d\.\d) \((\w+)", row[2])}
    assert named and named <= questions, sorted(named - questions)
