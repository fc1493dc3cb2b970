"""Chapter 03_vanishing_gradients: Jacobian norms, Pascanu's condition, orthogonal init.

Every question here with its cases, its reference and its known-wrong variants (each
variant function is right with ``mistake=None`` and reproduces one classic mistake
otherwise). For a tanh RNN, h_t = tanh(a_t), the one-step Jacobian is
``dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh`` and ``dh_T/dh_{T-k}`` is the product of the
last ``k`` of them. Pascanu et al. (2013): with gamma bounding |sigma'| (1 for tanh, 1/4
for sigmoid), vanishing is *guaranteed* when the largest singular value of W_hh is
below 1 / gamma.
"""

from __future__ import annotations

import numpy as np

from rnnlearn.numpy import random_params

from ..compare import diagnose
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


ORTHOGONAL = {
    "no_rho": "W^T W is the identity: you returned Q itself; scale it, W = rho * Q.",
    "rho_squared": "W^T W = rho^4 I: you scaled by rho**2; W = rho * Q gives W^T W = rho^2 I.",
    "not_orthogonal": "the columns are not orthonormal (a Gaussian matrix is not orthogonal); "
                      "take Q from np.linalg.qr of a Gaussian matrix.",
    "global_rng": "two calls with the same seed gave different matrices: draw from "
                  "np.random.default_rng(seed), not from the global np.random.",
}


def scaled_orthogonal(H, rho, seed, mistake=None):
    """``rho * Q`` with ``Q`` a random orthogonal (H, H) matrix; ``mistake`` from ``ORTHOGONAL``."""
    rng = np.random.default_rng() if mistake == "global_rng" else np.random.default_rng(seed)
    A = rng.normal(size=(H, H))  # (H, H)
    if mistake == "not_orthogonal":
        return rho * A / np.sqrt(H)
    Q, R = np.linalg.qr(A)  # Q orthogonal
    Q = Q * np.sign(np.diag(R))  # a uniformly (Haar) distributed Q
    scale = {"no_rho": 1.0, "rho_squared": rho ** 2}.get(mistake, rho)
    return scale * Q  # (H, H)


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


def _orthogonality_problem(W, H, rho):
    """Why ``W`` is not ``rho`` times an orthogonal (H, H) float64 matrix, or ''."""
    if not isinstance(W, np.ndarray):
        return f"expected a NumPy array (H, H); got {type(W).__name__}."
    if W.shape != (H, H) or W.dtype != np.float64:
        return f"shape {W.shape} and dtype {W.dtype}, expected (H, H) = {(H, H)} float64."
    if not np.allclose(W.T @ W, rho ** 2 * np.eye(H), atol=1e-8):
        return "W^T W differs from rho^2 I."
    return ""


@question("scaled_orthogonal", points=2, chapter=CHAPTER, signature="scaled_orthogonal(H, rho, seed)",
          arg_names=("H", "rho", "seed"))
def _scaled_orthogonal(attempt):
    seed = int(attempt.rng.integers(1 << 30))
    problem = ""
    for H, rho in [(6, 0.9), (1, 1.1), (5, 1.0)]:
        W = attempt.call(H, rho, seed)
        problem = _orthogonality_problem(W, H, rho)
        if problem:
            hint = diagnose(W, [(h, lambda m=m, H=H, rho=rho: scaled_orthogonal(H, rho, seed, m))
                                for m, h in ORTHOGONAL.items() if m != "global_rng"])
            problem += f" (case H={H}, rho={rho})" + (f" Hint: {hint}" if hint else "")
            break
        # ||W^k||_2 = rho^k exactly: the reason this matrix is the chapter's instrument
        if not np.isclose(np.linalg.norm(np.linalg.matrix_power(W, 50), 2), rho ** 50, rtol=1e-6):
            problem = f"||W^50||_2 differs from rho^50 (case H={H}, rho={rho})."
            break
    same = attempt.call(6, 0.9, seed)
    other = attempt.call(6, 0.9, seed + 1)
    seeded = ""
    if not (isinstance(same, np.ndarray) and isinstance(W, np.ndarray) and same.shape == (6, 6)):
        seeded = "not scored until the matrix has the right shape."
    elif not np.array_equal(same, attempt.call(6, 0.9, seed)):
        seeded = ORTHOGONAL["global_rng"]
    elif np.array_equal(same, other):
        seeded = "different seeds gave the same matrix: the seed must choose the matrix."
    parts = [Part("rho * orthogonal", 1, not problem, problem), Part("seeded", 1, not seeded, seeded)]
    return parts + [attempt.mutation_part(not problem)]
