"""Forward+backward time of rnnlearn.numpy's LSTM next to torch.nn.LSTM, same run.

N=32, T=50, D=16, H=64, float64, CPU. Reports medians over repeats and the ratio
(NumPy / torch). The two are timed in alternation, so load on a shared machine hits
both alike; still, read the ratio, not the milliseconds. Also checks that both give the
same gradients, so the two sides time the same computation.

    python benchmarks/bench_numpy_lstm.py [--repeats 11] [--threads 1]

``--threads`` sets both OpenBLAS (NumPy) and torch to that many threads (default 1:
with tiny matrices and a busy 2-core machine, multithreaded BLAS mostly spins).
"""

import argparse
import os
import time

N, T, D, H = 32, 50, 16, 64


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=11)
    parser.add_argument("--threads", type=int, default=1)
    return parser.parse_args()


def main():
    args = parse_args()
    # must be set before NumPy loads OpenBLAS
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = str(args.threads)
    import numpy as np
    import torch

    import rnnlearn.numpy as rn
    torch.set_num_threads(args.threads)

    rng = np.random.default_rng(0)
    net = torch.nn.LSTM(D, H, batch_first=True).double()
    params = {k.removesuffix("_l0"): v.detach().numpy().copy()
              for k, v in net.named_parameters()}
    x, h0, c0 = rng.normal(size=(N, T, D)), np.zeros((N, H)), np.zeros((N, H))
    dh_seq = rng.normal(size=(N, T, H))

    def numpy_step():
        _, _, _, cache = rn.lstm_forward(x, h0, c0, params)
        return rn.lstm_backward(dh_seq, cache)

    xt, dt = torch.tensor(x, requires_grad=True), torch.tensor(dh_seq)
    hx = (torch.tensor(h0)[None], torch.tensor(c0)[None])

    def torch_step():
        net.zero_grad()
        xt.grad = None
        out, _ = net(xt, hx)
        (out * dt).sum().backward()

    dx, _, _, grads = numpy_step()
    torch_step()
    worst = max(rn.rel_error(dx, xt.grad.numpy()),
                *(rn.rel_error(grads[k.removesuffix("_l0")], p.grad.numpy())
                  for k, p in net.named_parameters()))

    times = {numpy_step: [], torch_step: []}
    for _ in range(args.repeats):
        for fn, record in times.items():
            start = time.perf_counter()
            fn()
            record.append(time.perf_counter() - start)
    t_np, t_torch = (float(np.median(times[f])) for f in (numpy_step, torch_step))
    print(f"LSTM forward+backward, N={N} T={T} D={D} H={H}, float64, "
          f"threads={args.threads}, median of {args.repeats}")
    print(f"  rnnlearn.numpy : {t_np * 1e3:8.2f} ms")
    print(f"  torch.nn.LSTM  : {t_torch * 1e3:8.2f} ms")
    print(f"  ratio numpy/torch: {t_np / t_torch:.2f}x")
    print(f"  worst rel_error of gradients (dx, params): {worst:.2e}")


if __name__ == "__main__":
    main()
