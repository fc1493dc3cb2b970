"""The one timing loop of the benchmarks: interleaved repeats, medians, ratios to a baseline."""

import statistics


def print_ratios(name, runs, time_one, *, warmup, repeats, base):
    """Time each run of ``runs`` ({label: arguments of ``time_one``}) ``warmup + repeats`` times,
    interleaved so that every run sees the same machine load, and print each run's median time
    and its ratio to the median of ``runs[base]``."""
    times = {key: [] for key in runs}
    for repeat in range(warmup + repeats):
        for key, arguments in runs.items():
            seconds = time_one(*arguments)
            if repeat >= warmup:
                times[key].append(seconds)
    reference = statistics.median(times[base])
    width = max(map(len, runs))
    for key, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:5s} {key:{width}s} {1e3 * med:8.2f} ms  ratio {med / reference:5.2f}x")
