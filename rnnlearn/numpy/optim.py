"""Optimizers over parameter dicts, as pure functions: new dicts out, nothing mutated."""

from typing import NamedTuple

import numpy as np

from ..errors import input_error, shape_str
from ._validate import check_positive


class AdamState(NamedTuple):
    """Adam's running state: step count ``t`` and moment dicts ``m``, ``v``."""
    t: int
    m: dict
    v: dict


def _shape(arr):
    """``shape (2, 3)`` for an array, else its type name."""
    return f"shape {shape_str(arr.shape)}" if isinstance(arr, np.ndarray) else type(arr).__name__


def _check_pair(fn, params, grads):
    for name, obj in (("params", params), ("grads", grads)):
        if not isinstance(obj, dict) or not obj:
            raise input_error(fn, name, "a non-empty dict of arrays",
                              "an empty dict" if isinstance(obj, dict) else type(obj).__name__)
    if set(params) != set(grads):
        raise input_error(fn, "grads", f"the keys of argument 'params', {sorted(params)}",
                          f"keys {sorted(grads)}")
    for k in params:
        p, g = params[k], grads[k]
        if not isinstance(g, np.ndarray) or not isinstance(p, np.ndarray) \
                or p.shape != g.shape:
            raise input_error(fn, f"grads[{k!r}]", f"the shape of params[{k!r}], {_shape(p)}", _shape(g))


def sgd_step(params, grads, lr):
    r"""One step of plain gradient descent: :math:`\theta \leftarrow \theta - \eta\, g`.

    Parameters
    ----------
    params, grads : dict of str to ndarray
        Same keys and shapes.
    lr : float
        Learning rate :math:`\eta > 0`.

    Returns
    -------
    new_params : dict

    Shapes
    ------
    Every array keeps its shape.
    """
    _check_pair("sgd_step", params, grads)
    check_positive("sgd_step", "lr", lr)
    # theta <- theta - lr * g
    return {k: params[k] - lr * grads[k] for k in params}


def adam_init(params):
    """A fresh :class:`AdamState` for ``params`` (t = 0, zero moments)."""
    if not isinstance(params, dict) or not params:
        raise input_error("adam_init", "params", "a non-empty dict of arrays", type(params).__name__)
    return AdamState(0, {k: np.zeros_like(p) for k, p in params.items()},
                     {k: np.zeros_like(p) for k, p in params.items()})


def adam_step(params, grads, state, lr=1e-3, betas=(0.9, 0.999), eps=1e-8):
    r"""One step of Adam (Kingma & Ba 2015), as ``torch.optim.Adam`` does it.

    .. math::
        m &\leftarrow \beta_1 m + (1 - \beta_1) g, \qquad
        v \leftarrow \beta_2 v + (1 - \beta_2) g^2 \\
        \theta &\leftarrow \theta - \eta\, \frac{m / (1 - \beta_1^t)}
                 {\sqrt{v / (1 - \beta_2^t)} + \epsilon}

    Parameters
    ----------
    params, grads : dict of str to ndarray
        Same keys and shapes.
    state : AdamState
        From :func:`adam_init` or the previous step.
    lr : float
    betas : tuple of float
    eps : float

    Returns
    -------
    new_params : dict
    new_state : AdamState

    Shapes
    ------
    Every array keeps its shape.
    """
    fn = "adam_step"
    _check_pair(fn, params, grads)
    if not isinstance(state, AdamState) or set(state.m) != set(params):
        raise input_error(fn, "state", "the AdamState from adam_init(params) or the previous adam_step",
                          type(state).__name__ if not isinstance(state, AdamState)
                          else f"an AdamState for keys {sorted(state.m)}")
    check_positive(fn, "lr", lr)
    b1, b2 = betas
    t = state.t + 1
    new_params, m, v = {}, {}, {}
    for k in params:
        g = grads[k]
        # m <- b1 m + (1 - b1) g ; v <- b2 v + (1 - b2) g^2
        m[k] = b1 * state.m[k] + (1 - b1) * g
        v[k] = b2 * state.v[k] + (1 - b2) * g * g
        # theta <- theta - lr * m_hat / (sqrt(v_hat) + eps)
        denom = np.sqrt(v[k]) / np.sqrt(1 - b2 ** t) + eps
        new_params[k] = params[k] - (lr / (1 - b1 ** t)) * m[k] / denom
    return new_params, AdamState(t, m, v)
