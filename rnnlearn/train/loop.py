"""``fit``: the small training loop the chapters share."""

from __future__ import annotations

import contextlib
import functools
import importlib.util
import itertools
import math
import time

import numpy as np
import torch

from ..errors import input_error
from .history import History
from .tbptt import check_tbptt, tbptt_windows

if importlib.util.find_spec("ipywidgets") is None:
    # tqdm.auto would warn (printing this file's path into every notebook that trains) and fall back
    # to text anyway; the book is built without ipywidgets.
    from tqdm import tqdm
else:
    from tqdm.auto import tqdm


def default_device():
    """``cuda`` when a GPU is available, else ``cpu``."""
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


def _to_device(a, device, float_dtype):
    """Tensor on ``device``; floating arrays take the model's dtype (float32 NumPy data, say)."""
    t = torch.as_tensor(a)
    if t.is_floating_point():
        t = t.to(float_dtype)
    return t.to(device)


def _is_dataset(data):
    return (isinstance(data, tuple) and len(data) == 2
            and all(isinstance(a, (np.ndarray, torch.Tensor)) for a in data))


def _batches(data, batch_size, generator):
    """One epoch of (x, y) batches; for a callable, an endless stream ``data(0), data(1), ...``."""
    if _is_dataset(data):
        x, y = data
        order = torch.randperm(len(x), generator=generator).numpy()
        for lo in range(0, len(x), batch_size):
            idx = order[lo:lo + batch_size]
            yield x[idx], y[idx]
    elif callable(data):
        i = 0
        while True:
            yield data(i)
            i += 1
    else:
        yield from data


def _forward(model, x, stateful):
    out = model(x, None) if stateful else model(x)
    return out[0] if stateful else out


def evaluate(model, loss_fn, data, *, metrics=None, stateful=False, device=None):
    """Validation loss and metrics on one batch ``data = (x, y)``, without gradient.

    ``metrics`` maps a name to ``fn(output, target) -> number``. ``stateful`` models are
    called as ``model(x, None)`` and their state is dropped. Returns a dict of floats with
    ``"val_loss"`` first.

    Shapes
    ------
    x (N, ...), y (N, ...) -> dict of scalars.
    """
    param = next(model.parameters())
    device = param.device if device is None else device
    x, y = (_to_device(a, device, param.dtype) for a in data)
    was_training = model.training
    model.eval()
    with torch.no_grad():
        out = _forward(model, x, stateful)
        result = {"val_loss": float(loss_fn(out, y))}
        for name, fn in (metrics or {}).items():
            result[name] = float(fn(out, y))
    model.train(was_training)
    return result


def fit(model, loss_fn, train_data, *, steps=None, epochs=None, batch_size=64, lr=1e-3,
        optimizer=None, clip=None, tbptt=None, val_data=None, metrics=None, eval_every=100,
        seed=0, device=None, progress=True, desc="training"):
    """Train ``model`` to minimise ``loss_fn(model(x), y)``; return its ``History``.

    One update: forward, loss, backward, global-norm clipping (Pascanu et al. 2013,
    Algorithm 1) when ``clip`` is set, optimiser step. With ``tbptt`` each batch is walked
    in truncated-BPTT windows (see ``tbptt_windows``), one update per window.

    Parameters
    ----------
    model : torch.nn.Module
        Called as ``model(x)``; with ``tbptt``, as ``model(x, state) -> (output, state)``
        with batch-first inputs and outputs.
    loss_fn : callable
        ``loss_fn(output, y) -> scalar tensor``.
    train_data : (x, y) arrays or tensors, iterable of (x, y) batches, or callable
        ``(x, y)``: shuffled into minibatches of ``batch_size`` every epoch. An iterable
        (a list of batches, a DataLoader) is one epoch; a one-shot iterator that is
        exhausted ends the run. A callable ``train_data(i)`` returns
        the i-th batch, fresh data every update (needs ``steps``).
    steps : int, optional
        Stop after this many updates.
    epochs : int, optional
        Stop after this many passes over the data (when ``steps`` is not reached first).
    batch_size : int
        Minibatch size for ``(x, y)`` data.
    lr : float
        Learning rate of the default optimiser, ``torch.optim.Adam``.
    optimizer : torch.optim.Optimizer, optional
        Used instead of Adam (``lr`` is then ignored).
    clip : float, optional
        Maximum global gradient norm.
    tbptt : int or (int, int), optional
        ``k`` or ``(k1, k2)`` for truncated BPTT over the time axis (axis 1).
    val_data : (x, y), optional
        Evaluated at update 0, every ``eval_every`` updates and at the end.
    metrics : dict of str -> callable, optional
        ``fn(output, y) -> number``, evaluated on ``val_data``.
    eval_every : int
        Updates between evaluations.
    seed : int
        Seeds the shuffling and torch's generator inside the run (dropout, sampling); the
        caller's global RNG state is restored afterwards. Same seed, model and data: same
        history on CPU.
    device : str or torch.device, optional
        Default: CUDA when available, else CPU. The model is moved there.
    progress : bool
        Show a tqdm progress bar (a widget in Jupyter when ipywidgets is installed, text otherwise).
    desc : str
        Label of the progress bar.

    Returns
    -------
    History

    Shapes
    ------
    Whatever ``model`` and ``loss_fn`` agree on; with ``tbptt``, x (N, T, ...), y (N, T, ...).
    """
    k1k2 = _check_fit_arguments(train_data, steps, epochs, tbptt)
    device = default_device() if device is None else torch.device(device)
    model.to(device)
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr) if optimizer is None else optimizer
    evaluate_on_val = None if val_data is None else functools.partial(
        evaluate, model, loss_fn, val_data, metrics=metrics, stateful=k1k2 is not None,
        device=device)
    total = steps if steps is not None else _updates_in(train_data, epochs, batch_size, k1k2)
    history, step = History(), 0
    start_time = time.perf_counter()
    with _seeded(seed, device) as generator, tqdm(total=total, desc=desc,
                                                  disable=not progress) as bar:
        model.train()
        _record_eval(history, 0, evaluate_on_val)
        pairs = _training_pairs(model, train_data, epochs, batch_size, generator, k1k2)
        for step, (output, target) in enumerate(itertools.islice(pairs, steps), start=1):
            loss, norm = _update(loss_fn, optimizer, params, clip, output, target)
            history.step.append(step)
            history.loss.append(loss)
            history.grad_norm.append(norm)
            if step % eval_every == 0:
                _record_eval(history, step, evaluate_on_val)
            _show_progress(bar, history)
        if not history.eval_step or history.eval_step[-1] != step:
            _record_eval(history, step, evaluate_on_val)
    history.seconds = time.perf_counter() - start_time
    return history


