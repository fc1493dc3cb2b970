"""One error dialect across rnnlearn.numpy, rnnlearn.torch and rnnlearn.data.

Every bad call below must raise ``rnnlearn.errors.InputError`` (a ``ValueError``) whose
message reads ``{function}: argument {name}: expected {expected}; got {got}.``, then for a
size another argument fixed ``{L} = {n} was fixed by {source}.``, then an optional
``Hint: ...``. The table pins, per call, the function, the argument(s), a piece of the
expected part, a piece of the got part, and for a size disagreement the letter, its size
and the other argument that fixed it.
"""

import ast
import datetime
import pathlib
import pickle
import subprocess
import sys
from typing import Callable, NamedTuple

import numpy as np
import pytest
import torch

import rnnlearn.data as rd
import rnnlearn.numpy as rn
import rnnlearn.torch as rt
from rnnlearn.errors import InputError, argument, input_error

ROOT = pathlib.Path(__file__).resolve().parents[1]
rng = np.random.default_rng(0)
N, T, D, H = 4, 3, 5, 8


class Case(NamedTuple):
    call: Callable
    function: str
    arguments: tuple
    expected: str                 # a piece of the expected part
    got: str                      # a piece of the got part
    fixed: tuple = ()             # (letter, size, piece of the source) per size another argument fixed


# numpy inputs
x2, h, x3 = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, T, D))
P_rnn6 = rn.random_params("rnn", D, 6, rng=rng)          # H = 6, disagrees with h (H = 8)
P_lstm = rn.random_params("lstm", D, H, rng=rng)
_, _, rnn_cache = rn.rnn_forward(x3, h, rn.random_params("rnn", D, H, rng=rng))
PA = {"query_proj.weight": rng.normal(size=(3, H)), "key_proj.weight": rng.normal(size=(3, D)),
      "v.weight": rng.normal(size=(1, 3))}

NUMPY = [
    # the issue's example: h_prev fixes H = 8, params['weight_ih'] has 6 rows
    Case(lambda: rn.rnn_step_forward(x2, h, P_rnn6), "rnn_step_forward", ("params['weight_ih']",),
         "shape (H, D) = (8, 5)", "shape (6, 5)", (("H", 8, "argument 'h_prev' (shape (4, 8))"),)),
    Case(lambda: rn.rnn_step_forward(x2, h[:2], P_rnn6), "rnn_step_forward", ("h_prev",),
         "shape (N, H) = (4, ?)", "shape (2, 8)", (("N", 4, "argument 'x' (shape (4, 5))"),)),
    Case(lambda: rn.rnn_step_forward(x2.tolist(), h, P_rnn6), "rnn_step_forward", ("x",),
         "a NumPy array of shape (N, D)", "list"),
    Case(lambda: rn.rnn_step_forward(x2.astype(int), h, P_rnn6), "rnn_step_forward", ("x",),
         "a floating dtype", "dtype int64"),
    Case(lambda: rn.lstm_step_forward(x2, h, h[:, :3], P_lstm), "lstm_step_forward", ("c_prev",),
         "shape (N, H) = (4, 8)", "shape (4, 3)", (("H", 8, "argument 'h_prev'"),)),
    Case(lambda: rn.lstm_forward(x3, h, h, {**P_lstm, "weight_hh": P_lstm["weight_hh"][:24]}), "lstm_forward",
         ("params['weight_hh']",), "shape (4H, H) = (32, 8)", "shape (24, 8)", (("H", 8, "argument 'h0'"),)),
    Case(lambda: rn.lstm_step_forward(x2, h, h, {"weight_ih_l0": 1}), "lstm_step_forward", ("params",),
         "keys ['weight_ih', 'weight_hh', 'bias_ih', 'bias_hh']", "missing"),
    Case(lambda: rn.rnn_backward(np.zeros((N, T, 7)), rnn_cache), "rnn_backward", ("dh_seq",),
         "shape (N, T, H) = (4, 3, 8)", "shape (4, 3, 7)", (("H", 8, "argument 'cache'"),)),
    Case(lambda: rn.rnn_backward(np.zeros((N, T, H)), (1, 2)), "rnn_backward", ("cache",),
         "the RNNCache returned by", "tuple"),
    Case(lambda: rn.additive_attention_forward(x2[:, :3], x3, None, PA), "additive_attention_forward",
         ("params['query_proj.weight']",), "shape (A, Hq) = (?, 3)", "shape (3, 8)",
         (("Hq", 3, "argument 'query' (shape (4, 3))"),)),
    Case(lambda: rn.additive_attention_forward(h, x3, np.ones((N, T + 1), bool), PA),
         "additive_attention_forward", ("mask",), "shape (N, S) = (4, 3)", "shape (4, 4)",
         (("S", 3, "argument 'keys' (shape (4, 3, 5))"),)),
    Case(lambda: rn.softmax_cross_entropy(x3, np.full((N, T), D)), "softmax_cross_entropy", ("targets",),
         "ids in [0, V) = [0, 5)", "values from 5 to 5", (("V", 5, "argument 'logits'"),)),
    Case(lambda: rn.sgd_step({"w": x2}, {"w": h}, 0.1), "sgd_step", ("grads['w']",),
         "the shape of params['w'], shape (4, 5)", "shape (4, 8)"),
    Case(lambda: rn.clip_grad_norm({"w": x2}, 0), "clip_grad_norm", ("max_norm",),
         "a finite positive number", "0"),
    Case(lambda: rn.rel_error(x2, h), "rel_error", ("a", "b"), "the same shape", "shapes (4, 5) and (4, 8)"),
    Case(lambda: rn.random_params("transformer", D, H, rng=rng), "random_params", ("cell",),
         "one of ['gru', 'lstm', 'rnn']", "'transformer'"),
]

