"""Bad input: a table of mistakes, each an InputError (a ValueError) that names the argument.

Every message must also start with the function's name and show the shape (or type) that
arrived, in the one format of ``rnnlearn.errors`` (see also ``tests/test_errors.py``).
"""

import numpy as np
import pytest

import rnnlearn.numpy as rn

rng = np.random.default_rng(0)
N, T, D, H = 2, 3, 4, 5


def params(k):
    return {"weight_ih": rng.normal(size=(k * H, D)), "weight_hh": rng.normal(size=(k * H, H)),
            "bias_ih": rng.normal(size=(k * H,)), "bias_hh": rng.normal(size=(k * H,))}


P1 = params(1)
x2, h, x3, hs = rng.normal(size=(N, D)), rng.normal(size=(N, H)), \
    rng.normal(size=(N, T, D)), rng.normal(size=(N, T, H))
P4, P3 = params(4), params(3)
PA = {"query_proj.weight": rng.normal(size=(3, D)), "key_proj.weight": rng.normal(size=(3, D)),
      "v.weight": rng.normal(size=(1, 3))}
_, _, att_cache = rn.additive_attention_forward(x2, x3, None, PA)
_, emb_cache = rn.embedding_forward(np.zeros((N, T), int), {"weight": h})
_, out_cache = rn.output_forward(hs, {"weight": rng.normal(size=(7, H)), "bias": np.zeros(7)})
_, rnn_step_cache = rn.rnn_step_forward(x2, h, P1)
_, _, lstm_step_cache = rn.lstm_step_forward(x2, h, h, P4)
_, _, _, lstm_cache = rn.lstm_forward(x3, h, h, P4)
_, gru_step_cache = rn.gru_step_forward(x2, h, P3)
_, _, gru_cache = rn.gru_forward(x3, h, P3)
_, _, rnn_cache = rn.rnn_forward(x3, h, P1)

