"""``rnnlearn grade`` on prepared submissions (see submissions/make_submissions.py).

Starting kernels is the slow part, so the fixture makes two CLI runs in this process:
one for every submission that finishes (a generous ``--timeout``: it costs nothing
when nothing loops) and one for the looping submission with a short ``--timeout``
(the loops are interrupted after a third of it). The submitted files must be
byte-identical afterwards.
"""

import csv
import hashlib
import pathlib

import pytest

from rnnlearn.grading.batch import main
from rnnlearn.grading.batch.sandbox import INSTALL_HINT, bwrap_problem

SUBMISSIONS = pathlib.Path(__file__).parent / "submissions"
NAMES = ["complete", "partial", "crashing", "looping", "tampering", "empty", "garbage"]
GATED = SUBMISSIONS / "gated_04_lstm_07_seq2seq_attention.ipynb"


def _grade(paths, out, timeout):
    status = main([str(p) for p in paths] + ["--csv", str(out), "--timeout", str(timeout)])
    with open(out, newline="") as f:
        return status, {pathlib.Path(r["notebook"]).name.split("_")[0]: r for r in csv.DictReader(f)}


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    problem = bwrap_problem()
    if problem:
        pytest.fail(f"grading needs its sandbox here: {problem}. To fix: {INSTALL_HINT}")
    paths = [SUBMISSIONS / f"{n}_01_rnn_equations.ipynb" for n in NAMES] + [GATED]
    before = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    tmp = tmp_path_factory.mktemp("grades")
    status, rows = _grade([p for p in paths if "looping" not in p.name], tmp / "gradebook.csv", 60)
    looping_status, looping = _grade([p for p in paths if "looping" in p.name], tmp / "looping.csv", 6)
    after = {p: hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}
    return (status, looping_status), {**rows, **looping}, before, after


def test_submissions_are_never_modified(graded):
    _, _, before, after = graded
    assert before == after


def test_gradebook_has_a_row_per_notebook_and_a_column_per_question(graded):
    (status, looping_status), rows, _, _ = graded
    assert status == 1  # one file is not a notebook; all the others were graded
    assert looping_status == 0
    assert set(rows) == set(NAMES) | {"gated"}
    assert {"rnn_step_forward", "rnn_forward", "rnn_shapes", "rnn_num_params", "total"} <= set(rows["complete"])


@pytest.mark.parametrize("name,scores,total", [
    ("complete", [2, 3, 2, 2], 9),
    ("partial", [2, 2, 1.33, 0], 5.33),     # off-by-one h_seq, h_n layout wrong, stub
    ("crashing", [2, 0, 0, 2], 4),          # crashing cell, crashing function, missing function
    ("looping", [2, 0, 0, 0], 2),           # a looping cell and a looping function are interrupted
    ("tampering", [0, 0, 0, 0], 0),         # reference imported / called, checker and NumPy patched
    ("empty", [0, 0, 0, 0], 0),
])
def test_scores(graded, name, scores, total):
    row = graded[1][name]
    got = [float(row[q]) for q in ("rnn_step_forward", "rnn_forward", "rnn_shapes", "rnn_num_params")]
    assert got == pytest.approx(scores, abs=0.01) and float(row["total"]) == pytest.approx(total, abs=0.01), row


def test_later_chapters_through_the_kernel_proxy(graded):
    row = graded[1]["gated"]
    assert float(row["lstm_step_forward"]) == 2 and float(row["lstm_step_backward"]) == 3, row
    assert float(row["additive_attention_forward"]) == 0 and row["rnn_step_forward"] == "", row
    # max: chapter 4 (lstm_step_forward 2, lstm_step_backward 3, lstm_backward 4) + chapter 7
    # (additive_attention_forward 3, additive_attention_backward 4, beam_step 3)
    assert float(row["total"]) == 5 and float(row["max_total"]) == 19, row


def test_notes_say_why(graded):
    rows = graded[1]
    assert "interrupted" in rows["looping"]["notes"]
    assert "imported from rnnlearn.numpy" in rows["tampering"]["notes"]
    assert "reference rnn_forward" in rows["tampering"]["notes"]
    assert "could not read" in rows["garbage"]["notes"]


def test_usage_errors_exit_2():
    with pytest.raises(SystemExit) as exc:
        main([])
    assert exc.value.code == 2


def test_without_a_sandbox_the_grader_refuses_and_says_how_to_fix_it(monkeypatch, capsys, tmp_path):
    from rnnlearn.grading.batch import grade

    monkeypatch.setattr(grade, "bwrap_problem", lambda: "bwrap not found")
    out = tmp_path / "gradebook.csv"
    assert main([str(SUBMISSIONS / "complete_01_rnn_equations.ipynb"), "--csv", str(out)]) == 2
    err = capsys.readouterr().err
    assert "refusing to grade" in err and "apt-get install bubblewrap" in err and "--no-sandbox" in err
    assert not out.exists()


def test_no_sandbox_still_grades_with_the_references_absent(capsys, tmp_path):
    out = tmp_path / "gradebook.csv"
    paths = [str(SUBMISSIONS / f"{name}_01_rnn_equations.ipynb") for name in ("complete", "tampering")]
    assert main(paths + ["--csv", str(out), "--timeout", "60", "--jobs", "1", "--no-sandbox"]) == 0
    assert "WARNING: --no-sandbox" in capsys.readouterr().err
    with open(out, newline="") as f:
        rows = {pathlib.Path(r["notebook"]).name.split("_")[0]: r for r in csv.DictReader(f)}
    assert float(rows["complete"]["total"]) == 9 and float(rows["tampering"]["total"]) == 0