TORCH = [
    Case(lambda: rt.LSTM(4, 3, batch_first=True)(torch.randn(2, 7, 5)), "LSTM.forward", ("x",),
         "shape (N, T, D) or unbatched (T, D), with D = 4", "shape (2, 7, 5)",
         (("D", 4, "the constructor's input_size"),)),
    Case(lambda: rt.GRU(4, 3, num_layers=2, batch_first=True)(torch.randn(5, 7, 4), torch.zeros(5, 2, 3)),
         "GRU.forward", ("hx",), "(num_layers * num_directions, N, H) = (2, 5, 3)", "shape (5, 2, 3)",
         (("num_layers * num_directions", 2, "the constructor's num_layers=2"),
          ("N", 5, "argument 'x' (shape (5, 7, 4))"))),
    Case(lambda: rt.RNN(4, 3)(torch.randn(7, 2, 4), torch.zeros(1, 2, 6)), "RNN.forward", ("hx",),
         "= (1, 2, 3)", "shape (1, 2, 6)", (("H", 3, "the constructor's hidden_size"),)),
    Case(lambda: rt.LSTM(4, 3)(torch.randn(7, 2, 4), torch.zeros(1, 2, 3)), "LSTM.forward", ("hx",),
         "a tuple (h_0, c_0)", "Tensor"),
    Case(lambda: rt.LSTMCell(4, 3)(torch.randn(2, 4), (torch.zeros(2, 3), torch.zeros(5, 3))),
         "LSTMCell.forward", ("hx[1]",), "shape (N, H) = (2, 3)", "shape (5, 3)",
         (("N", 2, "argument 'x' (shape (2, 4))"),)),
    Case(lambda: rt.GRUCell(4, 3)(torch.randn(2, 6)), "GRUCell.forward", ("x",),
         "shape (N, D) = (?, 4) or (D,)", "shape (2, 6)", (("D", 4, "the constructor's input_size"),)),
    Case(lambda: rt.RNNCell(4, 3)([1.0] * 4), "RNNCell.forward", ("x",), "a torch.Tensor of shape (N, D)", "list"),
    Case(lambda: rt.AdditiveAttention(4, 6, 5)(torch.randn(2, 4), torch.randn(3, 5, 6)),
         "AdditiveAttention.forward", ("keys",), "shape (N, S, Hk) = (2, ?, 6)", "shape (3, 5, 6)",
         (("N", 2, "argument 'query' (shape (2, 4))"),)),
    Case(lambda: rt.DotAttention()(torch.randn(2, 4), torch.randn(2, 5, 6)), "DotAttention.forward", ("keys",),
         "shape (N, S, Hk) = (2, ?, 4)", "shape (2, 5, 6)", (("Hk", 4, "argument 'query' (shape (2, 4))"),)),
    Case(lambda: rt.GeneralAttention(4, 6)(torch.randn(2, 4), torch.randn(2, 5, 6), torch.ones(2, 5)),
         "GeneralAttention.forward", ("mask",), "a bool tensor", "dtype torch.float32"),
    Case(lambda: rt.AdditiveAttention(4, 6, 5)(torch.randn(2, 4), torch.randn(2, 5, 6),
                                               torch.ones(2, 4, dtype=torch.bool)),
         "AdditiveAttention.forward", ("mask",), "shape (N, S) = (2, 5)", "shape (2, 4)",
         (("(N, S)", "(2, 5)", "argument 'keys' (shape (2, 5, 6))"),)),
    Case(lambda: rt.RNN(3, 4, nonlinearity="sigmoid"), "RNN", ("nonlinearity",), "'tanh' or 'relu'",
         "'sigmoid'"),
    Case(lambda: rt.GRU(3, 4, num_layers=2, dropout=1.5), "GRU", ("dropout",), "a probability in [0, 1]", "1.5"),
    Case(lambda: rt.AttentionDecoder(9, 4, 8, 6, attention="dot"), "AttentionDecoder", ("hidden_size", "key_size"),
         "hidden_size == key_size", "hidden_size=8, key_size=6"),
    Case(lambda: rt.Seq2Seq(rt.Encoder(9, 4, 8), rt.AttentionDecoder(9, 4, 8, 8))(
        torch.ones(2, 3, dtype=torch.long), torch.ones(3, 4, dtype=torch.long)),
         "Seq2Seq.forward", ("tgt_in",), "shape (N, T) = (2, ?)", "shape (3, 4)",
         (("N", 2, "argument 'src' (shape (2, 3))"),)),
    Case(lambda: rt.Seq2Seq(rt.Encoder(9, 4, 8), rt.AttentionDecoder(9, 4, 8, 8))(
        torch.ones(2, 3), torch.ones(2, 4, dtype=torch.long)),
         "Seq2Seq.forward", ("src",), "dtype torch.long", "dtype torch.float32"),
]

