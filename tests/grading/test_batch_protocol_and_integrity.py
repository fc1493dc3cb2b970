"""The batch grader: the kernel boundary carries no pickles; static detection of the reference."""

import numpy as np

from rnnlearn.grading.batch import integrity, protocol
from rnnlearn.numpy import random_params, rnn_step_forward


def test_wire_round_trip_and_namedtuple_caches(tmp_path):
    rng = np.random.default_rng(0)
    params = random_params("rnn", 2, 3, rng=rng)
    _, cache = rnn_step_forward(rng.normal(size=(1, 2)), rng.normal(size=(1, 3)), params)
    value = {"cache": cache, "k": 3, "r": 0.5, "s": "x", "n": None, "t": (np.float64(2.0), [True])}
    protocol.dump(value, str(tmp_path / "v"))
    plain = protocol.load(str(tmp_path / "v"))
    assert type(plain["cache"]) is tuple and np.array_equal(plain["cache"][0], cache.x)
    assert plain["k"] == 3 and plain["t"][0] == 2.0 and plain["n"] is None
    from rnnlearn.grading.batch.in_kernel import resolve  # noqa: F401  (module is plain source)


def test_objects_that_would_need_a_pickle_arrive_opaque(tmp_path):
    protocol.dump({"v": np.array([object()], dtype=object), "f": print}, str(tmp_path / "o"))
    out = protocol.load(str(tmp_path / "o"))
    assert isinstance(out["v"], protocol.Opaque) and isinstance(out["f"], protocol.Opaque)


def test_static_scan_flags_imports_aliases_and_wrappers_only():
    ids = ["rnn_step_forward", "rnn_forward", "rnn_backward", "rnn_step_backward"]
    flags, notes = integrity.scan([
        "from rnnlearn.numpy import random_params, rnn_step_forward\nimport rnnlearn.numpy as rn\nimport importlib",
        "def rnn_forward(x, h0, p):\n    return rn.rnn_forward(x, h0, p)",
        "from rnnlearn.numpy import rnn_backward\ndef rnn_backward(dh, c, dh_T=None):\n    return 1",
        "from rnnlearn.numpy import rnn_step_backward as ref\n"
        "def rnn_step_backward(dh, c):\n    return ref(dh, c)",
        "m = importlib.import_module('rnnlearn.numpy')\n%timeit 1",
    ], ids)
    assert set(flags) == {"rnn_step_forward", "rnn_forward", "rnn_step_backward"}
    assert notes and "dynamic import" in notes[0]


def test_tuple_subclasses_travel_as_tuples(tmp_path):
    import torch

    protocol.dump({"v": (torch.Size([2, 3]), [1])}, str(tmp_path / "s"))
    assert protocol.load(str(tmp_path / "s"))["v"] == ((2, 3), [1])


def test_replies_are_untrusted_input(tmp_path):
    import json
    import os

    import pytest

    stem = str(tmp_path / "r")
    protocol.dump({"v": 1}, stem)
    os.remove(stem + ".json")
    os.mkfifo(stem + ".json")  # a FIFO would block a plain open() forever
    with pytest.raises(ValueError, match="not a regular file"):
        protocol.load(stem)
    os.remove(stem + ".json")
    os.symlink(tmp_path / "elsewhere.json", stem + ".json")
    with pytest.raises(OSError):  # links are not followed
        protocol.load(stem)
    os.remove(stem + ".json")
    (tmp_path / "r.json").write_text('{"v": ' + "[" * 100_000 + "]" * 100_000 + "}")
    with pytest.raises(ValueError, match="nested too deeply"):
        protocol.load(stem)
    deep = {"k": "atom", "v": 1}
    for _ in range(protocol.MAX_DEPTH + 1):
        deep = {"k": "list", "items": [deep]}
    (tmp_path / "r.json").write_text(json.dumps({"v": deep}))
    with pytest.raises(ValueError, match="nested deeper"):
        protocol.load(stem)
    (tmp_path / "r.json").write_text(json.dumps({"v": {"k": "dict", "items": [[1]]}}))
    with pytest.raises(ValueError, match="malformed"):
        protocol.load(stem)


def test_a_compressed_array_larger_than_the_limit_is_never_inflated(tmp_path, monkeypatch):
    import pytest

    monkeypatch.setattr(protocol, "MAX_ARRAY_BYTES", 1_000_000)
    np.savez_compressed(tmp_path / "b.npz", a0=np.zeros(200_000))  # 1.6 MB of zeros, a few kB on disk
    (tmp_path / "b.json").write_text('{"v": {"k": "array", "ref": "a0"}}')
    assert (tmp_path / "b.npz").stat().st_size < 10_000
    with pytest.raises(ValueError, match="exceed"):
        protocol.load(str(tmp_path / "b"))
