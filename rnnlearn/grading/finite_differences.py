"""The finite-difference stage of backward questions.

The reference backward could be wrong too; finite differences cannot. On one tiny case
the learner's gradients are compared with central differences of the *reference
forward* (``rnnlearn.numpy.numerical_gradient``) of the scalar loss

    L = sum_k  sum(out_k * dout_k)

where ``out_k`` are the forward's outputs and ``dout_k`` the upstream gradients the
backward receives. The stage is one ``Part``, named ``finite differences``, that says
which returned gradient disagrees, without relying on the reference backward.
"""

from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .answer import AnswerCrashed
from .compare import WrongOutput, unpack, value_problem
from .result import Part

NAME = "finite differences"
RTOL, ATOL = 1e-5, 1e-7  # central differences with eps = 1e-6 in float64: error ~1e-9


class FDCase(NamedTuple):
    """A tiny case for the finite-difference stage.

    ``args`` are what the learner's backward is called with (upstream gradients and the
    reference forward's cache); ``inputs`` are the forward's inputs, one per graded
    gradient output and in the same order (``x, h_prev, params`` for ``dx, dh_prev,
    grads``); ``loss(*inputs)`` is the scalar L above.
    """

    label: str
    args: tuple
    inputs: tuple
    loss: Callable


def numeric_gradients(loss, inputs) -> tuple:
    """Central-difference gradients of ``loss(*inputs)`` for every array and dict of arrays."""
    from rnnlearn.numpy import numerical_gradient

    def with_input(index, value):
        return loss(*inputs[:index], value, *inputs[index + 1:])

    return tuple(numerical_gradient(lambda v, i=index: with_input(i, v), arg)
                 for index, arg in enumerate(inputs))


def fd_part(attempt, outputs, case: FDCase) -> Part:
    """Call the answer on ``case`` and compare each graded output with finite differences."""
    try:
        value = unpack(attempt.call(*case.args), tuple(o.name for o in outputs))
    except (AnswerCrashed, WrongOutput) as exc:
        return Part(NAME, 1, False, f"your backward raised or returned the wrong kind of value on "
                                    f"case {case.label}: {exc}")
    expected = numeric_gradients(case.loss, case.inputs)
    wrong = []
    for out, got, want in zip(outputs, value, expected):
        problem = value_problem(got, want, out._replace(rtol=RTOL, atol=ATOL),
                                against="finite differences of the forward pass")
        if problem:
            name, text = out.name, problem.rstrip(".")
            if text.startswith("["):  # a dict of gradients: "['bias_hh'] values differ ..."
                key, _, text = text.partition("] ")
                name += key + "]"
            wrong.append(f"your {name}: {text}")
    if not wrong:
        return Part(NAME, 1, True)
    return Part(NAME, 1, False, "; ".join(wrong) + f" (case {case.label}). This check does not use "
                                "the reference backward, so the mistake is in yours.")


def dot(outputs, upstream) -> float:
    """``sum_k sum(out_k * dout_k)``, skipping upstream gradients that are None."""
    return float(sum(np.sum(o * d) for o, d in zip(outputs, upstream) if d is not None))
