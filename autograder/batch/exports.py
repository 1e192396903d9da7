"""What an instructor takes out of the gradebook: CSV files, a Gradescope-style sheet, a histogram."""

from __future__ import annotations

import csv
from pathlib import Path

from .gradebook import Gradebook


def students_csv(book: Gradebook, path: Path) -> Path:
    """One row per student: their latest submission's score."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "submission_sha256", "status", "score", "max_score", "error"])
        for row in book.latest_per_student():
            w.writerow([row.student, row.sha256, row.status, row.score, row.max_score, row.error or ""])
    return path


def tests_csv(book: Gradebook, path: Path) -> Path:
    """One row per (student, test): status, points and the feedback's first line."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["student", "exercise", "test", "status", "score", "max_score", "message",
                    "misconception"])
        for row in book.per_test():
            w.writerow(["" if v is None else v for v in row])
    return path


def gradescope_csv(book: Gradebook, path: Path) -> Path:
    """A sheet shaped like Gradescope's grade export: SID, Total Score, Max Points, Status."""
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["SID", "Total Score", "Max Points", "Status", "Submission ID"])
        for row in book.latest_per_student():
            status = "Graded" if row.status == "graded" else "Error"
            w.writerow([row.student, row.score, row.max_score, status, row.sha256[:12]])
    return path


def histogram_png(book: Gradebook, path: Path) -> Path:
    """Per exercise, a histogram of the fraction of its points each submission earned."""
    import matplotlib

    matplotlib.use("Agg")  # no display on graders
    import matplotlib.pyplot as plt

    scores = book.exercise_scores()
    names = sorted(scores)
    cols = 4
    rows = max(1, -(-len(names) // cols))
    fig, axes = plt.subplots(rows, cols, figsize=(3.2 * cols, 2.4 * rows), squeeze=False)
    for ax, name in zip(axes.flat, names):
        ax.hist(scores[name], bins=[i / 10 for i in range(11)], color="#4477aa", edgecolor="white")
        ax.set_title(name, fontsize=9)
        ax.set_xlim(0, 1)
    for ax in list(axes.flat)[len(names):]:
        ax.axis("off")
    fig.suptitle("Fraction of each exercise's points per submission")
    fig.tight_layout()
    # Fixed metadata so the same gradebook gives the same bytes.
    fig.savefig(path, format="png", dpi=80, metadata={"Software": None})
    plt.close(fig)
    return path


def export_all(book: Gradebook, directory: str | Path) -> list[Path]:
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    return [students_csv(book, directory / "students.csv"),
            tests_csv(book, directory / "tests.csv"),
            gradescope_csv(book, directory / "gradescope.csv"),
            histogram_png(book, directory / "histogram.png")]
