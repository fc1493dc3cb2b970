"""Helpers shared by the rnnlearn.torch tests (float64 parity against torch.nn)."""

import torch

F64 = torch.float64


def randomize(module, seed, scale=0.5):
    """Fill every parameter, biases included, with N(0, scale^2) from a seeded generator."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_(scale * torch.randn(p.shape, generator=gen, dtype=p.dtype))
    return module


def randn(*shape, seed, requires_grad=True):
    gen = torch.Generator().manual_seed(seed)
    return torch.randn(*shape, generator=gen, dtype=F64).requires_grad_(requires_grad)


def weighted_sum(tensors, seed):
    """A scalar loss with random weights per element, so no gradient is trivially uniform."""
    gen = torch.Generator().manual_seed(seed)
    return sum((t * torch.randn(t.shape, generator=gen, dtype=t.dtype)).sum() for t in tensors)


def assert_close(actual, expected, what, atol=1e-10, rtol=1e-8):
    torch.testing.assert_close(actual, expected, atol=atol, rtol=rtol,
                               msg=lambda m: f"{what}:\n{m}\nours={actual}\ntorch={expected}")