# The helpers of ``fit``, in the order one run uses them.

def _check_fit_arguments(train_data, steps, epochs, tbptt):
    """Raise ValueError for a run that cannot stop; return ``(k1, k2)`` or None (no TBPTT)."""
    if steps is None and epochs is None:
        raise input_error("fit", ("steps", "epochs"), "one of them: the number of updates or of passes over the data",
                          "neither")
    if callable(train_data) and not _is_dataset(train_data) and steps is None:
        raise input_error("fit", ("train_data", "steps"), "steps with a callable train_data (an endless stream)",
                          "steps=None")
    return None if tbptt is None else check_tbptt("fit", tbptt)


def _updates_in(train_data, epochs, batch_size, k1k2):
    """Updates in ``epochs`` passes over ``(x, y)`` data (the progress bar's length); None
    when the length of an iterable or a stream is not known in advance."""
    if not _is_dataset(train_data):
        return None
    x = train_data[0]
    per_batch = 1 if k1k2 is None else math.ceil(x.shape[1] / k1k2[0])
    return epochs * math.ceil(len(x) / batch_size) * per_batch


@contextlib.contextmanager
def _seeded(seed, device):
    """Seed torch's RNG for the run (dropout, sampling) and restore the caller's afterwards;
    yield the generator that shuffles the minibatches."""
    devices = [device.index or 0] if device.type == "cuda" else []
    with torch.random.fork_rng(devices=devices):
        torch.manual_seed(seed)
        yield torch.Generator().manual_seed(seed)


def _training_pairs(model, train_data, epochs, batch_size, generator, k1k2):
    """Yield ``(output, target)`` for every update of the run: epoch after epoch, batch after
    batch, and with ``k1k2`` TBPTT window after window of each batch.

    Lazy on purpose: the caller updates the weights between two items, so each forward pass
    (and each TBPTT window) runs on the current weights. Stops after ``epochs`` passes, or
    after a pass that yields no batch (an exhausted iterator); endless otherwise.
    """
    param = next(model.parameters())  # floating data takes the model's device and dtype
    device, dtype = param.device, param.dtype
    epoch = 0
    while epochs is None or epoch < epochs:
        empty = True
        for x, y in _batches(train_data, batch_size, generator):
            empty = False
            x, y = _to_device(x, device, dtype), _to_device(y, device, dtype)
            if k1k2 is None:
                yield model(x), y
            else:
                yield from tbptt_windows(model, x, y, k1=k1k2[0], k2=k1k2[1])
        if empty:
            return
        epoch += 1


def _update(loss_fn, optimizer, params, clip, output, target):
    """One update: loss, backward, global-norm clipping (Pascanu et al. 2013, Algorithm 1)
    when ``clip`` is set, optimiser step. Return the loss and the gradient norm before
    clipping, as floats."""
    loss = loss_fn(output, target)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    # g <- g * clip / ||g|| when ||g|| > clip
    norm = torch.nn.utils.clip_grad_norm_(params, clip or math.inf)
    optimizer.step()
    return loss.item(), float(norm)


def _record_eval(history, step, evaluate_on_val):
    """Evaluate (when there is validation data) and append the result to ``history``."""
    if evaluate_on_val is None:
        return
    history.eval_step.append(step)
    for name, value in evaluate_on_val().items():
        history.metrics.setdefault(name, []).append(value)


def _show_progress(bar, history):
    """Advance the bar by one update; show the mean loss of the last 20 and the last val_loss."""
    postfix = {"loss": f"{np.mean(history.loss[-20:]):.4g}"}
    if history.metrics:
        postfix["val"] = f"{history.metrics['val_loss'][-1]:.4g}"
    bar.set_postfix(postfix, refresh=False)
    bar.update(1)
