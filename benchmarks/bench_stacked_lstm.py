"""M small LSTMs in one pass (rnnlearn.torch.stacked.StackedLSTM) against M torch.nn.LSTM runs, same run.

Usage::

    python benchmarks/bench_stacked_lstm.py [--M 12] [--T 50] [--N 64] [--D 2] [--H 32] [--repeats 15]
                                            [--threads 1]

One repeat times a forward and backward of all M models both ways, interleaved (stack,
M x torch.nn.LSTM, stack, ...), so load from other processes hits both alike; the ratio
of the medians is printed. The default sizes are chapter 4's adding-problem LSTM; its
ablation is ``--M 15 --T 20 --N 32 --H 16``. Also times the variant stack (no
forget gate, no output gate, coupled, mixed) and M ``VariantLSTM`` runs (autograd through
a Python step loop) for comparison. CPU only. Times are CPU seconds of this process
(``time.process_time``), which a loaded shared machine inflates far less than wall time.

Measured on the course's shared 2-core machine (load about 2, one thread, torch 2.13 CPU),
CPU time per forward + backward of all M models:

- M=12 T=50 N=64 D=2 H=32 (chapter 4's adding-problem LSTM): 12 x torch.nn.LSTM 87 ms;
  StackedLSTM 213 ms (2.45x); with four variants 222 ms (2.56x); 12 x VariantLSTM 360 ms (4.1x).
- M=12 T=50 N=32 H=16: 41 ms; 61 ms (1.5x); 63 ms (1.5x); 287 ms (7.1x).
- M=15 T=20 N=32 H=16 (chapter 4's ablation): 26 ms; 27 ms (1.01x); 26 ms (0.97x); 163 ms (6.2x).

So the stack runs variants about as fast as torch.nn.LSTM runs the plain cell at the
ablation's size (6x faster than VariantLSTM's Python loop), and loses to torch.nn.LSTM's
C++ loop for plain LSTMs as the models grow: it is the fast path for variants.
"""

from __future__ import annotations

import argparse
import statistics
import time

import torch

from rnnlearn.torch.lstm_variants import VariantLSTM
from rnnlearn.torch.stacked import StackedLSTM


def seconds(step):
    start = time.process_time()
    step()
    return time.process_time() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("M", 12), ("T", 50), ("N", 64), ("D", 2), ("H", 32), ("repeats", 15), ("warmup", 3),
                          ("threads", 1)):
        parser.add_argument(f"--{name}", type=int, default=default)
    args = parser.parse_args()
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    M = args.M
    x = torch.randn(M, args.N, args.T, args.D)  # a different batch for every model
    refs = [torch.nn.LSTM(args.D, args.H, batch_first=True) for _ in range(M)]
    plain = StackedLSTM(M, args.D, args.H).load_models(refs)
    kinds = [dict(), dict(forget_gate=False), dict(output_gate=False), dict(coupled=True)]
    kinds = [kinds[m % 4] for m in range(M)]
    options = {k: [o.get(k, k != "coupled") for o in kinds] for k in ("forget_gate", "output_gate", "coupled")}
    mixed = StackedLSTM(M, args.D, args.H, **options)
    variants = [VariantLSTM(args.D, args.H, **o) for o in kinds]

    def loss_of(out, state):
        return out.sum() + state[0].sum()

    steps = {
        f"{M} x torch.nn.LSTM": lambda: sum(loss_of(*r(x[m])) for m, r in enumerate(refs)).backward(),
        "StackedLSTM, plain": lambda: loss_of(*plain(x)).backward(),
        "StackedLSTM, 4 variants": lambda: loss_of(*mixed(x)).backward(),
        f"{M} x VariantLSTM": lambda: sum(loss_of(*v(x[m])) for m, v in enumerate(variants)).backward(),
    }
    times = {key: [] for key in steps}
    for repeat in range(args.warmup + args.repeats):
        for key, step in steps.items():
            t = seconds(step)
            if repeat >= args.warmup:
                times[key].append(t)
    print(f"threads={torch.get_num_threads()} torch={torch.__version__} M={M} T={args.T} N={args.N} D={args.D} "
          f"H={args.H} float32, forward + backward of all M models, median of {args.repeats}")
    base = statistics.median(times[f"{M} x torch.nn.LSTM"])
    for key, ts in times.items():
        med = statistics.median(ts)
        print(f"{key:26s} {1e3 * med:8.2f} ms  ratio to torch.nn {med / base:5.2f}x")


if __name__ == "__main__":
    main()
