"""Known-wrong versions of the tanh RNN exercises, for diagnosing a wrong answer.

Each function computes the right thing with ``mistake=None`` and reproduces one classic
mistake otherwise. A learner's output that equals a variant's output (same inputs) gets
that variant's hint. Only the caches' documented fields are read (``x, h_prev, h_next,
params`` for a step, ``steps`` for a sequence), so these work on the reference caches.

    h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh)
"""

import numpy as np

STEP_FORWARD = {
    "transposed": "the weights look transposed: weight_ih is (H, D) and weight_hh is (H, H) "
                  "like torch.nn, so compute x @ W_ih.T and h_prev @ W_hh.T.",
    "no_bias_hh": "bias_hh is missing: torch's RNN cell adds two biases, b_ih and b_hh.",
    "no_bias_ih": "bias_ih is missing: torch's RNN cell adds two biases, b_ih and b_hh.",
    "sigmoid": "you used the sigmoid; the RNN cell's nonlinearity is tanh.",
    "no_tanh": "the tanh is missing: h_next = tanh(a), not the pre-activation a.",
    "no_h_prev": "h_prev is not used: the recurrent term h_prev @ W_hh.T is missing.",
}

SEQ_FORWARD = {
    "off_by_one": "off by one in time: h_seq[:, t] must be the state *after* reading x[:, t] "
                  "(h_1 ... h_T), not the state before it (h_0 ... h_{T-1}).",
    "h0_every_step": "the state is not carried: every step starts again from h0 instead of "
                     "the previous step's h.",
    "h_T_first": "h_T should be the last state h_seq[:, -1], not the first.",
    "reversed": "the sequence is read backwards in time: start at t = 0.",
    **{key: "inside each step: " + hint for key, hint in STEP_FORWARD.items()},
}

STEP_BACKWARD = {
    "no_tanh_grad": "the tanh derivative is missing: da = dh_next * (1 - h_next**2).",
    "tanh_grad_h_prev": "the tanh derivative uses the wrong state: it is 1 - h_next**2 "
                        "(the output of this tanh), not 1 - h_prev**2.",
    "tanh_grad_no_square": "the tanh derivative is 1 - h_next**2, not 1 - h_next.",
    "dh_transposed": "dh_prev = da @ W_hh (no transpose: the forward used h_prev @ W_hh.T).",
    "dW_transposed": "the weight gradients look transposed: dW_ih = da.T @ x is (H, D) "
                     "like weight_ih, and dW_hh = da.T @ h_prev.",
    "bias_not_summed": "sum the bias gradients over the batch axis: db = da.sum(axis=0).",
    "no_db_hh": "the gradient of bias_hh is missing or zero: it equals the gradient of bias_ih.",
}

SEQ_BACKWARD = {
    "no_recurrent": "the recurrent gradient is not accumulated across time steps: the dh "
                    "entering step t is dh_seq[:, t] plus the dh_prev coming back from step t+1.",
    "grads_overwritten": "parameter gradients must be summed over all time steps, not "
                         "overwritten by each step.",
    "ignore_dh_T": "dh_T is ignored: it is added to the gradient entering the last step.",
    "off_by_one": "off by one in time: dh_seq[:, t] belongs to the step that produced "
                  "h_seq[:, t] (step t), not to step t-1.",
    "skip_first": "the loop stops too early: step 0 must be backpropagated too "
                  "(range(T-1, -1, -1)).",
    **{key: "inside each step: " + hint for key, hint in STEP_BACKWARD.items()},
}


def step_forward(x, h_prev, params, mistake=None):
    """One tanh RNN step, right or with ``mistake`` (a key of ``STEP_FORWARD``)."""
    W_ih, W_hh = params["weight_ih"], params["weight_hh"]
    b_ih = 0 * params["bias_ih"] if mistake == "no_bias_ih" else params["bias_ih"]
    b_hh = 0 * params["bias_hh"] if mistake == "no_bias_hh" else params["bias_hh"]
    if mistake == "transposed":
        W_ih, W_hh = W_ih.T, W_hh.T
    recurrent = 0 * h_prev @ W_hh.T if mistake == "no_h_prev" else h_prev @ W_hh.T
    # a = x W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh
    a = x @ W_ih.T + b_ih + recurrent + b_hh  # (N, H)
    if mistake == "sigmoid":
        return 1.0 / (1.0 + np.exp(-a))
    return a if mistake == "no_tanh" else np.tanh(a)


