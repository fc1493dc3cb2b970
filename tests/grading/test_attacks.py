"""A gradebook an instructor can trust: every attack of attacks.py in one batch, next to honest work.

One run of ``rnnlearn grade`` (a subprocess, as an instructor runs it) over every attack
notebook and two honest submissions. What it proves: the batch finishes within the
per-notebook budget times the number of notebooks; one row per file; no attack earns a
point; both honest submissions get full marks; every file, the installed package and
the gradebook are unchanged, the gradebook still a few seconds after the grader exits;
every line the grader prints is its own.
"""

import csv
import hashlib
import pathlib
import shutil
import subprocess
import sys
import time

import pytest

import rnnlearn
from rnnlearn.grading import check
from rnnlearn.grading.batch.sandbox import INSTALL_HINT, bwrap_problem

from . import attacks
from .learner import rnn_equations

BUDGET = 45  # seconds per notebook (importing torch alone takes 2-6 s on a loaded 2-core machine; `make test`
#             runs these tests beside a chapter being executed)
CH2_ATTACKS = {"int_key"}


def _table():
    """What a student could record from instant feedback: each case's inputs and right outputs."""
    table = {"shapes": {}, "num_params": {}}

    def recording(kind, fn):
        def answer(*args):
            table[kind][repr(args)] = fn(*args)
            return table[kind][repr(args)]
        return answer

    assert check("rnn_shapes", recording("shapes", rnn_equations.shapes)).passed
    assert check("rnn_num_params", recording("num_params", rnn_equations.num_params)).passed
    return table


def _digest(paths):
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


@pytest.fixture(scope="module")
def batch(tmp_path_factory):
    problem = bwrap_problem()
    if problem:
        pytest.fail(f"grading needs its sandbox here: {problem}. To fix: {INSTALL_HINT}")
    folder = tmp_path_factory.mktemp("class")
    table = _table()
    groups = {**attacks.REFERENCE_ATTACKS, **attacks.SINKING_ATTACKS, **attacks.SURROUNDINGS_ATTACKS,
              "lookup_table": attacks.lookup_table_attack(table)}
    paths = [attacks.write(folder, f"attack_{name}", cells, attacks.CH2 if name in CH2_ATTACKS else attacks.CH1)
             for name, cells in groups.items()]
    paths.append(attacks.write_no_source(folder))
    paths += [attacks.write(folder, name, cells) for name, cells in attacks.HONEST.items()]
    package = [pathlib.Path(rnnlearn.__file__).parent / f for f in ("numpy/rnn.py", "grading/check.py")]
    before = _digest(paths + package)
    gradebook = folder / "gradebook.csv"
    start = time.monotonic()
    run = subprocess.run([shutil.which("rnnlearn", path=pathlib.Path(sys.executable).parent), "grade", *map(str, paths),
                          "--csv", str(gradebook), "--timeout", str(BUDGET), "--jobs", "2"],
                         capture_output=True, text=True, timeout=BUDGET * len(paths) + 120)
    elapsed = time.monotonic() - start
    right_after = gradebook.read_bytes()
    time.sleep(5)  # a detached process would strike now
    with open(gradebook, newline="") as f:
        rows = {pathlib.Path(r["notebook"]).name: r for r in csv.DictReader(f)}
    return {"run": run, "elapsed": elapsed, "paths": paths, "rows": rows, "before": before,
            "after": _digest(paths + package), "right_after": right_after, "later": gradebook.read_bytes(),
            "table": table}


def test_the_batch_finishes_within_its_budget_with_a_row_per_file(batch):
    assert batch["run"].returncode == 0, batch["run"].stderr[-3000:]
    assert batch["elapsed"] <= BUDGET * len(batch["paths"])
    assert set(batch["rows"]) == {p.name for p in batch["paths"]}


def test_no_attack_earns_a_point_and_honest_work_keeps_full_marks(batch):
    for name, row in batch["rows"].items():
        if name.startswith("honest_"):
            assert float(row["total"]) == float(row["max_total"]) == 9, row
        else:
            assert float(row["total"]) == 0, row


def _block(batch, name):
    """The summary lines the grader printed for ``attack_<name>``."""
    return batch["run"].stdout.split(f"attack_{name}_")[1].split("\nattack_")[0]


def test_reference_attacks_get_past_the_static_scan_and_meet_the_missing_reference(batch):
    for name in attacks.REFERENCE_ATTACKS:
        assert "calls the course's reference" not in _block(batch, name), name  # obfuscated: the scan misses it
    for name in ("getsource", "marshal", "profile_toggle", "clear_forbidden", "subprocess"):
        assert "not available while grading" in _block(batch, name), (name, _block(batch, name))
    # the others break the grader's own code in their kernel, which earns nothing either
    assert "malformed reply" in _block(batch, "json_patched")
    assert "no usable result" in _block(batch, "lazy_list")
    assert "switched off the grader's call watcher" in _block(batch, "setprofile_replaced")


def test_the_lookup_table_would_pass_instant_feedback_but_not_fresh_cases(batch):
    answers = {}
    exec("\n".join(attacks.lookup_table_attack(batch["table"])[1:]), answers)
    assert check("rnn_shapes", answers["rnn_shapes"]).passed  # the attack is real...
    assert float(batch["rows"]["attack_lookup_table_01_rnn_equations.ipynb"]["rnn_shapes"]) == 0  # ...and fails


def test_replies_are_checked_before_they_are_read(batch):
    for name, words in [("deep_reply", "nested too deeply"), ("fifo_reply", "not a regular file"),
                        ("zip_bomb", "exceed")]:
        assert words in _block(batch, name), (name, _block(batch, name))


def test_files_package_and_gradebook_are_untouched(batch):
    assert batch["before"] == batch["after"]
    assert not (pathlib.Path(rnnlearn.__file__).parents[1] / ".venv" / "pwned.py").exists()
    assert batch["right_after"] == batch["later"]


def test_every_line_the_grader_prints_is_its_own(batch):
    names = {p.name for p in batch["paths"]}
    for line in batch["run"].stdout.splitlines():
        if line.startswith(" ") or not line:
            continue
        assert line.split(": ")[0].rsplit("/", 1)[-1] in names, line
    assert "FORGED" not in batch["run"].stderr
    notes = batch["rows"]["attack_fake_lines_01_rnn_equations.ipynb"]["notes"]
    assert "\n" not in notes and "Boom FORGED" in notes


def test_a_kernel_that_ignores_interrupts_is_shut_down(batch):
    assert "ignored an interrupt" in batch["rows"]["attack_ignores_interrupt_01_rnn_equations.ipynb"]["notes"]
    assert "were not run" in batch["rows"]["attack_many_slow_cells_01_rnn_equations.ipynb"]["notes"]
