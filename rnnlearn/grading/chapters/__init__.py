"""The graded questions, one module per chapter, registered in course order on import.

A chapter module holds everything about its questions: the cases, the reference (when
it is not a public ``rnnlearn`` function), the known-wrong variants with their hints,
and a grading function registered with ``registry.question``.
"""

from . import rnn_equations, bptt, vanishing, lstm, gru, attention  # noqa: F401, I001  (course order)
from . import practice  # noqa: F401, E402  (chapter 6; the lead puts it in course order when merging)
