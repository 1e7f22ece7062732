"""Pasted CSV: good lines load, bad ones are named by line and skipped."""
import numpy as np

from app.playground.points import own_points, parse_csv
from app.playground.run import Run
from app.playground.state import MAX_POINTS, State


def test_good_lines_load_and_a_header_is_skipped():
    points, notes = parse_csv("x1,x2,label\n1.5,-2,1\n0,0,0\n\n3;4;2\n")
    assert points == [(1.5, -2.0, 1), (0.0, 0.0, 0), (3.0, 4.0, 2)] and notes == []


def test_each_bad_line_is_named_and_the_rest_still_load():
    points, notes = parse_csv("1,1,1\nfoo\n9,0,1\n1,1,7\n2,2,0")
    assert points == [(1.0, 1.0, 1), (2.0, 2.0, 0)]
    assert [note.split(":")[0] for note in notes] == ["line 2", "line 3", "line 4"]
    assert "outside the plane" in notes[1] and "should be 0, 1 or 2" in notes[2]


def test_regression_labels_are_numbers_in_range():
    points, notes = parse_csv("1,1,0.25\n2,2,-3", regression=True)
    assert points == [(1.0, 1.0, 0.25)] and "line 2" in notes[0]


def test_too_many_points_keep_the_first_thousand_and_say_so():
    points, notes = parse_csv("\n".join("1,1,0" for _ in range(MAX_POINTS + 5)))
    assert len(points) == MAX_POINTS and str(MAX_POINTS) in notes[-1]
    assert parse_csv("  \n")[1] == ["no points found: paste one x1,x2,label per line"]


def test_a_datasets_points_taken_as_your_own_keep_their_part():
    for train_ratio, points in ((10, 50), (30, 60), (50, 500), (90, 100), (10, 55)):
        run = Run(State(train_ratio=train_ratio, points=points))
        own = Run(State(dataset="custom", custom=tuple(own_points(run)), train_ratio=train_ratio))
        tests = [{tuple(np.round(p, 3)) for p in part.tolist()} for part in (run.X_test, own.X_test)]
        # Every point keeps its part; only where the dataset's count of test points (rounded) and yours (rounded
        # down: 5.5 of 55 points at 10%) differ does the one left over take the part your points give it.
        assert len(tests[0] ^ tests[1]) == (len(run.X_test) != points * (100 - train_ratio) // 100)