DATA = [
    Case(lambda: rd.adding_problem(5, 1, seed=0), "adding_problem", ("T",), "an integer >= 2", "1"),
    Case(lambda: rd.adding_problem(5, 10.0, seed=0), "adding_problem", ("T",), "an integer >= 2",
         "10.0 of type float"),
    Case(lambda: rd.copy_task(5, min_len=6, max_len=5, seed=0), "copy_task", ("max_len",),
         "an integer >= min_len = 6", "5"),
    Case(lambda: rd.delayed_recall(5, 3, delay=3, seed=0), "delayed_recall", ("T",),
         "an integer >= delay + 1 = 4", "3"),
    Case(lambda: rd.reversal_task(5, n_symbols=11, seed=0), "reversal_task", ("n_symbols",),
         "an integer from 2 to 10", "11"),
    Case(lambda: rd.noisy_sine(5, 10, min_period=8.0, max_period=4.0, seed=0), "noisy_sine",
         ("min_period", "max_period"), "0 < min_period <= max_period", "min_period=8.0, max_period=4.0"),
    Case(lambda: rd.date_normalisation(3, start=datetime.date(2000, 1, 1), end=datetime.date(1999, 1, 1), seed=0),
         "date_normalisation", ("start", "end"), "start <= end", "start=2000-01-01"),
    Case(lambda: rd.Vocab("ab", specials=()).encode("abz"), "Vocab.encode", ("tokens",),
         "tokens in the vocabulary", "'z'"),
    Case(lambda: rd.Vocab("ab").decode([7]), "Vocab.decode", ("ids",), "ids in [0, V)", "id 7"),
    Case(lambda: rd.lengths_to_mask(np.array([[1, 2]])), "lengths_to_mask", ("lengths",),
         "non-negative integers of shape (N,)", "shape (1, 2)"),
    Case(lambda: rd.pad_batch([[1, 2, 3]], pad_index=0, length=2), "pad_batch", ("length", "seqs"),
         "no shorter than the longest sequence", "length=2 and a sequence of 3 tokens"),
    Case(lambda: rd.train_val_split(np.zeros(5), np.zeros(4), seed=0), "train_val_split", ("arrays[1]",),
         "the same length N = 5", "length 4", (("N", 5, "argument arrays[0]"),)),
    Case(lambda: rd.train_val_split(np.zeros(5), val_fraction=1.0, seed=0), "train_val_split",
         ("val_fraction",), "a number in the open interval (0.0, 1.0)", "1.0"),
    Case(lambda: rd.char_stream(np.zeros((2, 3), int), 2), "char_stream", ("ids",), "shape (L,)", "shape (2, 3)"),
    Case(lambda: rd.char_stream(np.arange(5), 3), "char_stream", ("ids", "batch_size"),
         "L >= 2 * batch_size = 6", "L = 5 ids for batch_size=3"),
    Case(lambda: rd.bigram_cross_entropy(np.array([0, 5]), np.array([0, 1]), vocab_size=3), "bigram_cross_entropy",
         ("train_ids",), "ids in [0, V) = [0, 3)", "ids from 0 to 5", (("V", 3, "argument 'vocab_size'"),)),
]

