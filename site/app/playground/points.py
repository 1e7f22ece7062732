"""Your own data: points pasted as CSV, one `x1,x2,label` a line, or a dataset's points taken as your own.

A bad line is reported by its number and skipped; the rest still loads, so one typo never costs the
learner the other ninety-nine points.
"""
import math

import numpy as np

from app.playground.run import held_out
from app.playground.state import MAX_POINTS, PLANE


def parse_csv(text, regression=False):
    """(points, notes): each point (x1, x2, label) with label 0, 1 or 2 (a class), or any number in
    [-1, 1] for regression; a first line that is not numbers is taken as a header.

    >>> parse_csv("x1,x2,label\\n1,2,1\\n3,oops,0\\n-1,-2,0")
    ([(1.0, 2.0, 1), (-1.0, -2.0, 0)], ["line 3: '3,oops,0' is not three numbers x1,x2,label; skipped"])
    """
    points, notes = [], []
    for number, line in enumerate(text.splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        fields = [field.strip() for field in line.replace(";", ",").replace("\t", ",").split(",")]
        try:
            x1, x2, label = (float(field) for field in fields)
        except ValueError:
            if number == 1 and not points:
                continue  # a header
            notes.append(f"line {number}: {line[:40]!r} is not three numbers x1,x2,label; skipped")
            continue
        if not all(map(math.isfinite, (x1, x2, label))) or max(abs(x1), abs(x2)) > PLANE:
            notes.append(f"line {number}: {line[:40]!r} lies outside the plane [-{PLANE:g}, {PLANE:g}]; skipped")
        elif regression and abs(label) <= 1:
            points.append((x1, x2, label))
        elif not regression and label in (0, 1, 2):
            points.append((x1, x2, int(label)))
        else:
            expected = "a number in [-1, 1]" if regression else "0, 1 or 2"
            notes.append(f"line {number}: label {fields[2]!r} should be {expected}; skipped")
    if len(points) > MAX_POINTS:
        notes.append(f"{len(points)} points given; the first {MAX_POINTS} are used")
    if not points and not notes:
        notes.append("no points found: paste one x1,x2,label per line")
    return points[:MAX_POINTS], notes


def own_points(run):
    """The run's points, training and test, as your own points are kept: (x1, x2, label), rounded. They are
    laid out so that `held_out` gives each the part it had (a leftover, where the counts differ, comes
    last): taking a dataset's points as your own moves none between training and test."""
    test = held_out(len(run.X_train) + len(run.X_test), run.state.train_ratio)
    test[np.flatnonzero(test)[len(run.X_test):]] = False   # more test places than test points: these train
    test[np.flatnonzero(~test)[len(run.X_train):]] = True  # more training places than training points
    X, y = np.empty((len(test), 2)), np.empty(len(test), dtype=run.y_train.dtype)
    X[~test], y[~test], X[test], y[test] = run.X_train, run.y_train, run.X_test, run.y_test
    return [(round(a, 3), round(b, 3), float(label) if run.regression else int(label))
            for (a, b), label in zip(X.tolist(), y.tolist())]
