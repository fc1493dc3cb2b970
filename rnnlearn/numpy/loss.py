"""Masked softmax cross-entropy over a sequence, returning loss and gradient."""

import numpy as np

from ..errors import input_error
from ._validate import Sizes, check_array
from .activations import softmax


def softmax_cross_entropy(logits, targets, mask=None):
    r"""Mean cross-entropy of the next-token predictions over the unmasked steps.

    .. math::
        p_{t} &= \mathrm{softmax}(y_t), \qquad
        L = -\frac{1}{M} \sum_{(n,t):\ m_{nt}} \log p_{t}[w_{t}] \\
        \frac{\partial L}{\partial y_t} &= \frac{m_{nt}}{M} (p_t - \mathrm{onehot}(w_t))

    where :math:`M` is the number of unmasked steps. Equals
    ``torch.nn.functional.cross_entropy`` with ``ignore_index`` at the masked steps.
    Computed with a stable log-softmax: no overflow for logits up to +-1e4.

    Parameters
    ----------
    logits : ndarray
        Scores :math:`y_t`, e.g. from :func:`~rnnlearn.numpy.layers.output_forward`.
    targets : ndarray of int
        Target ids :math:`w_t` in [0, V) (anything at masked steps).
    mask : ndarray of bool or None
        True = counts in the loss; None counts every step. At least one True.

    Returns
    -------
    loss : float
    dlogits : ndarray
        :math:`\partial L / \partial y`, 0 at masked steps.

    Shapes
    ------
    logits: (N, T, V); targets: (N, T); mask: (N, T); dlogits: (N, T, V).
    """
    fn, sizes = "softmax_cross_entropy", Sizes()
    check_array(fn, "logits", logits, ("N", "T", "V"), sizes)
    check_array(fn, "targets", targets, ("N", "T"), sizes, kind="i")
    if mask is None:
        mask = np.ones(targets.shape, dtype=bool)
    check_array(fn, "mask", mask, ("N", "T"), sizes, kind="b")
    M = int(mask.sum())
    if M == 0:
        raise input_error(fn, "mask", "at least one True (the mean over no steps is undefined)",
                          "all False")
    V, used = sizes["V"], targets[mask]
    if used.min() < 0 or used.max() >= V:
        raise input_error(fn, "targets", f"ids in [0, V) = [0, {V}) at unmasked steps",
                          f"values from {used.min()} to {used.max()}",
                          fixed=[("V", V, sizes.source["V"])])
    safe = np.where(mask, targets, 0)  # (N, T) any valid id at masked steps
    # log p = y - max(y) - log sum exp(y - max(y))
    shifted = logits - logits.max(axis=2, keepdims=True)  # (N, T, V)
    log_p = shifted - np.log(np.exp(shifted).sum(axis=2, keepdims=True))  # (N, T, V)
    picked = np.take_along_axis(log_p, safe[..., None], axis=2)[..., 0]  # (N, T)
    # L = -(1/M) sum over unmasked (n, t) of log p_t[w_t]
    loss = -float(np.sum(picked[mask])) / M
    # dL/dy_t = m_nt / M * (p_t - onehot(w_t))
    dlogits = softmax(logits, axis=2)  # (N, T, V)
    np.put_along_axis(dlogits, safe[..., None],
                      np.take_along_axis(dlogits, safe[..., None], axis=2) - 1.0, axis=2)
    dlogits = dlogits * (mask[..., None] / M)  # (N, T, V)
    return loss, dlogits