CASES = [pytest.param(c, id=f"numpy-{c.function}-{'-'.join(c.arguments)}") for c in NUMPY] \
    + [pytest.param(c, id=f"torch-{c.function}-{'-'.join(c.arguments)}") for c in TORCH] \
    + [pytest.param(c, id=f"data-{c.function}-{'-'.join(c.arguments)}") for c in DATA]


@pytest.mark.parametrize("case", CASES)
def test_bad_call_raises_an_input_error_in_the_one_format(case):
    with pytest.raises(InputError) as info:
        case.call()
    err, msg = info.value, str(info.value)
    assert isinstance(err, ValueError)
    # function and argument(s), first, in code spelling
    who = "argument" if len(case.arguments) == 1 else "arguments"
    names = " and ".join(argument(a) for a in case.arguments)
    assert msg.startswith(f"{case.function}: {who} {names}: expected "), msg
    assert (err.function, err.arguments) == (case.function, case.arguments), msg
    # expected and got, in their slots
    assert case.expected in err.expected and case.got in err.got, msg
    assert f": expected {err.expected}; got {err.got}." in msg, msg
    # a size another argument fixed: both arguments named, and which one fixed the size
    assert len(err.fixed) == len(case.fixed), msg
    for (letter, size, source), (e_letter, e_size, e_source) in zip(err.fixed, case.fixed):
        assert (letter, str(size)) == (e_letter, str(e_size)) and e_source in source, msg
        assert f" {letter} = {size} was fixed by {source}." in msg, msg
        assert source not in [f"argument {argument(a)}" for a in case.arguments], msg
    if not case.fixed:
        assert "was fixed by" not in msg, msg
    if err.hint:
        assert msg.endswith(f" Hint: {err.hint}"), msg
    else:
        assert "Hint:" not in msg, msg


def test_the_issue_example_word_for_word():
    """h_prev of width 8 against parameters made for H = 6: both named, h_prev fixed H."""
    with pytest.raises(InputError) as info:
        rn.rnn_step_forward(x2, h, P_rnn6)
    assert str(info.value) == (
        "rnn_step_forward: argument params['weight_ih']: expected shape (H, D) = (8, 5); got shape (6, 5). "
        "H = 8 was fixed by argument 'h_prev' (shape (4, 8)).")


def test_hint_comes_last():
    with pytest.raises(InputError) as info:
        rn.rnn_forward(x3.transpose(1, 0, 2), h, rn.random_params("rnn", D, H, rng=rng))
    msg = str(info.value)
    assert msg.startswith("rnn_forward: argument 'h0': expected shape (N, H) = (3, ?); got shape (4, 8). "
                          "N = 3 was fixed by argument 'x' (shape (3, 4, 5)). Hint: "), msg
    assert "time-major" in info.value.hint


def test_one_exception_type_everywhere():
    from rnnlearn.numpy import _validate
    assert rn.InputError is rt.InputError is rd.InputError is _validate.InputError is InputError
    assert issubclass(InputError, ValueError)
    for module in (rn, rt, rd):
        assert "InputError" in module.__all__


def test_the_error_survives_pickling():
    """The batch grader moves results between processes."""
    err = input_error("f", ("a", "b"), "the same shape", "shapes (1,) and (2,)", fixed=[("N", 1, "argument 'a'")],
                      hint="look.")
    back = pickle.loads(pickle.dumps(err))
    assert type(back) is InputError and str(back) == str(err)
    assert (back.function, back.arguments, back.expected, back.got, back.fixed, back.hint) == \
        (err.function, err.arguments, err.expected, err.got, err.fixed, err.hint)


def test_errors_module_needs_only_the_standard_library():
    code = "import sys, rnnlearn.errors; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    assert not {"numpy", "torch"} & loaded


def _raises(path):
    """(line, source) of every ``raise X(...)`` and ``assert`` in one file."""
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree):
        if isinstance(node, ast.Assert):
            yield node.lineno, "assert"
        if isinstance(node, ast.Raise) and node.exc is not None:
            yield node.lineno, ast.unparse(node.exc)


@pytest.mark.parametrize("package", ["numpy", "torch", "data", "train"])
def test_every_raise_goes_through_the_one_helper(package):
    """No raise ValueError/TypeError by hand, no assert: each bad-input error is built by
    ``input_error`` (or the torch ``shape_error`` that calls it)."""
    helpers = ("input_error(", "shape_error(")
    stray = [f"{path.name}:{line}: {src}" for path in sorted((ROOT / "rnnlearn" / package).glob("*.py"))
             for line, src in _raises(path) if not src.startswith(helpers)]
    assert not stray, "\n".join(stray)