def seq_forward(x, h0, params, mistake=None):
    """``(h_seq, h_T)`` of a tanh RNN over ``x`` (N, T, D); ``mistake`` from ``SEQ_FORWARD``."""
    step_mistake = mistake if mistake in STEP_FORWARD else None
    T = x.shape[1]
    order = range(T - 1, -1, -1) if mistake == "reversed" else range(T)
    h, states, before = h0, [None] * T, [None] * T
    for t in order:
        before[t] = h
        h = step_forward(x[:, t], h0 if mistake == "h0_every_step" else h, params, step_mistake)
        states[t] = h
    h_seq = np.stack(before if mistake == "off_by_one" else states, axis=1)  # (N, T, H)
    h_T = h_seq[:, 0] if mistake == "h_T_first" else h
    return h_seq, h_T


def step_backward(dh_next, cache, mistake=None):
    """``(dx, dh_prev, grads)`` of one step from its cache; ``mistake`` from ``STEP_BACKWARD``."""
    x, h_prev, h_next, p = cache.x, cache.h_prev, cache.h_next, cache.params
    if mistake == "no_tanh_grad":
        da = dh_next
    elif mistake == "tanh_grad_h_prev":
        da = dh_next * (1 - h_prev ** 2)
    elif mistake == "tanh_grad_no_square":
        da = dh_next * (1 - h_next)
    else:
        # da = dh_t * (1 - h_t^2)
        da = dh_next * (1 - h_next ** 2)  # (N, H)
    dx = da @ p["weight_ih"]  # (N, D)
    dh_prev = da @ (p["weight_hh"].T if mistake == "dh_transposed" else p["weight_hh"])  # (N, H)
    dW_ih, dW_hh = da.T @ x, da.T @ h_prev  # (H, D), (H, H)
    if mistake == "dW_transposed":
        dW_ih, dW_hh = dW_ih.T, dW_hh.T
    db = da if mistake == "bias_not_summed" else da.sum(axis=0)  # (H,)
    grads = {"weight_ih": dW_ih, "weight_hh": dW_hh, "bias_ih": db,
             "bias_hh": 0 * db if mistake == "no_db_hh" else db}
    return dx, dh_prev, grads


def seq_backward(dh_seq, cache, dh_T=None, mistake=None, *, start=0, stop=None):
    """``(dx, dh0, grads)`` of BPTT over ``cache.steps[start:stop]``; ``mistake`` from ``SEQ_BACKWARD``.

    ``dh_T`` enters the last step of the range (zero if None).
    """
    steps = cache.steps
    stop = len(steps) if stop is None else stop
    step_mistake = mistake if mistake in STEP_BACKWARD else None
    dh = np.zeros_like(steps[stop - 1].h_next) if dh_T is None or mistake == "ignore_dh_T" else dh_T
    dx = np.zeros(dh_seq.shape[:2] + steps[0].x.shape[1:], dtype=dh_seq.dtype)  # (N, T, D)
    grads = {k: np.zeros_like(v) for k, v in steps[0].params.items()}
    lowest = start + 1 if mistake == "skip_first" else start
    for t in range(stop - 1, lowest - 1, -1):
        t_in = min(t + 1, stop - 1) if mistake == "off_by_one" else t
        carried = 0 * dh if mistake == "no_recurrent" else dh
        dx[:, t], dh, step_grads = step_backward(dh_seq[:, t_in] + carried, steps[t], step_mistake)
        for k, g in step_grads.items():
            grads[k] = g if mistake == "grads_overwritten" else grads[k] + g
    return dx, dh, grads
