"""The pieces around a recurrent layer in a character model: embedding and output layer.

Parameters follow PyTorch: the embedding's ``{"weight": (V, D)}`` is the state_dict of
``torch.nn.Embedding(V, D)``; the output layer's ``{"weight": (V, H), "bias": (V,)}``
is the state_dict of ``torch.nn.Linear(H, V)``.
"""

from typing import NamedTuple

import numpy as np

from ..errors import input_error
from ._validate import Sizes, check_array, check_cache, check_params


class EmbeddingCache(NamedTuple):
    """Fields: ``tokens`` (N, T) ints, ``params`` (the dict passed in)."""
    tokens: np.ndarray
    params: dict


class OutputCache(NamedTuple):
    """Fields: ``h_seq`` (N, T, H), ``params`` (the dict passed in)."""
    h_seq: np.ndarray
    params: dict


def embedding_forward(tokens, params):
    r"""Look up a vector per token: :math:`x_t = E[w_t]`.

    Parameters
    ----------
    tokens : ndarray of int
        Token ids :math:`w_t` in [0, V).
    params : dict
        ``"weight"``: the table :math:`E` (``torch.nn.Embedding`` layout).

    Returns
    -------
    x : ndarray
        The embedded sequence, ready for ``rnn_forward`` & co.
    cache : EmbeddingCache

    Shapes
    ------
    tokens: (N, T); weight: (V, D); x: (N, T, D).
    """
    fn, sizes = "embedding_forward", Sizes()
    check_array(fn, "tokens", tokens, ("N", "T"), sizes, kind="i")
    check_params(fn, params, {"weight": ("V", "D")}, sizes)
    if tokens.min() < 0 or tokens.max() >= sizes["V"]:
        raise input_error(fn, "tokens", f"ids in [0, V) = [0, {sizes['V']})",
                          f"values from {tokens.min()} to {tokens.max()}",
                          fixed=[("V", sizes["V"], sizes.source["V"])])
    # x_t = E[w_t]
    x = params["weight"][tokens]  # (N, T, D)
    return x, EmbeddingCache(tokens, params)


def embedding_backward(dx, cache):
    r"""Backward pass of :func:`embedding_forward`: :math:`dE[w] = \sum_{t: w_t = w} dx_t`.

    Parameters
    ----------
    dx : ndarray
        Upstream gradient on the embedded sequence.
    cache : EmbeddingCache

    Returns
    -------
    grads : dict
        ``{"weight": dE}``; rows of tokens that did not occur are 0.

    Shapes
    ------
    dx: (N, T, D); grads["weight"]: (V, D).
    """
    fn = "embedding_backward"
    check_cache(fn, cache, EmbeddingCache)
    V, D = cache.params["weight"].shape
    N, T = cache.tokens.shape
    check_array(fn, "dx", dx, ("N", "T", "D"), Sizes.from_cache(N=N, T=T, D=D))
    dE = np.zeros_like(cache.params["weight"])  # (V, D)
    # dE[w] = sum over (n, t) with w_{n,t} = w of dx_{n,t}; a token can repeat
    np.add.at(dE, cache.tokens, dx)
    return {"weight": dE}


def output_forward(h_seq, params):
    r"""The output layer at every step: :math:`y_t = W_{ho} h_t + b_{ho}`.

    Parameters
    ----------
    h_seq : ndarray
        Hidden states from a recurrent layer.
    params : dict
        ``"weight"`` :math:`W_{ho}`, ``"bias"`` :math:`b_{ho}` (``torch.nn.Linear``).

    Returns
    -------
    y : ndarray
        Scores (logits) at every step.
    cache : OutputCache

    Shapes
    ------
    h_seq: (N, T, H); weight: (V, H); bias: (V,); y: (N, T, V).
    """
    fn, sizes = "output_forward", Sizes()
    check_array(fn, "h_seq", h_seq, ("N", "T", "H"), sizes)
    check_params(fn, params, {"weight": ("V", "H"), "bias": ("V",)}, sizes)
    # y_t = W_ho h_t + b_ho
    y = h_seq @ params["weight"].T + params["bias"]  # (N, T, V)
    return y, OutputCache(h_seq, params)


def output_backward(dy, cache):
    r"""Backward pass of :func:`output_forward`.

    :math:`dh_t = W_{ho}^\top dy_t`, :math:`dW_{ho} = \sum_{n,t} dy_t h_t^\top`,
    :math:`db_{ho} = \sum_{n,t} dy_t`. The returned ``dh_seq`` is exactly what
    ``rnn_backward`` / ``lstm_backward`` / ``gru_backward`` expect.

    Parameters
    ----------
    dy : ndarray
        Upstream gradient on the scores, e.g. from :func:`~rnnlearn.numpy.loss.softmax_cross_entropy`.
    cache : OutputCache

    Returns
    -------
    dh_seq : ndarray
    grads : dict
        ``{"weight": dW_ho, "bias": db_ho}``.

    Shapes
    ------
    dy: (N, T, V); dh_seq: (N, T, H); weight: (V, H); bias: (V,).
    """
    fn = "output_backward"
    check_cache(fn, cache, OutputCache)
    N, T, H = cache.h_seq.shape
    V = cache.params["weight"].shape[0]
    check_array(fn, "dy", dy, ("N", "T", "V"), Sizes.from_cache(N=N, T=T, V=V))
    dh_seq = dy @ cache.params["weight"]  # (N, T, H)
    grads = {
        "weight": np.einsum("ntv,nth->vh", dy, cache.h_seq),  # (V, H)
        "bias": dy.sum(axis=(0, 1)),  # (V,)
    }
    return dh_seq, grads
