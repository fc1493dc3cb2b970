"""Learner-style answers for the grading tests.

``_as_learner(module)`` re-executes a chapter module of ``rnnlearn.grading.chapters``
under a file name outside the package, so its variant functions run as *learner* code
(the grader's reference watcher would otherwise flag them as the course's own code),
with question registration switched off. ``mistake=None`` is a right answer; each
mistake key is a known-wrong answer.
"""

import pathlib
import types
from unittest import mock

from rnnlearn.grading import registry
from rnnlearn.grading.chapters import attention as _attention
from rnnlearn.grading.chapters import beyond as _beyond
from rnnlearn.grading.chapters import bptt as _bptt
from rnnlearn.grading.chapters import gru as _gru
from rnnlearn.grading.chapters import lstm as _lstm
from rnnlearn.grading.chapters import practice as _practice
from rnnlearn.grading.chapters import rnn_equations as _rnn_equations
from rnnlearn.grading.chapters import teacher_forcing as _teacher_forcing
from rnnlearn.grading.chapters import vanishing as _vanishing


def _as_learner(module):
    path = pathlib.Path(module.__file__)
    namespace = {"__name__": "learner_" + path.stem, "__package__": module.__package__}
    with mock.patch.object(registry, "question", lambda *a, **k: (lambda grade: grade)):
        exec(compile(path.read_text(encoding="utf-8"), "/learner/" + path.name, "exec"), namespace)
    return types.SimpleNamespace(**namespace)


rnn_equations = _as_learner(_rnn_equations)
bptt = _as_learner(_bptt)
vanishing = _as_learner(_vanishing)
lstm = _as_learner(_lstm)
gru = _as_learner(_gru)
attention = _as_learner(_attention)
teacher_forcing = _as_learner(_teacher_forcing)
beyond = _as_learner(_beyond)
practice = _as_learner(_practice)
