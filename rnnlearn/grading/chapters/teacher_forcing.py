"""Chapter 08_teacher_forcing: the inverse sigmoid schedule, a scheduled-sampling decoder loop, the exposure-bias gap.

The schedule's question id is ``inverse_sigmoid_schedule``, not the package's
``inverse_sigmoid_decay`` (``rnnlearn.schedules``), whose body the batch grader would
otherwise remove: the chapter's experiments use that one. Every question here with its
cases, its reference (the variant function with ``mistake=None``) and its known-wrong variants.

    inverse sigmoid decay:  eps_i = k / (k + exp(i / k)),  k >= 1
    decoder step:           h_t = tanh(E[x_t] + h_{t-1} W_hh^T + b),  logits_t = h_t W_out^T + b_out
    scheduled sampling:     x_0 = tokens[:, 0];  for t >= 1, with u = rng.random(N) drawn at step t,
                            x_t = tokens[:, t] where u < p, argmax(logits_{t-1}) elsewhere
    exposure-bias gap:      error_t = share of real targets at position t whose argmax is wrong,
                            gap_t = free-running error_t - teacher-forced error_t
"""

from __future__ import annotations

import numpy as np

from rnnlearn.errors import input_error

from ..answer import AnswerCrashed
from ..registry import question
from ..result import Part
from ..scoring import Case, Output, grade_outputs

CHAPTER = "08_teacher_forcing"

SCHEDULE = {
    "wrong_sign": "the schedule must fall from about 1 towards 0: exp(i / k) grows with i, so "
                  "k / (k + exp(i / k)) decreases; with exp(-i / k) it rises instead.",
    "i_times_k": "the exponent is i / k, not i * k: a larger k must make the decay slower, "
                 "crossing 1/2 at i = k ln k.",
    "no_k_numerator": "eps_0 should be k / (k + 1), close to 1 for a large k: the k in the "
                      "numerator and the denominator is missing (this one starts at 1/2).",
    "no_division": "the exponent is i / k: without the division the schedule falls to 0 within "
                   "a few steps whatever k is.",
    "k_not_checked": "k = 0.5 was accepted: the schedule needs k >= 1 (below 1, eps_0 = k / (k + 1) is "
                     "under 1/2); raise a ValueError that says so.",
}


def inverse_sigmoid(i, k, mistake=None):
    """``eps_i`` of the inverse sigmoid schedule; ``mistake`` from ``SCHEDULE``."""
    if k < 1 and mistake != "k_not_checked":
        raise input_error("inverse_sigmoid_schedule", "k", ">= 1", repr(k))
    i = np.asarray(i, dtype=np.float64)
    with np.errstate(over="ignore"):
        exponent = {"wrong_sign": -i / k, "i_times_k": i * k, "no_division": i}.get(mistake, i / k)
        if mistake == "no_k_numerator":
            return 1.0 / (1.0 + np.exp(exponent))
        # eps_i = k / (k + exp(i / k))
        return k / (k + np.exp(exponent))


@question("inverse_sigmoid_schedule", points=2, chapter=CHAPTER, signature="inverse_sigmoid_schedule(i, k)",
          arg_names=("i", "k"), crash_hint="i is an array of training steps (ints >= 0), k a number >= 1; "
                                           "return an array of probabilities of the same shape as i.")
def _inverse_sigmoid_schedule(attempt):
    cases = [Case(f"k={k}, i = {label}", (steps, k)) for k, label, steps in [
        (10.0, "0, 1, ..., 60", np.arange(61)), (50.0, "0, 25, ..., 500", np.arange(0, 501, 25)),
        (2.5, "7 random steps below 40", np.sort(attempt.rng.integers(0, 40, 7)))]]
    parts = grade_outputs(attempt, (Output("eps", "(M,)", rtol=1e-9, atol=1e-12),), cases,
                          inverse_sigmoid, inverse_sigmoid, SCHEDULE)
    try:
        attempt.call(np.arange(5), 0.5)
        rejected, message = False, SCHEDULE["k_not_checked"]
    except AnswerCrashed as exc:
        rejected = str(exc).startswith(("ValueError", "InputError"))  # InputError is rnnlearn's ValueError
        message = "" if rejected else f"k = 0.5 should raise a ValueError; it raised {exc}."
    return parts[:-1] + [Part("k < 1 rejected", 1, rejected, message), parts[-1]]


DECODE = {
    "coin_per_sequence": "the coin is drawn per token: at every step t >= 1 draw rng.random(N) again; "
                         "one draw per sequence, reused at every step, makes each sequence all truth or "
                         "all prediction (Bengio et al. found that much worse).",
    "coin_at_step_0": "no coin at step 0: the first input is always tokens[:, 0] (there is no "
                      "prediction yet), so the first draw happens at t = 1.",
    "inverted_coin": "the coin is the probability of the *truth*: feed tokens[:, t] where the draw "
                     "is below p (p = 1 is teacher forcing), the model's argmax elsewhere.",
    "coin_ignored": "p is ignored: every input is the true token (plain teacher forcing); at each "
                    "step t >= 1 a coin chooses between the truth and the previous prediction.",
    "coin_per_batch": "one coin per sequence and step: rng.random(N), not one number rng.random() "
                      "shared by the whole batch.",
}


