"""Chapter 09_beyond_rnns: the linear recurrence's combine and its parallel scan, the memory of a
key-value cache, one step of an LRU-style diagonal linear recurrent layer.

The questions with their cases, their references (the functions here with ``mistake=None``)
and their known-wrong variants (each variant function is right with ``mistake=None`` and
reproduces one classic mistake otherwise).

    h_t = a_t * h_{t-1} + b_t,        (a_2, b_2) o (a_1, b_1) = (a_2 a_1, a_2 b_1 + b_2)
    kv_cache_bytes = 2 * L * nh * hd * t * N * bytes_per_value
    lambda = exp(-exp(nu_log) + i exp(theta_log)),  h_t = lambda h_{t-1} + exp(gamma_log) (B x_t),
    y_t = Re(C h_t) + D x_t,   B = B_re + i B_im,  C = C_re + i C_im
"""

from __future__ import annotations

import numpy as np

from ..registry import question
from ..scoring import Case, Output, grade_outputs

CHAPTER = "09_beyond_rnns"

COMBINE = {
    "swapped": "the order is swapped: (a1, b1) is the earlier step, so the later one acts on its "
               "result: a2 * (a1 h + b1) + b2; the b part is a2 * b1 + b2, not a1 * b2 + b1.",
    "b_not_scaled": "the earlier step's b1 passes through the later step's multiplier: a2 * (a1 h + b1) + b2 "
                    "gives a2 * b1 + b2, not b1 + b2.",
    "a_added": "two steps multiply their a's: a2 * (a1 h) = (a2 a1) h; they do not add.",
}


def combine(a1, b1, a2, b2, mistake=None):
    """``(a, b)`` of step 1 then step 2; ``mistake`` from ``COMBINE``."""
    if mistake == "swapped":
        return a1 * a2, a1 * b2 + b1
    if mistake == "b_not_scaled":
        return a2 * a1, b1 + b2
    if mistake == "a_added":
        return a1 + a2, a2 * b1 + b2
    # a2 (a1 h + b1) + b2 = (a2 a1) h + (a2 b1 + b2)
    return a2 * a1, a2 * b1 + b2


@question("combine", points=1, chapter=CHAPTER, signature="combine(a1, b1, a2, b2)",
          arg_names=("a1", "b1", "a2", "b2"),
          crash_hint="a1, b1, a2, b2 are arrays of one shape; return the pair (a, b), element-wise.")
def _combine(attempt):
    rng = attempt.rng
    cases = [Case(f"shape {s}", tuple(rng.normal(size=s) for _ in range(4))) for s in [(3, 4), (2, 5), (1, 1)]]
    outputs = (Output("a", "(same shape as a1)"), Output("b", "(same shape as b1)"))
    return grade_outputs(attempt, outputs, cases, combine, combine, COMBINE)


SCAN = {
    "a_not_updated": "each round must combine both parts: the a's multiply too (a_t <- a_t a_{t-d}); "
                     "with the a's left alone, later rounds scale the b's by one step's a instead of "
                     "the product over the 2^k steps they span.",
    "a_before_b": "b must be updated with the a of the *previous* round: compute the new a and the new "
                  "b from the old pair (as combine does), then replace both.",
    "one_round_short": "one round is missing: the offsets d = 1, 2, 4, ... go on while d < T, so that "
                       "the last position takes in every step; that is ceil(log2 T) rounds.",
    "no_h0": "h0 is ignored: the first step starts from h0, b_1 <- a_1 h0 + b_1, before the scan.",
    "reversed": "position t must take in the *earlier* position t - d (its prefix), not the later "
                "t + d: the state depends on the past.",
}


