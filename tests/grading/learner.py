"""Learner-style answers for the grading tests.

``variants(module)`` re-executes a ``rnnlearn.grading.wrong_*`` module's source under a
file name outside the package, so its functions run as *learner* code (the grader's
reference watcher would otherwise flag them as the course's own code). ``mistake=None``
is a right answer; each mistake key is a known-wrong answer.
"""

import pathlib
import types

import rnnlearn.grading.q_rnn_equations as q_rnn
import rnnlearn.grading.wrong_attention as wrong_attention
import rnnlearn.grading.wrong_bptt as wrong_bptt
import rnnlearn.grading.wrong_gru as wrong_gru
import rnnlearn.grading.wrong_lstm as wrong_lstm
import rnnlearn.grading.wrong_rnn as wrong_rnn
import rnnlearn.grading.wrong_vanishing as wrong_vanishing

_REGISTRY_STUB = "def question(*a, **k):\n    return lambda f: f\n"


def _load(module, replacements, extra=None):
    source = pathlib.Path(module.__file__).read_text(encoding="utf-8")
    for old, new in replacements:
        source = source.replace(old, new)
    namespace = {"__name__": "learner_" + module.__name__.rsplit(".", 1)[-1], **(extra or {})}
    exec(compile(source, "/learner/" + pathlib.Path(module.__file__).name, "exec"), namespace)
    return types.SimpleNamespace(**namespace)


W = _load(wrong_rnn, [])
B = _load(wrong_bptt, [("from .wrong_rnn import seq_backward", "seq_backward = W.seq_backward")], {"W": W})
V = _load(wrong_vanishing, [])
Q = _load(q_rnn, [("from . import wrong_rnn as W", ""),
                  ("from .compare import Case, Output, grade_outputs", ""),
                  ("from .registry import question", _REGISTRY_STUB)])
L = _load(wrong_lstm, [])
G = _load(wrong_gru, [])
A = _load(wrong_attention, [])
