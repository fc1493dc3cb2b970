"""Gradient tools: global-norm clipping, finite differences and relative error."""

import numpy as np

from ..errors import input_error, shape_str
from ._validate import check_positive


def _what(obj):
    """What arrived, for a message: ``list``, ``an empty dict``, ``ndarray of dtype int64``."""
    if isinstance(obj, np.ndarray):
        return f"ndarray of dtype {obj.dtype}"
    if isinstance(obj, dict) and not obj:
        return "an empty dict"
    return type(obj).__name__


def clip_grad_norm(grads, max_norm):
    r"""Rescale gradients whose global norm exceeds ``max_norm`` (Pascanu et al. 2013).

    Algorithm 1 of Pascanu, Mikolov & Bengio (2013): with
    :math:`\|\hat g\| = \sqrt{\sum_k \|g_k\|^2}` over all arrays as if concatenated,

    .. math:: \text{if } \|\hat g\| \ge \theta: \quad
              \hat g \leftarrow \frac{\theta}{\|\hat g\|} \hat g .

    ``torch.nn.utils.clip_grad_norm_`` does the same up to a 1e-6 added to the norm.

    Parameters
    ----------
    grads : dict of str to ndarray
        Gradients, e.g. the ``grads`` returned by a backward function. Not modified.
    max_norm : float
        The threshold :math:`\theta > 0`.

    Returns
    -------
    clipped_grads : dict of str to ndarray
        New arrays (same keys, shapes and dtypes), rescaled if the norm was too large.
    total_norm : float
        The global norm *before* clipping (useful to log gradient explosions).

    Shapes
    ------
    Every array keeps its shape.
    """
    fn = "clip_grad_norm"
    if not isinstance(grads, dict) or not grads:
        raise input_error(fn, "grads", "a non-empty dict of arrays", _what(grads))
    for key, g in grads.items():
        if not isinstance(g, np.ndarray) or g.dtype.kind != "f":
            raise input_error(fn, f"grads[{key!r}]", "a floating NumPy array", _what(g))
    check_positive(fn, "max_norm", max_norm)
    # ||g|| = sqrt(sum_k ||g_k||^2)
    total_norm = float(np.sqrt(sum(np.sum(g.astype(np.float64) ** 2)
                                   for g in grads.values())))
    # if ||g|| >= theta: g <- (theta / ||g||) g
    scale = max_norm / total_norm if total_norm >= max_norm else 1.0
    clipped = {k: (g * scale).astype(g.dtype, copy=False) for k, g in grads.items()}
    return clipped, total_norm


def numerical_gradient(f, x, df=None, eps=1e-6):
    r"""Gradient of ``f`` at ``x`` by central differences.

    .. math:: \frac{\partial L}{\partial x_k} \approx
              \sum \Big( \frac{f(x + \epsilon e_k) - f(x - \epsilon e_k)}{2\epsilon}
              \odot df \Big),

    where :math:`L = \sum f(x) \odot df`. With ``df=None`` the upstream gradient is all
    ones, so a scalar-valued ``f`` gives its plain gradient.

    Parameters
    ----------
    f : callable
        ``f(x)`` returns an array (or a scalar). It is called with perturbed *copies*
        of ``x``; ``x`` itself is never modified.
    x : ndarray or dict of str to ndarray
        The point, floating dtype (use float64: float32 is too coarse for this). A dict
        (e.g. a ``params`` dict) gives a dict of gradients with the same keys: ``f``
        receives the whole dict with one entry perturbed.
    df : ndarray or None
        Upstream gradient, the shape of ``f(x)``.
    eps : float
        Step size.

    Returns
    -------
    ndarray or dict of str to ndarray
        Same shape as ``x`` (for a dict: same keys and shapes).

    Shapes
    ------
    x: any; df: same as f(x); output: same as x.
    """
    fn = "numerical_gradient"
    if isinstance(x, dict):  # a params dict: one gradient per entry, f always sees a whole dict
        return {key: numerical_gradient(lambda v, key=key: f({**x, key: v}), value, df, eps)
                for key, value in x.items()}
    if not callable(f):
        raise input_error(fn, "f", "a callable", type(f).__name__)
    if not isinstance(x, np.ndarray) or x.dtype.kind != "f":
        raise input_error(fn, "x", "a floating NumPy array", _what(x))
    check_positive(fn, "eps", eps)
    xw = x.copy()
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        old = xw[idx]
        xw[idx] = old + eps
        f_plus = np.array(f(xw), dtype=np.float64)  # copy: f may return a view
        xw[idx] = old - eps
        f_minus = np.array(f(xw), dtype=np.float64)
        xw[idx] = old
        if df is not None and np.shape(df) != f_plus.shape:
            raise input_error(fn, "df", f"shape {shape_str(f_plus.shape)}, the shape of f(x)",
                              f"shape {shape_str(np.shape(df))}")
        upstream = 1.0 if df is None else df
        # dL/dx_k = sum((f(x + eps e_k) - f(x - eps e_k)) / (2 eps) * df)
        grad[idx] = np.sum((f_plus - f_minus) * upstream) / (2 * eps)
    return grad


def rel_error(a, b):
    r"""Largest element-wise relative error, as in CS231n.

    .. math:: \max_k \frac{|a_k - b_k|}{\max(10^{-8}, |a_k| + |b_k|)}

    The floor 1e-8 keeps entries that are both (near) zero from dividing by zero.
    As a rule of thumb in float64: below 1e-7 your gradient is right; above 1e-2
    it is wrong.

    Parameters
    ----------
    a, b : array_like
        Same shape.

    Returns
    -------
    float

    Shapes
    ------
    a: any; b: same as a.
    """
    a = np.asarray(a, dtype=np.float64)
    b = np.asarray(b, dtype=np.float64)
    if a.shape != b.shape:
        raise input_error("rel_error", ("a", "b"), "the same shape",
                          f"shapes {shape_str(a.shape)} and {shape_str(b.shape)}")
    if a.size == 0:
        return 0.0
    return float(np.max(np.abs(a - b) / np.maximum(1e-8, np.abs(a) + np.abs(b))))
