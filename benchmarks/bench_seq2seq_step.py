"""Cost of one decoder step with and without attention, and of a whole training update.

N=128 sequences, S=30 source tokens (``--N``, ``--S``; chapter 7's reversal runs are N=64,
S=8), H=64, embeddings 32, float32, one thread. Three ways
to take a decoder step, timed in alternation (so load on a shared machine hits all alike;
read the ratios, not the milliseconds):

- ``attention, per-step work``: ``AttentionDecoder.forward``, which checks its arguments
  and projects every key at every call (what ``Seq2Seq`` did at every step before the
  keys were projected once per batch);
- ``attention, keys projected once``: ``AttentionDecoder.step`` with ``memory`` computed
  once, as ``Seq2Seq`` now does;
- ``plain``: ``PlainDecoder.step`` (no attention).

Then one training update (teacher-forced forward, backward, Adam) of ``Seq2Seq`` with
each decoder on T=30 targets: attention through ``AttentionGRUFunction`` (the default, the
loop without autograd and its backward written out), attention through the autograd step
loop (``fused=False``, what every update did before), and plain.

    python benchmarks/bench_seq2seq_step.py [--repeats 7] [--N 128] [--S 30]
"""

import argparse
import time

H, E, V = 64, 32, 14


def median_time(fn, repeats, inner):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        for _ in range(inner):
            fn()
        times.append((time.perf_counter() - start) / inner)
    return sorted(times)[len(times) // 2]


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--N", type=int, default=128)
    parser.add_argument("--S", type=int, default=30)
    args = parser.parse_args()
    N, S = args.N, args.S
    import torch

    import rnnlearn.torch as rt
    torch.set_num_threads(1)
    torch.manual_seed(0)
    attn, plain = rt.AttentionDecoder(V, E, H, H), rt.PlainDecoder(V, E, H, H)
    y, state = torch.randint(3, V, (N,)), torch.randn(N, H)
    keys, mask = torch.randn(N, S, H), torch.ones(N, S, dtype=torch.bool)
    memory_attn, memory_plain = attn.memory(keys, mask), plain.memory(keys, mask)
    with torch.no_grad():
        steps = {
            "attention, per-step work": lambda: attn(y, state, keys, mask),
            "attention, keys projected once": lambda: attn.step(y, state, keys, mask, memory_attn),
            "plain": lambda: plain.step(y, state, keys, mask, memory_plain),
        }
        step_ms = {name: 1e3 * median_time(fn, args.repeats, 200) for name, fn in steps.items()}
    for name, ms in step_ms.items():
        print(f"decoder step, {name:32s} {ms:.3f} ms   x{ms / step_ms['plain']:.2f} of plain")

    src, tgt = torch.randint(3, V, (N, S)), torch.randint(3, V, (N, S))
    tgt_in = torch.cat([torch.full((N, 1), 1), tgt[:, :-1]], 1)
    update_ms = {}
    decoders = {"attention, fused": rt.AttentionDecoder(V, E, H, H),
                "attention, autograd loop": rt.AttentionDecoder(V, E, H, H, fused=False),
                "plain": rt.PlainDecoder(V, E, H, H)}
    for name, decoder in decoders.items():
        model = rt.Seq2Seq(rt.Encoder(V, E, H), decoder)
        opt = torch.optim.Adam(model.parameters(), 3e-3)

        def update(model=model, opt=opt):
            loss = model.loss(model(src, tgt_in), tgt)
            opt.zero_grad()
            loss.backward()
            opt.step()

        update_ms[name] = 1e3 * median_time(update, args.repeats, 3)
    for name, ms in update_ms.items():
        print(f"training update (T = {S}), {name:24s} {ms:7.1f} ms   x{ms / update_ms['plain']:.2f} of plain")


if __name__ == "__main__":
    main()
