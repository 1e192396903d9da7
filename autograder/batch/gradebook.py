"""The gradebook: one SQLite file that survives crashes and never holds half a grade.

Why SQLite (the standard library's ``sqlite3``) and WAL mode: a batch can be SIGKILLed at any
moment; SQLite's atomic commit means each submission's rows appear all together or not at all,
and WAL lets an instructor read the gradebook while a batch is still writing it.

Only the coordinating process writes (grading workers return plain results), so there is one
writer and no lock contention.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from pathlib import Path

from ..results import Results

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id              INTEGER PRIMARY KEY,
    student         TEXT NOT NULL,
    sha256          TEXT NOT NULL,
    engine_version  TEXT NOT NULL,
    source          TEXT NOT NULL,
    status          TEXT NOT NULL CHECK (status IN ('graded', 'error')),
    score           REAL NOT NULL,
    max_score       REAL NOT NULL,
    error           TEXT,
    isolation       TEXT,
    started_at      REAL NOT NULL,
    duration_s      REAL NOT NULL,
    UNIQUE (student, sha256, engine_version)
);
CREATE TABLE IF NOT EXISTS results (
    submission_id   INTEGER NOT NULL REFERENCES submissions(id) ON DELETE CASCADE,
    nodeid          TEXT NOT NULL,
    exercise        TEXT NOT NULL,
    suite           TEXT NOT NULL,
    status          TEXT NOT NULL,
    score           REAL NOT NULL,
    max_score       REAL NOT NULL,
    visibility      TEXT NOT NULL,
    message         TEXT,
    misconception   TEXT,
    PRIMARY KEY (submission_id, nodeid)
);
CREATE INDEX IF NOT EXISTS results_exercise ON results (exercise);
"""


#: How an error of the grading machine (see :mod:`autograder.infrastructure`) starts in the
#: ``error`` column: such a submission was not graded, and the next run grades it again.
INFRASTRUCTURE_PREFIX = "not graded (grading machine): "


@dataclass(frozen=True)
class GradedRow:
    student: str
    sha256: str
    status: str
    score: float
    max_score: float
    error: str | None
    duration_s: float


class Gradebook:
    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.db = sqlite3.connect(self.path, isolation_level=None)  # explicit transactions below
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=NORMAL")  # durable at checkpoints; atomic always
        self.db.execute("PRAGMA foreign_keys=ON")
        self.db.executescript(SCHEMA)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> "Gradebook":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def is_graded(self, student: str, sha256: str, engine_version: str) -> bool:
        """Is there a grade (or an error of the submission's own) to keep? A failure of the
        grading machine is not one: the next run retries it."""
        row = self.db.execute(
            "SELECT 1 FROM submissions WHERE student=? AND sha256=? AND engine_version=?"
            " AND NOT (status = 'error' AND substr(error, 1, ?) = ?)",
            (student, sha256, engine_version, len(INFRASTRUCTURE_PREFIX),
             INFRASTRUCTURE_PREFIX)).fetchone()
        return row is not None

    def record(self, *, student: str, sha256: str, engine_version: str, source: str,
               results: Results | None, error: str | None, started_at: float,
               duration_s: float) -> None:
        """Store one submission's grade and all its test rows in a single transaction.

        An earlier grade of the same (student, hash, engine version) is replaced (``--regrade``).
        """
        status = "graded" if results is not None else "error"
        score = results.score if results is not None else 0.0
        max_score = results.max_score if results is not None else 0.0
        cur = self.db.cursor()
        cur.execute("BEGIN IMMEDIATE")
        try:
            cur.execute("DELETE FROM submissions WHERE student=? AND sha256=? AND engine_version=?",
                        (student, sha256, engine_version))
            cur.execute(
                "INSERT INTO submissions (student, sha256, engine_version, source, status, score,"
                " max_score, error, isolation, started_at, duration_s) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                (student, sha256, engine_version, source, status, score, max_score, error,
                 results.isolation if results is not None else None, started_at, duration_s))
            submission_id = cur.lastrowid
            if results is not None:
                cur.executemany(
                    "INSERT INTO results VALUES (?,?,?,?,?,?,?,?,?,?)",
                    [(submission_id, t.nodeid, t.exercise, t.suite, t.status, t.score, t.max_score,
                      t.visibility, t.feedback.rationale if t.feedback else None,
                      t.feedback.misconception if t.feedback else None)
                     for t in results.tests])
            cur.execute("COMMIT")
        except BaseException:
            cur.execute("ROLLBACK")
            raise

    def submissions(self) -> list[GradedRow]:
        rows = self.db.execute(
            "SELECT student, sha256, status, score, max_score, error, duration_s FROM submissions"
            " ORDER BY student, started_at").fetchall()
        return [GradedRow(*row) for row in rows]

    def latest_per_student(self) -> list[GradedRow]:
        """Each student's most recently graded submission."""
        rows = self.db.execute(
            "SELECT student, sha256, status, score, max_score, error, duration_s FROM submissions s"
            " WHERE started_at = (SELECT MAX(started_at) FROM submissions t WHERE t.student = s.student)"
            " ORDER BY student").fetchall()
        return [GradedRow(*row) for row in rows]

    def per_test(self) -> list[tuple]:
        return self.db.execute(
            "SELECT s.student, r.exercise, r.nodeid, r.status, r.score, r.max_score, r.message,"
            " r.misconception FROM results r JOIN submissions s ON s.id = r.submission_id"
            " ORDER BY s.student, r.nodeid").fetchall()

    def exercise_scores(self) -> dict[str, list[float]]:
        """Per exercise, each graded submission's fraction of that exercise's points."""
        rows = self.db.execute(
            "SELECT exercise, submission_id, SUM(score), SUM(max_score) FROM results"
            " GROUP BY exercise, submission_id ORDER BY exercise, submission_id").fetchall()
        out: dict[str, list[float]] = {}
        for exercise, _sid, score, max_score in rows:
            out.setdefault(exercise, []).append(score / max_score if max_score else 0.0)
        return out

    def integrity_ok(self) -> bool:
        return self.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