def linear_scan(a, b, h0, mistake=None):
    """``h`` (N, T, H) of ``h_t = a_t h_{t-1} + b_t`` by a Hillis-Steele scan; ``mistake`` from ``SCAN``."""
    a, b = a.copy(), b.copy()
    if mistake != "no_h0":
        # the first step starts from h0: (a_1, b_1) o (., h0)
        b[:, 0] = a[:, 0] * h0 + b[:, 0]
    T, d = a.shape[1], 1
    while d < (T // 2 if mistake == "one_round_short" else T):
        if mistake == "reversed":  # position t takes in t + d
            a_new, b_new = a[:, :-d] * a[:, d:], a[:, :-d] * b[:, d:] + b[:, :-d]
            a[:, :-d], b[:, :-d] = a_new, b_new
        else:
            # (a_t, b_t) o (a_{t-d}, b_{t-d}) = (a_t a_{t-d}, a_t b_{t-d} + b_t)
            a_new = a[:, d:] * a[:, :-d]  # (N, T - d, H)
            if mistake == "a_before_b":
                a[:, d:] = a_new
            b_new = a[:, d:] * b[:, :-d] + b[:, d:]  # (N, T - d, H)
            if mistake != "a_not_updated":
                a[:, d:] = a_new
            b[:, d:] = b_new
        d *= 2
    return b


def _scan_case(rng, N, T, H):
    return rng.uniform(-1, 1, (N, T, H)), rng.normal(size=(N, T, H)), rng.normal(size=(N, H))


@question("linear_scan", points=3, chapter=CHAPTER, signature="linear_scan(a, b, h0)", arg_names=("a", "b", "h0"),
          crash_hint="a and b are (N, T, H), h0 is (N, H); return h (N, T, H) with h[:, t] the state after step t.")
def _linear_scan(attempt):
    rng = attempt.rng
    cases = [Case(f"N={N}, T={T}, H={H}", _scan_case(rng, N, T, H))
             for N, T, H in [(2, 8, 3), (3, 13, 2), (1, 5, 4), (2, 1, 2), (1, 100, 3)]]
    outputs = (Output("h", "(N, T, H)"),)
    return grade_outputs(attempt, outputs, cases, linear_scan, linear_scan, SCAN)


KV = {
    "no_values": "the cache holds a key *and* a value vector per position: a factor 2.",
    "no_layers": "every attention layer keeps its own keys and values: multiply by num_layers.",
    "no_batch": "each of the batch sequences has its own cache: multiply by batch.",
    "heads_twice": "num_heads * head_dim is already the whole key vector (E); multiplying by num_heads "
                   "again counts every head nh times.",
    "bits": "bytes_per_value is already in bytes (4 for float32): do not multiply by 8.",
}


def kv_cache_bytes(num_layers, num_heads, head_dim, t, batch, bytes_per_value, mistake=None):
    """Bytes of a key-value cache of t positions; ``mistake`` from ``KV``."""
    kinds = 1 if mistake == "no_values" else 2  # keys and values
    layers = 1 if mistake == "no_layers" else num_layers
    heads = num_heads * num_heads if mistake == "heads_twice" else num_heads
    sequences = 1 if mistake == "no_batch" else batch
    size = 8 * bytes_per_value if mistake == "bits" else bytes_per_value
    return int(kinds * layers * heads * head_dim * t * sequences * size)


@question("kv_cache_bytes", points=2, chapter=CHAPTER,
          signature="kv_cache_bytes(num_layers, num_heads, head_dim, t, batch, bytes_per_value)",
          arg_names=("num_layers", "num_heads", "head_dim", "t", "batch", "bytes_per_value"),
          crash_hint="all six arguments are ints; return an int, the number of bytes.")
def _kv_cache_bytes(attempt):
    rng = attempt.rng
    cases = [Case("L=5, nh=4, hd=16, t=100, N=3, float32", (5, 4, 16, 100, 3, 4)),
             Case("L=12, nh=12, hd=64, t=1024, N=1, float16", (12, 12, 64, 1024, 1, 2))]
    L, nh, hd, t, N = (int(v) for v in rng.integers(2, 9, size=5))
    cases.append(Case(f"L={L}, nh={nh}, hd={hd}, t={t}, N={N}, float32", (L, nh, hd, t, N, 4)))
    return grade_outputs(attempt, (Output("bytes", "int"),), cases, kv_cache_bytes, kv_cache_bytes, KV)


LRU = {
    "lambda_raw": "nu_log and theta_log are logarithms: lambda = exp(-exp(nu_log) + 1j * exp(theta_log)), "
                  "so that |lambda| = exp(-exp(nu_log)) < 1 whatever value nu_log takes.",
    "no_gamma": "the input is normalised: h_t = lambda * h_{t-1} + exp(gamma_log) * (B x_t).",
    "gamma_log_raw": "gamma_log is a logarithm: the input is scaled by exp(gamma_log).",
    "imag_output": "the output reads the real part: y = Re(C h_t) + D x_t, not the imaginary part.",
    "no_skip": "the output has a direct path from the input: y = Re(C h_t) + D x_t.",
    "real_state": "the state is complex and stays complex: do not keep only its real part (the "
                  "imaginary part carries the rotation, and y takes the real part at the end).",
}


def lru_step(x, h_prev, params, mistake=None):
    """``(y, h_next)`` of one LRU-style step; ``mistake`` from ``LRU``."""
    p = params
    if mistake == "lambda_raw":
        lam = np.exp(-p["nu_log"] + 1j * p["theta_log"])  # (H,)
    else:
        # lambda = exp(-exp(nu) + i exp(theta))
        lam = np.exp(-np.exp(p["nu_log"]) + 1j * np.exp(p["theta_log"]))  # (H,)
    gamma = {"no_gamma": 1.0, "gamma_log_raw": p["gamma_log"]}.get(mistake, np.exp(p["gamma_log"]))
    B, C = p["B_re"] + 1j * p["B_im"], p["C_re"] + 1j * p["C_im"]  # (H, D), (O, H)
    # h_t = lambda * h_{t-1} + gamma * (B x_t)
    h_next = lam * h_prev + gamma * (x @ B.T)  # (N, H)
    if mistake == "real_state":
        h_next = h_next.real + 0j
    Ch = h_next @ C.T  # (N, O)
    # y_t = Re(C h_t) + D x_t
    y = (Ch.imag if mistake == "imag_output" else Ch.real) + (0.0 if mistake == "no_skip" else x @ p["D"].T)
    return y, h_next


def lru_params(rng, D, H, n_out):
    """Random float64 parameters named like ``rnnlearn.torch.LinearRecurrentLayer``'s state_dict."""
    modulus = rng.uniform(0.5, 0.95, H)
    return {"nu_log": np.log(-np.log(modulus)), "theta_log": np.log(rng.uniform(0.1, 3.0, H)),
            "gamma_log": np.log(np.sqrt(1 - modulus ** 2)) + rng.normal(0, 0.2, H),
            "B_re": rng.normal(0, 0.7, (H, D)), "B_im": rng.normal(0, 0.7, (H, D)),
            "C_re": rng.normal(0, 0.7, (n_out, H)), "C_im": rng.normal(0, 0.7, (n_out, H)),
            "D": rng.normal(0, 0.7, (n_out, D))}


@question("lru_step", points=3, chapter=CHAPTER, signature="lru_step(x, h_prev, params)",
          arg_names=("x", "h_prev", "params"),
          crash_hint="x is (N, D) real, h_prev (N, H) complex; B_re, B_im are (H, D), C_re, C_im (O, H), D (O, D), "
                     "nu_log, theta_log, gamma_log (H,); return y (N, O) real and h_next (N, H) complex.")
def _lru_step(attempt):
    rng, cases = attempt.rng, []
    for N, D, H, n_out in [(3, 4, 5, 2), (2, 3, 3, 3), (1, 2, 6, 1)]:
        h_prev = rng.normal(size=(N, H)) + 1j * rng.normal(size=(N, H))
        args = (rng.normal(size=(N, D)), h_prev, lru_params(rng, D, H, n_out))
        cases.append(Case(f"N={N}, D={D}, H={H}, O={n_out}", args))
    outputs = (Output("y", "(N, O)"), Output("h_next", "(N, H)"))
    return grade_outputs(attempt, outputs, cases, lru_step, lru_step, LRU)
