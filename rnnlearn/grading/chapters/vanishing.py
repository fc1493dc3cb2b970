"""Chapter 03_vanishing_gradients: Jacobian norms, Pascanu's condition, an initialisation.

Every question here with its cases, its reference and its known-wrong variants (each
variant function is right with ``mistake=None`` and reproduces one classic mistake
otherwise). For a tanh RNN, h_t = tanh(a_t), the one-step Jacobian is
``dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh`` and ``dh_T/dh_{T-k}`` is the product of the
last ``k`` of them. Pascanu et al. (2013): with gamma bounding |sigma'| (1 for tanh, 1/4
for sigmoid), vanishing is *guaranteed* when the largest singular value of W_hh is
below 1 / gamma.

``recurrent_init`` is graded by a measurement, not by comparison with one matrix: the
learner's W_hh goes into tanh RNNs (other weights at PyTorch's default) and
``||dh_T/dh_1||`` over T = 50 adding-problem steps must neither vanish nor explode.
(Training to solve the adding problem at T = 50 did not fit the grading budget: 300 Adam
updates left identity, orthogonal and default initialisations alike at the 1/6 baseline.)
"""

from __future__ import annotations

import numpy as np

from rnnlearn.numpy import random_params

from ..registry import question
from ..result import Part
from ..scoring import Case, Output, grade_outputs

CHAPTER = "03_vanishing_gradients"

NORMS = {
    "frobenius": "that is the Frobenius norm; use the spectral norm (largest singular value), "
                 "np.linalg.norm(J, 2).",
    "no_tanh_grad": "the tanh derivative is missing: each factor is diag(1 - h_t**2) @ W_hh, "
                    "not W_hh alone.",
    "k_plus_1": "off by one in k: k = 1 is the single Jacobian dh_T/dh_{T-1}; you have one "
                "factor too many.",
    "k_minus_1": "off by one in k: k = 1 is the single Jacobian dh_T/dh_{T-1}; you have one "
                 "factor too few.",
    "wrong_state": "the tanh derivative of step t uses h_t, the output of that step's tanh "
                   "(you used h_{t-1}).",
}

CONDITION = {
    "spectral_radius": "that is the spectral radius (largest |eigenvalue|); Pascanu's bound "
                       "uses the largest singular value, np.linalg.norm(W_hh, 2).",
    "gamma_inverted": "gamma bounds the derivative: 1 for tanh and 1/4 for sigmoid "
                      "(you inverted it).",
    "non_strict": "the condition is strict: guaranteed only when sigma_max < 1 / gamma.",
}


def hidden_grad_norms(cache, ks, mistake=None):
    """``||dh_T / dh_{T-k}||_2`` for each k, batch element 0; ``mistake`` from ``NORMS``."""
    steps = cache.steps
    T = len(steps)
    W_hh = steps[0].params["weight_hh"]
    out = []
    for k in ks:
        k = k + 1 if mistake == "k_plus_1" else k - 1 if mistake == "k_minus_1" else k
        J = np.eye(W_hh.shape[0])  # (H, H)
        for t in range(T - 1, T - 1 - min(k, T), -1):
            h = steps[t].h_prev[0] if mistake == "wrong_state" else steps[t].h_next[0]
            # dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh
            factor = W_hh if mistake == "no_tanh_grad" else (1 - h ** 2)[:, None] * W_hh
            J = J @ factor  # (H, H)
        out.append(np.linalg.norm(J, "fro" if mistake == "frobenius" else 2))
    return np.array(out)


def vanishing_condition(W_hh, nonlinearity, mistake=None):
    """``(sigma_max, gamma, guaranteed)``; ``mistake`` from ``CONDITION``."""
    if mistake == "spectral_radius":
        sigma = float(np.max(np.abs(np.linalg.eigvals(W_hh))))
    else:
        sigma = float(np.linalg.norm(W_hh, 2))
    gamma = {"tanh": 1.0, "sigmoid": 0.25}[nonlinearity]
    if mistake == "gamma_inverted":
        gamma = 1.0 / gamma
    guaranteed = sigma <= 1 / gamma if mistake == "non_strict" else sigma < 1 / gamma
    return sigma, gamma, bool(guaranteed)


