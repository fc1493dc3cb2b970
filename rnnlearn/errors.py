"""One exception type and one message format for bad input, across ``rnnlearn``.

``rnnlearn.numpy``, ``rnnlearn.torch`` and ``rnnlearn.data`` raise :class:`InputError`
(a ``ValueError``) when an argument is wrong, built by :func:`input_error`. This module
imports nothing outside the standard library, so ``rnnlearn.numpy`` still needs NumPy
alone. Each subpackage re-exports ``InputError``.

The message format
------------------
One line, in this order::

    {function}: argument {name}: expected {expected}; got {got}.[ {L} = {n} was fixed by {source}.][ Hint: {hint}]

- *function*: the public name the learner called (``rnn_step_forward``,
  ``LSTM.forward``, ``Vocab.encode``).
- *argument*: ``argument 'x'``; an entry of a container as it is written in code,
  ``argument params['weight_ih']`` or ``argument hx[1]``; two arguments that only
  make sense together, ``arguments 'min_len' and 'max_len'``.
- *expected*: what the function needs, shapes in the letters of ``API.md``
  (N batch, T time, D input features, H hidden units, S source length, A attention
  size, V vocabulary size), with the known sizes filled in: ``shape (H, D) = (8, 5)``.
- *got*: what arrived: a shape, a dtype, a type or a value.
- *fixed by*: when two arguments disagree on a size, the one that fixed the size
  first is named, so that a learner sees both sides of the disagreement::

      rnn_step_forward: argument params['weight_ih']: expected shape (H, D) = (8, 5);
      got shape (6, 5). H = 8 was fixed by argument 'h_prev' (shape (4, 8)).

  (one line in practice). The argument that arrived last is blamed; the sentence after
  it says where the size came from, which may well be the wrong one.
- *hint*: optional; the likely mistake behind this shape (time-major input,
  CS231n-style transposed weights, ``torch.nn.LSTM``'s ``_l0`` parameter names).

The parts are also kept on the exception (``function``, ``arguments``, ``expected``,
``got``, ``fixed``, ``hint``) for tools that display them.
"""

from __future__ import annotations

from collections.abc import Iterable

__all__ = ["InputError", "input_error", "argument", "shape_str"]


class InputError(ValueError):
    """Bad input to an ``rnnlearn`` function: a ``ValueError`` whose message teaches.

    Attributes
    ----------
    function : str
        The function that was called.
    arguments : tuple of str
        The argument(s) at fault, as written in code (``"x"``, ``"params['weight_ih']"``).
    expected, got : str
        What the function needs and what arrived.
    fixed : tuple of (str, int, str)
        ``(letter, size, source)`` for each size that another argument fixed.
    hint : str or None
        The likely mistake.
    """

    function = ""
    arguments = ()
    expected = ""
    got = ""
    fixed = ()
    hint = None


def argument(name: str) -> str:
    """``'x'`` for a plain argument name, the name itself for ``params['weight_ih']``."""
    return name if "[" in name else f"'{name}'"


def shape_str(shape: Iterable) -> str:
    """A shape as Python writes a tuple: ``(2, 3)``, ``(4,)``, ``()``."""
    return str(tuple(int(s) if not isinstance(s, str) else s for s in shape))


def input_error(function: str, arg: str | tuple[str, ...], expected: str, got: str, *,
                fixed: Iterable[tuple[str, int, str]] = (), hint: str | None = None) -> InputError:
    """Build (not raise) the :class:`InputError` for one bad argument.

    Parameters
    ----------
    function : str
        Public name of the function, e.g. ``"rnn_step_forward"``, ``"LSTM.forward"``.
    arg : str or tuple of str
        The argument at fault, or the arguments that disagree with each other.
    expected : str
        What was expected, e.g. ``"shape (H, D) = (8, 5)"`` or ``"an integer >= 1"``.
    got : str
        What arrived, e.g. ``"shape (6, 5)"`` or ``"'7' (str)"``.
    fixed : iterable of (letter, size, source), optional
        Sizes fixed by another argument, e.g. ``("H", 8, "argument 'h_prev' (shape (4, 8))")``.
    hint : str, optional
        The likely mistake and its fix.

    Returns
    -------
    InputError
        Raise it: ``raise input_error(...)``.

    Shapes
    ------
    None: shapes appear inside ``expected`` and ``got`` as text.
    """
    names = (arg,) if isinstance(arg, str) else tuple(arg)
    if len(names) == 1:
        who = f"argument {argument(names[0])}"
    else:
        who = "arguments " + ", ".join(argument(n) for n in names[:-1]) + f" and {argument(names[-1])}"
    fixed = tuple(fixed)
    text = f"{function}: {who}: expected {expected}; got {got}."
    for letter, size, source in fixed:
        text += f" {letter} = {size} was fixed by {source}."
    if hint:
        text += f" Hint: {hint}"
    err = InputError(text)
    err.function, err.arguments, err.expected, err.got = function, names, expected, got
    err.fixed, err.hint = fixed, hint
    return err
