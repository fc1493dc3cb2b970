"""The graded questions, one module per chapter, registered in course order on import.

A chapter module holds everything about its questions: the cases, the reference (when
it is not a public ``rnnlearn`` function), the known-wrong variants with their hints,
and a grading function registered with ``registry.question``.
"""

from . import rnn_equations, bptt, vanishing, lstm, gru, practice, attention, teacher_forcing, beyond  # noqa: F401, I001  (course order)
