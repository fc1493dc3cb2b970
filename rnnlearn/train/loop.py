"""``fit``: the small training loop the chapters share."""

from __future__ import annotations

import math
import time

import numpy as np
import torch
from tqdm.auto import tqdm

from .history import History
from .tbptt import check_tbptt, tbptt_windows


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
        (a list of batches, a DataLoader) is one epoch. A callable ``train_data(i)`` returns
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
        Show a tqdm progress bar (a widget in Jupyter, text in a terminal).
    desc : str
        Label of the progress bar.

    Returns
    -------
    History

    Shapes
    ------
    Whatever ``model`` and ``loss_fn`` agree on; with ``tbptt``, x (N, T, ...), y (N, T, ...).
    """
    if steps is None and epochs is None:
        raise ValueError("fit: give `steps` (number of updates) or `epochs` (passes over the data)")
    if callable(train_data) and not _is_dataset(train_data) and steps is None:
        raise ValueError("fit: a callable `train_data` is an endless stream; give `steps`")
    k1k2 = None if tbptt is None else check_tbptt("fit", tbptt)
    device = default_device() if device is None else torch.device(device)
    model.to(device)
    dtype = next(model.parameters()).dtype
    params = [p for p in model.parameters() if p.requires_grad]
    optimizer = torch.optim.Adam(params, lr=lr) if optimizer is None else optimizer
    history = History()
    total = steps
    if total is None and _is_dataset(train_data):
        per_batch = 1 if k1k2 is None else math.ceil(train_data[0].shape[1] / k1k2[0])
        total = epochs * math.ceil(len(train_data[0]) / batch_size) * per_batch

    def run_eval(step):
        if val_data is not None:
            result = evaluate(model, loss_fn, val_data, metrics=metrics,
                              stateful=k1k2 is not None, device=device)
            history.eval_step.append(step)
            for name, value in result.items():
                history.metrics.setdefault(name, []).append(value)

    devices = [device.index or 0] if device.type == "cuda" else []
    start_time = time.perf_counter()
    with torch.random.fork_rng(devices=devices), tqdm(total=total, desc=desc,
                                                       disable=not progress) as bar:
        torch.manual_seed(seed)
        generator = torch.Generator().manual_seed(seed)
        model.train()
        run_eval(0)
        step, epoch, done = 0, 0, False
        while not done and (epochs is None or epoch < epochs):
            for x, y in _batches(train_data, batch_size, generator):
                x, y = _to_device(x, device, dtype), _to_device(y, device, dtype)
                if k1k2 is None:
                    windows = [(model(x), y)]
                else:
                    windows = tbptt_windows(model, x, y, k1=k1k2[0], k2=k1k2[1])
                for output, target in windows:
                    loss = loss_fn(output, target)
                    optimizer.zero_grad(set_to_none=True)
                    loss.backward()
                    norm = torch.nn.utils.clip_grad_norm_(params, clip or math.inf)
                    optimizer.step()
                    step += 1
                    history.step.append(step)
                    history.loss.append(loss.item())
                    history.grad_norm.append(float(norm))
                    if step % eval_every == 0:
                        run_eval(step)
                    postfix = {"loss": f"{np.mean(history.loss[-20:]):.4g}"}
                    if history.metrics:
                        postfix["val"] = f"{history.metrics['val_loss'][-1]:.4g}"
                    bar.set_postfix(postfix, refresh=False)
                    bar.update(1)
                    if steps is not None and step >= steps:
                        done = True
                        break
                if done:
                    break
            epoch += 1
        if not history.eval_step or history.eval_step[-1] != step:
            run_eval(step)
    history.seconds = time.perf_counter() - start_time
    return history
