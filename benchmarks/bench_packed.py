"""Packed against padded: forward + backward of rnnlearn.torch.{LSTM, GRU, RNN} and torch.nn on a
batch of variable lengths, as a PackedSequence and as a tensor padded to the longest sequence.

Usage::

    python benchmarks/bench_packed.py [--T 100] [--N 64] [--D 32] [--H 128] [--min-len 10]
                                      [--repeats 15] [--bidirectional] [--threads K]

Lengths are drawn uniformly from [min_len, T] (seed 0), so about (T + min_len) / (2 T) of the
padded grid is real. Each repeat times every variant once, interleaved, so load from other
processes hits all alike; medians are printed with their ratio to torch.nn on the padded
batch. The packed run of rnnlearn does no work at padded positions: one call of the fused
recurrence per stretch of time with the same number of running sequences (``packed.py``).
"""

from __future__ import annotations

import argparse
import time

import torch
from _ratios import print_ratios
from torch.nn.utils.rnn import pack_padded_sequence

import rnnlearn.torch as rt


def time_step(model, x):
    """Seconds for one forward + backward (loss = sum of the outputs and of h_n)."""
    model.zero_grad(set_to_none=True)
    start = time.perf_counter()
    output, state = model(x)
    h_n = state[0] if isinstance(state, tuple) else state
    data = output.data if isinstance(output, torch.nn.utils.rnn.PackedSequence) else output
    (data.sum() + h_n.sum()).backward()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("T", 100), ("N", 64), ("D", 32), ("H", 128), ("min-len", 10), ("repeats", 15),
                          ("warmup", 3), ("threads", 1)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--bidirectional", action="store_true")
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    gen = torch.Generator().manual_seed(0)
    lengths = torch.randint(args.min_len, args.T + 1, (args.N,), generator=gen)
    lengths[0] = args.T
    x = torch.randn(args.T, args.N, args.D, generator=gen)
    packed = pack_padded_sequence(x, lengths, enforce_sorted=False)
    real = lengths.sum().item() / (args.T * args.N)
    print(f"threads={torch.get_num_threads()} torch={torch.__version__} T={args.T} N={args.N} D={args.D} "
          f"H={args.H} bidirectional={args.bidirectional} lengths U[{args.min_len}, {args.T}] ({real:.0%} real) "
          f"float32, median of {args.repeats}")
    for name in ("LSTM", "GRU", "RNN"):
        ref = getattr(torch.nn, name)(args.D, args.H, bidirectional=args.bidirectional)
        ours = getattr(rt, name)(args.D, args.H, bidirectional=args.bidirectional)
        ours.load_state_dict(ref.state_dict())
        runs = {"torch.nn padded": (ref, x), "torch.nn packed": (ref, packed),
                "rnnlearn padded": (ours, x), "rnnlearn packed": (ours, packed)}
        print_ratios(name, runs, time_step, warmup=args.warmup, repeats=args.repeats, base="torch.nn padded")

if __name__ == "__main__":
    main()