def decode(tokens, params, p, seed, mistake=None):
    """``(logits, fed)`` of the scheduled-sampling loop; ``mistake`` from ``DECODE``."""
    rng = np.random.default_rng(seed)
    N, T = tokens.shape
    E, W_hh, b = params["embedding"], params["weight_hh"], params["bias"]
    h = np.zeros((N, W_hh.shape[0]))  # (N, H)
    fed = np.zeros((N, T), dtype=tokens.dtype)
    logits = np.zeros((N, T, params["weight_out"].shape[0]))  # (N, T, V)
    per_sequence = rng.random(N) if mistake == "coin_per_sequence" else None
    for t in range(T):
        if mistake == "coin_at_step_0":
            draw = rng.random(N)  # (N,) drawn at every step, the first one wasted
        if t == 0:
            x = tokens[:, 0]
        else:
            if mistake == "coin_per_sequence":
                draw = per_sequence
            elif mistake == "coin_per_batch":
                draw = np.full(N, rng.random())
            elif mistake != "coin_at_step_0":
                draw = rng.random(N)  # (N,)
            truth = draw >= p if mistake == "inverted_coin" else draw < p
            if mistake == "coin_ignored":
                truth = np.ones(N, dtype=bool)
            x = np.where(truth, tokens[:, t], logits[:, t - 1].argmax(axis=1))  # (N,)
        fed[:, t] = x
        # h_t = tanh(E[x_t] + h_{t-1} W_hh^T + b)
        h = np.tanh(E[x] + h @ W_hh.T + b)  # (N, H)
        logits[:, t] = h @ params["weight_out"].T + params["bias_out"]  # (N, V)
    return logits, fed


def decoder_params(rng, V, H):
    """Random parameters of the small decoder (embedding (V, H), weight_hh (H, H), bias (H,), read-out)."""
    return {"embedding": rng.normal(0, 1.0, (V, H)), "weight_hh": rng.normal(0, 0.8, (H, H)),
            "bias": rng.normal(0, 0.3, H), "weight_out": rng.normal(0, 1.5, (V, H)), "bias_out": rng.normal(0, 0.3, V)}


@question("scheduled_sampling_decode", points=3, chapter=CHAPTER,
          signature="scheduled_sampling_decode(tokens, params, p, seed)", arg_names=("tokens", "params", "p", "seed"),
          crash_hint="tokens is (N, T) int; params has embedding (V, H), weight_hh (H, H), bias (H,), "
                     "weight_out (V, H) and bias_out (V,); return logits (N, T, V) and fed (N, T).")
def _scheduled_sampling_decode(attempt):
    rng, cases = attempt.rng, []
    for N, T, V, H, p in [(6, 7, 5, 4, 0.5), (5, 6, 4, 3, 0.3), (3, 5, 6, 4, 1.0), (3, 5, 6, 4, 0.0)]:
        args = (rng.integers(0, V, (N, T)), decoder_params(rng, V, H), p, int(rng.integers(0, 2**31)))
        cases.append(Case(f"N={N}, T={T}, V={V}, H={H}, p={p}", args))
    outputs = (Output("logits", "(N, T, V)"), Output("fed", "(N, T)"))
    return grade_outputs(attempt, outputs, cases, decode, decode, DECODE)


GAP = {  # gap_sign first: the accuracies' gap is the same as the flipped sign's
    "gap_sign": "gap = free-running error - teacher-forced error, positive where free running is worse.",
    "accuracy": "these are accuracies: the error at position t is the share of real targets whose "
                "argmax token is wrong (1 - accuracy).",
    "per_sequence": "average over the sequences (axis 0), one number per output position: the "
                    "result is (T,), the error by position, not (N,).",
    "padding_counted": "padded targets (== pad_index) are not tokens to predict: leave them out of "
                       "both the count of errors and the count of tokens at each position.",
}


def gap(tf_logits, fr_logits, targets, pad_index, mistake=None):
    """``(tf_error, fr_error, gap)`` by output position; ``mistake`` from ``GAP``."""
    real = targets != pad_index  # (N, T)
    if mistake == "padding_counted":
        real = np.ones_like(real)
    axis = 1 if mistake == "per_sequence" else 0

    def error(logits):
        wrong = (logits.argmax(axis=2) != targets) & real  # (N, T)
        rate = wrong.sum(axis=axis) / real.sum(axis=axis)  # (T,)
        return 1.0 - rate if mistake == "accuracy" else rate

    tf_error, fr_error = error(tf_logits), error(fr_logits)
    return tf_error, fr_error, (tf_error - fr_error if mistake == "gap_sign" else fr_error - tf_error)


def _gap_case(rng, N, T, V, lengths):
    targets = rng.integers(1, V, (N, T))  # (N, T), token 0 is padding
    targets[np.arange(T)[None, :] >= np.asarray(lengths)[:, None]] = 0
    tf_logits = rng.normal(size=(N, T, V))
    tf_logits[np.arange(N)[:, None], np.arange(T)[None, :], targets] += 1.5  # mostly right
    fr_logits = rng.normal(size=(N, T, V))
    return tf_logits, fr_logits, targets, 0


@question("exposure_gap", points=2, chapter=CHAPTER, signature="exposure_gap(tf_logits, fr_logits, targets, pad_index)",
          arg_names=("tf_logits", "fr_logits", "targets", "pad_index"),
          crash_hint="tf_logits and fr_logits are (N, T, V), targets (N, T) int with pad_index at padding; "
                     "return three arrays (T,): tf_error, fr_error, gap.")
def _exposure_gap(attempt):
    rng = attempt.rng
    cases = [Case("N=7, T=5, V=4, lengths 5, 5, 3, 2, 5, 4, 1", _gap_case(rng, 7, 5, 4, [5, 5, 3, 2, 5, 4, 1])),
             Case("N=6, T=4, V=6, no padding", _gap_case(rng, 6, 4, 6, [4] * 6)),
             Case("N=3, T=6, V=3, lengths 6, 2, 4", _gap_case(rng, 3, 6, 3, [6, 2, 4]))]
    outputs = (Output("tf_error", "(T,)"), Output("fr_error", "(T,)"), Output("gap", "(T,)"))
    return grade_outputs(attempt, outputs, cases, gap, gap, GAP)
