"""References absent at grading time: the copy of rnnlearn a submission's kernel imports."""

import json
import subprocess
import sys

import pytest

import rnnlearn.numpy
from rnnlearn.grading import questions
from rnnlearn.grading.batch import grading_build


@pytest.fixture(scope="module")
def build(tmp_path_factory):
    folder = tmp_path_factory.mktemp("build")
    return folder, grading_build.build(folder)


def _in_build(folder, code):
    """Run ``code`` in a fresh interpreter that imports the build (as the kernel does); its stdout as JSON."""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=folder,
                         env={"PYTHONPATH": str(folder), "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout)


def test_every_graded_reference_in_the_package_is_removed(build):
    _, removed = build
    public = {name for name in questions() if callable(getattr(rnnlearn.numpy, name, None))}
    assert public and set(removed) == public  # rnn_step_forward, clip_grad_norm, ... all of them


def test_the_kernel_gets_errors_instead_of_references(build):
    folder, removed = build
    code = f"""
import inspect, json, numpy as np, rnnlearn, rnnlearn.numpy as rn
seen = {{}}
for name in {removed!r}:
    fn = getattr(rn, name)
    required = [p for p in inspect.signature(fn).parameters.values() if p.default is p.empty]
    try:
        fn(*[None] * len(required))
        seen[name] = "ran"
    except RuntimeError as exc:
        seen[name] = str(exc)
source = inspect.getsource(rn.rnn_step_forward)
print(json.dumps({{"seen": seen, "source": source, "file": rnnlearn.__file__,
                  "sigmoid": float(rn.sigmoid(np.array(0.0)))}}))
"""
    out = _in_build(folder, code)
    assert out["file"].startswith(str(folder))
    assert all("not available while grading" in why for why in out["seen"].values()), out["seen"]
    assert "tanh" not in out["source"]  # inspect.getsource gives nothing to copy
    assert out["sigmoid"] == 0.5        # what is not graded still works


def test_the_grader_stand_in_checks_nothing_and_holds_no_answers(build):
    folder, _ = build
    code = """
import importlib.util, json
from rnnlearn.grading import check, questions
r = check("rnn_step_forward", print)
print(json.dumps({"status": r.status, "score": r.score, "max": r.max_score, "feedback": r.feedback,
                  "questions": sorted(questions()),
                  "chapters": importlib.util.find_spec("rnnlearn.grading.chapters") is not None}))
"""
    out = _in_build(folder, code)
    assert out["status"] == "unfinished" and out["score"] == 0 and "batch grader" in out["feedback"]
    assert out["max"] == questions()["rnn_step_forward"]["points"]
    assert out["questions"] == sorted(questions())
    assert not out["chapters"]  # the variants (right with mistake=None) are not in the build
