"""Questions of chapter 03_vanishing_gradients: Jacobian norms and Pascanu's condition."""

from __future__ import annotations

import numpy as np

from . import wrong_vanishing as V
from .compare import Case, Output, grade_outputs
from .q_rnn_equations import rnn_params
from .registry import question

CHAPTER = "03_vanishing_gradients"


def torch_grad_norms(cache, ks):
    """``||dh_T/dh_{T-k}||_2`` from torch autograd Jacobians (batch element 0)."""
    import torch

    steps = cache.steps
    T = len(steps)
    p = {k: torch.tensor(v) for k, v in steps[0].params.items()}
    norms = []
    for k in ks:
        xs = [torch.tensor(steps[t].x[:1]) for t in range(T - k, T)]

        def run(h):
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
def _hidden_grad_norms(ctx):
    from rnnlearn.numpy import rnn_forward

    cases = []
    for T, D, H, ks in [(8, 3, 5, [1, 2, 4, 8]), (5, 4, 4, [5, 3, 1]), (1, 2, 3, [1])]:
        x, h0 = ctx.rng.normal(size=(1, T, D)), ctx.rng.normal(0, 0.8, (1, H))
        _, _, cache = rnn_forward(x, h0, rnn_params(ctx.rng, D, H))
        cases.append(Case(f"N=1, T={T}, D={D}, H={H}, ks={ks}", (cache, ks)))
    return grade_outputs(ctx, (Output("norms", "(len(ks),)"),), cases, torch_grad_norms,
                         V.hidden_grad_norms, V.NORMS)


def _non_normal(rng, H, rho, sigma):
    """An upper-triangular W with spectral radius ``rho`` and largest singular value >= ``sigma``."""
    W = np.triu(rng.normal(size=(H, H)), 1)
    W = W / np.linalg.norm(W, 2) * sigma + rho * np.eye(H)
    return W


@question("vanishing_condition", points=2, chapter=CHAPTER,
          signature="vanishing_condition(W_hh, nonlinearity)", arg_names=("W_hh", "nonlinearity"))
def _vanishing_condition(ctx):
    rng = ctx.rng
    cases = [Case("tanh, spectral radius < 1 < largest singular value", (_non_normal(rng, 5, 0.6, 1.5), "tanh")),
             Case("sigmoid, largest singular value 2.5", (_non_normal(rng, 4, 0.5, 2.0), "sigmoid")),
             Case("tanh, W_hh = identity (sigma_max exactly 1)", (np.eye(3), "tanh")),
             Case("tanh, small weights", (rng.normal(0, 0.1, (3, 3)), "tanh")),
             Case("sigmoid, large weights", (rng.normal(0, 3.0, (4, 4)), "sigmoid"))]
    outputs = (Output("sigma_max", "float"), Output("gamma", "float"), Output("guaranteed", "bool"))
    return grade_outputs(ctx, outputs, cases, V.vanishing_condition, V.vanishing_condition, V.CONDITION)


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
def _scaled_orthogonal(ctx):
    from .harness import diagnose
    from .result import Part

    seed = int(ctx.rng.integers(1 << 30))
    problem = ""
    for H, rho in [(6, 0.9), (1, 1.1), (5, 1.0)]:
        W = ctx.call(H, rho, seed)
        problem = _orthogonality_problem(W, H, rho)
        if problem:
            hint = diagnose(W, [(h, lambda m=m: V.scaled_orthogonal(H, rho, seed, m))
                                for m, h in V.ORTHOGONAL.items() if m != "global_rng"])
            problem += f" (case H={H}, rho={rho})" + (f" Hint: {hint}" if hint else "")
            break
        # ||W^k||_2 = rho^k exactly: the reason this matrix is the chapter's instrument
        if not np.isclose(np.linalg.norm(np.linalg.matrix_power(W, 50), 2), rho ** 50, rtol=1e-6):
            problem = f"||W^50||_2 differs from rho^50 (case H={H}, rho={rho})."
            break
    same = ctx.call(6, 0.9, seed)
    other = ctx.call(6, 0.9, seed + 1)
    seeded = ""
    if not (isinstance(same, np.ndarray) and isinstance(W, np.ndarray) and same.shape == (6, 6)):
        seeded = "not scored until the matrix has the right shape."
    elif not np.array_equal(same, ctx.call(6, 0.9, seed)):
        seeded = V.ORTHOGONAL["global_rng"]
    elif np.array_equal(same, other):
        seeded = "different seeds gave the same matrix: the seed must choose the matrix."
    parts = [Part("rho * orthogonal", 1, not problem, problem), Part("seeded", 1, not seeded, seeded)]
    return parts + [ctx.mutation_part(not problem)]