INIT = {
    "torch_default": "sigma_max is above 1, yet the gradient vanished: most directions still shrink "
                     "(PyTorch's default U(-1/sqrt(H), 1/sqrt(H)) has a spectral radius of about 0.58, "
                     "and exercise 1 measured the decay). Look for a matrix that keeps the length of "
                     "every vector.",
    "small": "every singular value of your W_hh is far below 1, so Pascanu's condition holds and "
             "vanishing is guaranteed (exercise 2). Which matrices have all their singular values 1?",
    "too_large": "every singular value is well above 1: a step backwards stretches the gradient, and "
                 "over 50 steps it explodes. Scale the matrix down to singular values near 1.",
    "unscaled_gaussian": "N(0, 1) entries give singular values up to about 2 sqrt(H): the gradient "
                         "explodes. A random matrix needs entries of variance 1/H, or better, an "
                         "orthogonal matrix.",
}
# The gradient ||dh_T/dh_1|| must stay within [1e-3, 1e3] over T = 50 steps (median of 5 sequences).
INIT_T, INIT_BAND, INIT_SIZES = 50, (1e-3, 1e3), (32, 64)


def recurrent_init(H, seed, mistake=None):
    """A W_hh that keeps gradients alive (a random orthogonal matrix); ``mistake`` from ``INIT``."""
    rng = np.random.default_rng(seed)
    if mistake == "torch_default":
        return rng.uniform(-1 / np.sqrt(H), 1 / np.sqrt(H), (H, H))
    if mistake == "small":
        return rng.normal(0, 0.01, (H, H))
    if mistake == "unscaled_gaussian":
        return rng.normal(0, 1, (H, H))
    Q, R = np.linalg.qr(rng.normal(size=(H, H)))  # (H, H), Q^T Q = I
    Q = Q * np.sign(np.diag(R))  # a uniformly (Haar) distributed Q
    return 3 * Q if mistake == "too_large" else Q


def init_gradient_norms(W_hh, rng, T=INIT_T, n=5):
    """``||dh_T/dh_1||_2`` of a tanh RNN with this ``W_hh`` on ``n`` adding-problem sequences.

    ``W_ih`` and both biases are drawn like PyTorch's defaults, U(-1/sqrt(H), 1/sqrt(H)).
    """
    from rnnlearn.data import adding_problem
    from rnnlearn.numpy import rnn_forward

    H, bound = W_hh.shape[0], 1 / np.sqrt(W_hh.shape[0])
    norms = []
    for _ in range(n):
        params = {"weight_ih": rng.uniform(-bound, bound, (H, 2)), "weight_hh": W_hh,
                  "bias_ih": rng.uniform(-bound, bound, H), "bias_hh": rng.uniform(-bound, bound, H)}
        x, _ = adding_problem(1, T, seed=int(rng.integers(1 << 30)))
        _, _, cache = rnn_forward(x.astype(np.float64), np.zeros((1, H)), params)
        norms.append(hidden_grad_norms(cache, [T - 1])[0])
    return np.array(norms)


def _init_hint(W, median):
    """The hint of ``INIT`` that describes this matrix, from its singular values."""
    sigma = np.linalg.svd(W, compute_uv=False)
    if median < INIT_BAND[0]:
        return INIT["small"] if sigma[0] < 1 else INIT["torch_default"]
    return INIT["unscaled_gaussian"] if sigma[0] > 4 else INIT["too_large"]


def torch_grad_norms(cache, ks):
    """``||dh_T/dh_{T-k}||_2`` from torch autograd Jacobians (batch element 0)."""
    import torch

    steps = cache.steps
    T = len(steps)
    p = {k: torch.tensor(v) for k, v in steps[0].params.items()}
    norms = []
    for k in ks:
        xs = [torch.tensor(steps[t].x[:1]) for t in range(T - k, T)]

        def run(h, xs=xs):
            h = h[None]
            for x in xs:
                h = torch.tanh(x @ p["weight_ih"].T + p["bias_ih"] + h @ p["weight_hh"].T + p["bias_hh"])
            return h[0]

        J = torch.autograd.functional.jacobian(run, torch.tensor(steps[T - k].h_prev[0]))
        norms.append(float(torch.linalg.matrix_norm(J, ord=2)))
    return np.array(norms)


