"""Teacher-forcing probability schedules for scheduled sampling (Bengio et al. 2015, Sec. 2.4).

The public name the book and the exercises use. The code lives in
``rnnlearn.torch.schedules``, next to the sequence-to-sequence decoder
(``rnnlearn.torch.seq2seq``) whose ``schedule`` hook takes them; this module re-exports
the same three functions.
"""

from .torch.schedules import exponential_decay, inverse_sigmoid_decay, linear_decay

__all__ = ["linear_decay", "exponential_decay", "inverse_sigmoid_decay"]
