"""Known-wrong versions of the vanishing-gradient exercises (chapter 3).

For a tanh RNN, h_t = tanh(a_t), the one-step Jacobian is
``dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh`` and ``dh_T/dh_{T-k}`` is the product of the
last ``k`` of them. Pascanu et al. (2013): with gamma bounding |sigma'| (1 for tanh, 1/4
for sigmoid), vanishing is *guaranteed* when the largest singular value of W_hh is
below 1 / gamma.
"""

import numpy as np

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
