"""Random parameter dicts for a cell, laid out like the matching ``torch.nn`` cell."""


from ..errors import input_error

GATES = {"rnn": 1, "lstm": 4, "gru": 3}  # row blocks: one; i, f, g, o; r, z, n


def random_params(cell, D, H, *, rng, scale=0.5):
    r"""Random float64 parameters of one cell, every entry drawn from :math:`N(0, \text{scale}^2)`.

    The keys and shapes are those of ``torch.nn.RNNCell`` / ``LSTMCell`` / ``GRUCell``'s
    ``named_parameters()``, biases included (a test with zero biases cannot see a bias bug).

    Parameters
    ----------
    cell : {"rnn", "lstm", "gru"}
        Which cell: one, four (i, f, g, o) or three (r, z, n) row blocks.
    D, H : int
        Input and hidden sizes.
    rng : numpy.random.Generator
        Source of the random numbers (no global RNG).
    scale : float
        Standard deviation of every entry.

    Returns
    -------
    params : dict of str to ndarray
        ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh``.

    Shapes
    ------
    With G = 1, 4 or 3 blocks: ``weight_ih`` (GH, D), ``weight_hh`` (GH, H),
    ``bias_ih`` and ``bias_hh`` (GH,).
    """
    if cell not in GATES:
        raise input_error("random_params", "cell", f"one of {sorted(GATES)}", repr(cell))
    G = GATES[cell] * H
    return {"weight_ih": rng.normal(0, scale, (G, D)), "weight_hh": rng.normal(0, scale, (G, H)),
            "bias_ih": rng.normal(0, scale, G), "bias_hh": rng.normal(0, scale, G)}
