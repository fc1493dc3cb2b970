"""Forward + backward time of rnnlearn.torch.{RNN, LSTM, GRU} against torch.nn, in the same run,
and of rnnlearn.torch.LayerNormLSTM against torch.nn.LSTM (torch.nn has no layer-normalised LSTM).

Usage (chapter 6's layer-norm language model: ``--T 32 --N 16 --D 32 --H 64 --threads 1``)::

    python benchmarks/bench_torch_rnn.py [--T 100] [--N 64] [--D 32] [--H 128] [--repeats 15]
                                         [--reference] [--threads K]

Each repeat times one forward and backward of every model, interleaved (ours, torch,
ours, torch, ...), so load from other processes on a shared machine hits both alike; the
ratio of the medians is printed. ``--reference`` also times the autograd-through-the-loop
path (``fused=False``). Uses CUDA when present (then times with synchronisation).

On a shared, loaded machine prefer ``--threads 1``: with 2 OpenMP threads competing with
other processes, single timings of both sides swung by 10x and the ratios with them.
"""

from __future__ import annotations

import argparse
import time

import torch
from _ratios import print_ratios

import rnnlearn.torch as rt


def time_step(model, x, device):
    """Seconds for one forward + backward of ``model`` on ``x`` (loss = sum of outputs and states)."""
    model.zero_grad(set_to_none=True)
    if device.type == "cuda":
        torch.cuda.synchronize()
    start = time.perf_counter()
    output, state = model(x)
    h_n = state[0] if isinstance(state, tuple) else state
    (output.sum() + h_n.sum()).backward()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name, default in (("T", 100), ("N", 64), ("D", 32), ("H", 128), ("repeats", 15), ("warmup", 3)):
        parser.add_argument(f"--{name}", type=int, default=default)
    parser.add_argument("--threads", type=int, default=0, help="torch.set_num_threads (0: leave as is)")
    parser.add_argument("--reference", action="store_true", help="also time the autograd reference path")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    torch.manual_seed(0)
    x = torch.randn(args.T, args.N, args.D, device=device)
    print(f"device={device} threads={torch.get_num_threads()} torch={torch.__version__} "
          f"T={args.T} N={args.N} D={args.D} H={args.H} float32, median of {args.repeats}")
    for name in ("LSTM", "GRU", "RNN"):
        ref = getattr(torch.nn, name)(args.D, args.H).to(device)
        models = {"torch.nn": ref, "rnnlearn": getattr(rt, name)(args.D, args.H).to(device)}
        if args.reference:
            models["rnnlearn fused=False"] = getattr(rt, name)(args.D, args.H, fused=False).to(device)
        for m in models.values():
            m.load_state_dict(ref.state_dict())
        runs = {key: (m, x, device) for key, m in models.items()}
        print_ratios(name, runs, time_step, warmup=args.warmup, repeats=args.repeats, base="torch.nn")
    ref = torch.nn.LSTM(args.D, args.H).to(device)
    models = {"torch.nn.LSTM": ref, "rnnlearn": rt.LayerNormLSTM(args.D, args.H).to(device)}
    if args.reference:
        models["rnnlearn fused=False"] = rt.LayerNormLSTM(args.D, args.H, fused=False).to(device)
    for m in list(models.values())[1:]:
        m.cell.load_state_dict({k.removesuffix("_l0"): v for k, v in ref.state_dict().items()}, strict=False)
    runs = {key: (m, x, device) for key, m in models.items()}
    print_ratios("LNLSTM", runs, time_step, warmup=args.warmup, repeats=args.repeats, base="torch.nn.LSTM")

if __name__ == "__main__":
    main()