# (function, args, argument named in the message, extra text the message must contain)
CASES = [
    (rn.rnn_step_forward, (x3, h, P1), "x", "(N, D)"),
    (rn.rnn_step_forward, (x2, h[:1], P1), "h_prev", "(N, H)"),
    (rn.rnn_step_forward, (x2.astype(int), h, P1), "x", "dtype"),
    (rn.rnn_step_forward, (x2.tolist(), h, P1), "x", "list"),
    (rn.rnn_step_forward, (x2, h, {**P1, "weight_ih": P1["weight_ih"].T}), "params['weight_ih']",
     "transposed"),
    (rn.rnn_step_forward, (x2, h, {k: v for k, v in P1.items() if k != "bias_hh"}), "params",
     "bias_hh"),
    (rn.rnn_step_forward, (x2, h, {f"{k}_l0": v for k, v in P1.items()}), "params", "_l0"),
    (rn.rnn_step_forward, (x2, h, [1, 2]), "params", "dict"),
    (rn.rnn_step_backward, (h[:, :2], rnn_step_cache), "dh_next", "(N, H)"),
    (rn.rnn_step_backward, (h, (1, 2)), "cache", "RNNStepCache"),
    (rn.rnn_forward, (x2, h, P1), "x", "(N, T, D)"),
    (rn.rnn_forward, (x3.transpose(1, 0, 2), h, P1), "h0", "time-major"),
    (rn.rnn_forward, (x3[:, :, :2], h, P1), "params['weight_ih']", "(H, D)"),
    (rn.rnn_backward, (hs[:, :2], rnn_cache), "dh_seq", "(N, T, H)"),
    (rn.rnn_backward, (hs, rnn_cache, h[:1]), "dh_T", "(N, H)"),
    (rn.rnn_backward, (hs, rnn_step_cache), "cache", "RNNCache"),
    (rn.lstm_step_forward, (x2, h, h[:, :3], P4), "c_prev", "(N, H)"),
    (rn.lstm_step_forward, (x2, h, h, P1), "params['weight_ih']", "(4H, D)"),
    (rn.lstm_step_forward, (x2, h, h, {**P4, "weight_ih": P4["weight_ih"].T}),
     "params['weight_ih']", "CS231n"),
    (rn.lstm_step_forward, (x2, h, h, {**P4, "bias_ih": P4["bias_ih"][:, None]}),
     "params['bias_ih']", "(4H,)"),
    (rn.lstm_step_backward, (h, h[:1], lstm_step_cache), "dc_next", "(N, H)"),
    (rn.lstm_step_backward, (h, h, rnn_step_cache), "cache", "LSTMStepCache"),
    (rn.lstm_forward, (x3.transpose(1, 0, 2), h, h, P4), "h0", "transpose(1, 0, 2)"),
    (rn.lstm_forward, (x3, h, h.astype(np.int32), P4), "c0", "dtype"),
    (rn.lstm_backward, (hs, lstm_cache, None, h[:, :1]), "dc_T", "(N, H)"),
    (rn.lstm_backward, (hs[..., :1], lstm_cache), "dh_seq", "(N, T, H)"),
    (rn.gru_step_forward, (x2, h, P4), "params['weight_ih']", "(3H, D)"),
    (rn.gru_step_forward, (x2[None], h, P3), "x", "(N, D)"),
    (rn.gru_step_backward, (h.T, gru_step_cache), "dh_next", "(N, H)"),
    (rn.gru_forward, (x3, h[None], P3), "h0", "(N, H)"),
    (rn.gru_forward, (x3.transpose(1, 0, 2), h, P3), "h0", "time-major"),
    (rn.gru_backward, (hs, gru_cache, h.T), "dh_T", "(N, H)"),
    (rn.gru_backward, (hs, lstm_cache), "cache", "GRUCache"),
    (rn.additive_attention_forward, (x3, x3, None, PA), "query", "(N, Hq)"),
    (rn.additive_attention_forward, (x2, x3[0], None, PA), "keys", "(N, S, Hk)"),
    (rn.additive_attention_forward, (x2, x3, np.ones((N, T)), PA), "mask", "bool"),
    (rn.additive_attention_forward, (x2, x3, np.ones((N, T + 1), bool), PA), "mask", "(N, S)"),
    (rn.additive_attention_forward, (x2, x3, np.zeros((N, T), bool), PA), "mask", "every key"),
    (rn.additive_attention_forward, (x2, x3, None, {**PA, "v.weight": np.ones((7,))}),
     "params['v.weight']", "(1, A)"),
    (rn.additive_attention_forward, (x2, x3, None, {**PA, "key_proj.weight": PA["key_proj.weight"].T}),
     "params['key_proj.weight']", "transposed"),
    (rn.additive_attention_backward, (h, att_cache), "dcontext", "(N, Hk)"),
    (rn.additive_attention_backward, (x2, rnn_cache), "cache", "AttentionCache"),
    (rn.embedding_forward, (x3, {"weight": h}), "tokens", "dtype"),
    (rn.embedding_forward, (np.full((N, T), 9), {"weight": h}), "tokens", "[0, V)"),
    (rn.embedding_backward, (x3, emb_cache), "dx", "(N, T, D)"),
    (rn.output_forward, (hs, {"weight": x2}), "params", "bias"),
    (rn.output_forward, (x2, {"weight": h, "bias": h[0]}), "h_seq", "(N, T, H)"),
    (rn.output_backward, (hs, out_cache), "dy", "(N, T, V)"),
    (rn.softmax_cross_entropy, (x3, np.zeros((N, T + 1), int)), "targets", "(N, T)"),
    (rn.softmax_cross_entropy, (x3, np.full((N, T), D)), "targets", "[0, V)"),
    (rn.softmax_cross_entropy, (x3, np.zeros((N, T), int), np.zeros((N, T), bool)),
     "mask", "all False"),
    (rn.sgd_step, (P1, {"weight_ih": x2}, 0.1), "grads", "keys"),
    (rn.sgd_step, (P1, P1, 0.0), "lr", "positive"),
    (rn.adam_step, (P1, {**P1, "bias_ih": x2}, rn.adam_init(P1)), "grads['bias_ih']", "shape"),
    (rn.adam_step, (P1, P1, None), "state", "adam_init"),
    (rn.clip_grad_norm, ({"a": x2}, -1.0), "max_norm", "positive"),
    (rn.clip_grad_norm, ([x2], 1.0), "grads", "dict"),
    (rn.numerical_gradient, (np.sum, [1.0, 2.0]), "x", "list"),
    (rn.numerical_gradient, (lambda v: v, x2, h), "df", "shape"),
    (rn.rel_error, (x2, h), "'a' and 'b'", "shape"),
]


@pytest.mark.parametrize("fn,args,arg,extra", CASES,
                         ids=[f"{c[0].__name__}-{c[2]}-{c[3]}" for c in CASES])
def test_bad_input_raises_a_teaching_value_error(fn, args, arg, extra):
    with pytest.raises(rn.InputError) as info:
        fn(*args)
    msg = str(info.value)
    assert isinstance(info.value, ValueError)
    assert msg.startswith(f"{fn.__name__}: argument"), msg
    assert arg in msg, msg
    assert extra in msg, msg


def test_message_shows_expected_and_actual_shape():
    with pytest.raises(rn.InputError) as info:
        rn.rnn_step_forward(x2, h[:1], P1)
    msg = str(info.value)
    assert ": expected shape (N, H) = (2, ?); got shape (1, 5)." in msg, msg
    assert "N = 2 was fixed by argument 'x' (shape (2, 4))." in msg, msg


def test_a_size_the_parameters_disagree_on_names_who_fixed_it():
    """h_prev fixes H = 5; a weight made for H = 6 is blamed, and h_prev is named."""
    with pytest.raises(rn.InputError) as info:
        rn.lstm_step_forward(x2, h, h, params(4) | {"weight_hh": rng.normal(size=(24, 6))})
    msg = str(info.value)
    assert msg.startswith("lstm_step_forward: argument params['weight_hh']: expected shape (4H, H) = (20, 5); "
                          "got shape (24, 6)."), msg
    assert "H = 5 was fixed by argument 'h_prev' (shape (2, 5))." in msg, msg