@question("hidden_grad_norms", points=3, chapter=CHAPTER, signature="hidden_grad_norms(cache, ks)",
          arg_names=("cache", "ks"),
          crash_hint="use cache.steps[t].h_next (h_{t+1}) and cache.steps[0].params['weight_hh'].")
def _hidden_grad_norms(attempt):
    from rnnlearn.numpy import rnn_forward

    cases = []
    for T, D, H, ks in [(8, 3, 5, [1, 2, 4, 8]), (5, 4, 4, [5, 3, 1]), (1, 2, 3, [1])]:
        x, h0 = attempt.rng.normal(size=(1, T, D)), attempt.rng.normal(0, 0.8, (1, H))
        _, _, cache = rnn_forward(x, h0, random_params("rnn", D, H, rng=attempt.rng))
        cases.append(Case(f"N=1, T={T}, D={D}, H={H}, ks={ks}", (cache, ks)))
    return grade_outputs(attempt, (Output("norms", "(len(ks),)"),), cases, torch_grad_norms,
                         hidden_grad_norms, NORMS)


def _non_normal(rng, H, rho, sigma):
    """An upper-triangular W with spectral radius ``rho`` and largest singular value >= ``sigma``."""
    W = np.triu(rng.normal(size=(H, H)), 1)
    W = W / np.linalg.norm(W, 2) * sigma + rho * np.eye(H)
    return W


@question("vanishing_condition", points=2, chapter=CHAPTER,
          signature="vanishing_condition(W_hh, nonlinearity)", arg_names=("W_hh", "nonlinearity"))
def _vanishing_condition(attempt):
    rng = attempt.rng
    cases = [Case("tanh, spectral radius < 1 < largest singular value", (_non_normal(rng, 5, 0.6, 1.5), "tanh")),
             Case("sigmoid, largest singular value 2.5", (_non_normal(rng, 4, 0.5, 2.0), "sigmoid")),
             Case("tanh, W_hh = identity (sigma_max exactly 1)", (np.eye(3), "tanh")),
             Case("tanh, small weights", (rng.normal(0, 0.1, (3, 3)), "tanh")),
             Case("sigmoid, large weights", (rng.normal(0, 3.0, (4, 4)), "sigmoid"))]
    outputs = (Output("sigma_max", "float"), Output("gamma", "float"), Output("guaranteed", "bool"))
    return grade_outputs(attempt, outputs, cases, vanishing_condition, vanishing_condition, CONDITION)


@question("recurrent_init", points=3, chapter=CHAPTER, signature="recurrent_init(H, seed)",
          arg_names=("H", "seed"))
def _recurrent_init(attempt):
    rng, problem, seeded = attempt.rng, "", ""
    seed = int(rng.integers(1 << 30))
    for H in INIT_SIZES:
        W = attempt.call(H, seed)
        if not (isinstance(W, np.ndarray) and W.shape == (H, H) and W.dtype == np.float64
                and np.all(np.isfinite(W))):
            shape = W.shape if isinstance(W, np.ndarray) else type(W).__name__
            problem = f"expected a finite float64 array (H, H) = {(H, H)}; got {shape}."
            break
        norms = init_gradient_norms(W, rng)
        median = float(np.median(norms))
        if not INIT_BAND[0] <= median <= INIT_BAND[1]:
            low, high = INIT_BAND
            problem = (f"with H = {H}, ||dh_T/dh_1|| over T = {INIT_T} steps has median {median:.1e} over "
                       f"{len(norms)} sequences; it should stay between {low:g} and {high:g}. "
                       f"Hint: {_init_hint(W, median)}")
            break
        if not np.array_equal(W, attempt.call(H, seed)):
            seeded = "two calls with the same seed gave different matrices: draw from np.random.default_rng(seed)."
    name = f"gradient survives {INIT_T} steps"
    return [Part(name, 2, not problem, problem), Part("same seed, same matrix", 1, not problem and not seeded,
                                                        seeded or ("not scored until the gradient survives"
                                                                   if problem else ""))]
