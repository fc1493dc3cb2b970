"""A character language model in NumPy: embedding, tanh RNN, output layer, cross-entropy.

One flat parameter dict, keyed like the ``named_parameters()`` of a PyTorch module with
submodules ``embedding`` (``torch.nn.Embedding(V, D)``), ``rnn``
(``torch.nn.RNNCell(D, H)``) and ``output`` (``torch.nn.Linear(H, V)``)::

    embedding.weight (V, D)   rnn.weight_ih (H, D)   rnn.weight_hh (H, H)
    rnn.bias_ih (H,)          rnn.bias_hh (H,)       output.weight (V, H)   output.bias (V,)

so that one ``clip_grad_norm`` and one ``adam_step`` treat the whole model.
"""

from __future__ import annotations

import numpy as np

from ..errors import input_error
from .layers import embedding_backward, embedding_forward, output_backward, output_forward
from .loss import softmax_cross_entropy
from .optim import adam_init, adam_step
from .rnn import rnn_backward, rnn_forward
from .utils import clip_grad_norm

PARTS = ("embedding", "rnn", "output")


def char_rnn_params(V, D, H, *, rng, scale=0.1):
    """Random float64 parameters of the character model, every entry from N(0, scale^2).

    Parameters
    ----------
    V, D, H : int
        Vocabulary, embedding and hidden sizes.
    rng : numpy.random.Generator
    scale : float

    Returns
    -------
    params : dict of str to ndarray
        The seven arrays of the module docstring.

    Shapes
    ------
    See the module docstring.
    """
    shapes = {"embedding.weight": (V, D), "rnn.weight_ih": (H, D), "rnn.weight_hh": (H, H),
              "rnn.bias_ih": (H,), "rnn.bias_hh": (H,), "output.weight": (V, H), "output.bias": (V,)}
    return {k: rng.normal(0, scale, s) for k, s in shapes.items()}


def split_params(params):
    """``(embedding, rnn, output)`` parameter dicts from the flat dict (prefixes removed).

    Shapes
    ------
    Every array keeps its shape.
    """
    if not isinstance(params, dict):
        raise input_error("split_params", "params", "a dict of arrays", type(params).__name__)
    groups = {part: {} for part in PARTS}
    for key, value in params.items():
        part, _, name = key.partition(".")
        if part not in groups:
            raise input_error("split_params", "params", f"keys starting with one of {PARTS}", repr(key))
        groups[part][name] = value
    return tuple(groups[part] for part in PARTS)


def char_rnn_loss_grads(params, x_ids, y_ids, h0, max_norm):
    r"""Loss, globally clipped gradients and final state of the character model on one chunk.

    .. math::
        x_t = E[w_t], \quad h_t = \tanh(W_{ih} x_t + b_{ih} + W_{hh} h_{t-1} + b_{hh}), \quad
        y_t = W_{ho} h_t + b_{ho}, \quad L = -\frac{1}{NT} \sum \log \mathrm{softmax}(y_t)[w_{t+1}]

    Parameters
    ----------
    params : dict
        The flat parameter dict (module docstring).
    x_ids, y_ids : ndarray of int
        Input characters and the characters that follow them.
    h0 : ndarray
        State carried in from the previous chunk (truncated BPTT: no gradient flows back to it).
    max_norm : float
        Clip the gradient of all seven arrays together to this norm (Pascanu et al. 2013).

    Returns
    -------
    loss : float
    grads : dict
        Keys and shapes of ``params``, clipped.
    h_T : ndarray
        The state to carry into the next chunk.

    Shapes
    ------
    x_ids, y_ids: (N, T); h0, h_T: (N, H).
    """
    emb, rnn, out = split_params(params)
    x, emb_cache = embedding_forward(x_ids, emb)  # (N, T, D)
    h_seq, h_T, rnn_cache = rnn_forward(x, h0, rnn)  # (N, T, H)
    logits, out_cache = output_forward(h_seq, out)  # (N, T, V)
    loss, dlogits = softmax_cross_entropy(logits, y_ids)
    dh_seq, d_out = output_backward(dlogits, out_cache)  # (N, T, H)
    dx, _, d_rnn = rnn_backward(dh_seq, rnn_cache)  # (N, T, D)
    d_emb = embedding_backward(dx, emb_cache)
    grads = {f"{part}.{k}": g for part, d in zip(PARTS, (d_emb, d_rnn, d_out)) for k, g in d.items()}
    clipped, _ = clip_grad_norm(grads, max_norm)
    return loss, clipped, h_T


def char_rnn_loss(params, ids):
    """Mean next-character cross-entropy (nats) of the model reading ``ids`` from a zero state.

    Shapes
    ------
    ids: (N, L) with L >= 2; the loss covers the N (L - 1) predictions.
    """
    emb, rnn, out = split_params(params)
    x, _ = embedding_forward(ids[:, :-1], emb)  # (N, L-1, D)
    h_seq, _, _ = rnn_forward(x, np.zeros((ids.shape[0], rnn["weight_hh"].shape[0])), rnn)  # (N, L-1, H)
    return softmax_cross_entropy(output_forward(h_seq, out)[0], ids[:, 1:])[0]


def train_char_rnn(loss_grads, params, stream, *, seq_len, updates, lr, max_norm):
    """Train with Adam and truncated BPTT along ``stream``, carrying the state between chunks.

    The loop of min-char-rnn: walk the parallel streams in chunks of ``seq_len``, carry
    the final state of a chunk into the next (no gradient crosses the boundary), restart
    from a zero state at the end of the text, stop after ``updates`` updates.

    Parameters
    ----------
    loss_grads : callable
        ``loss_grads(params, x_ids, y_ids, h0, max_norm) -> (loss, grads, h_T)``, e.g.
        :func:`char_rnn_loss_grads` or a learner's version of it.
    params : dict
        Initial parameters (not modified).
    stream : ndarray of int
        From ``rnnlearn.data.char_stream``; chunks as ``rnnlearn.data.stream_chunks`` cuts them.
    seq_len, updates : int
    lr, max_norm : float

    Returns
    -------
    params : dict
        The trained parameters.
    losses : ndarray
        The training loss of every update.

    Shapes
    ------
    stream: (N, W); losses: (updates,).
    """
    state, losses = adam_init(params), []
    N, H = stream.shape[0], params["rnn.weight_hh"].shape[0]
    while len(losses) < updates:
        h = np.zeros((N, H))  # (N, H) a fresh start at the beginning of the text
        for start in range(0, stream.shape[1] - 1, seq_len):
            if len(losses) == updates:
                break
            stop = min(start + seq_len, stream.shape[1] - 1)
            # targets are the next characters: y_t = x_{t+1}
            x_ids, y_ids = stream[:, start:stop], stream[:, start + 1:stop + 1]  # (N, k) each
            loss, grads, h = loss_grads(params, x_ids, y_ids, h, max_norm)
            params, state = adam_step(params, grads, state, lr)
            losses.append(float(loss))
    return params, np.array(losses)
