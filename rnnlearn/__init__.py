"""rnnlearn: recurrent neural networks from the equations.

Subpackages
-----------
rnnlearn.numpy      RNN, LSTM, GRU and attention in NumPy with hand-written backward passes.
rnnlearn.torch      PyTorch modules written from the same equations.
rnnlearn.data       Offline, seeded data sets (synthetic tasks and a shipped corpus).
rnnlearn.schedules  Teacher-forcing probability schedules (Bengio et al. 2015); the code
                    lives in rnnlearn.torch.schedules, next to the seq2seq decoder.
rnnlearn.train      A small fit loop with progress bar and history.
rnnlearn.grading    Instant feedback for exercises and the batch grader.
"""

__version__ = "0.1.0"
