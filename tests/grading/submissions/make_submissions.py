"""Regenerate the prepared submissions used by test_batch.py: ``python make_submissions.py``.

Each ``<name>_01_rnn_equations`` notebook is a plausible learner submission for chapter
01_rnn_equations; ``gated_04_lstm_07_seq2seq_attention`` answers questions of chapters 4 and 7
(its file name carries both chapter tags), so LSTM caches, boolean masks and ``None``
cross the kernel boundary and the finite-difference stage runs through the proxy.
"""

import pathlib

import nbformat

HERE = pathlib.Path(__file__).parent
SETUP = "import numpy as np\nfrom rnnlearn.grading import check"
STEP = '''def rnn_step_forward(x, h_prev, params):
    a = x @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T + params["bias_hh"]
    h_next = np.tanh(a)
    return h_next, (x, h_prev, h_next, params)'''
FORWARD = '''def rnn_forward(x, h0, params):
    h, states, caches = h0, [], []
    for t in range(x.shape[1]):
        h, cache = rnn_step_forward(x[:, t], h, params)
        states.append(h)
        caches.append(cache)
    return np.stack(states, axis=1), h, caches'''
FORWARD_OFF_BY_ONE = FORWARD.replace("        h, cache = rnn_step_forward(x[:, t], h, params)\n        states.append(h)",
                                     "        states.append(h)\n        h, cache = rnn_step_forward(x[:, t], h, params)")
SHAPES = '''def rnn_shapes(N, T, D, H, num_layers=1, bidirectional=False, batch_first=False):
    dirs = 2 if bidirectional else 1
    output = (N, T, dirs * H) if batch_first else (T, N, dirs * H)
    return output, (num_layers * dirs, N, H)'''
SHAPES_WRONG = SHAPES.replace("return output, (num_layers * dirs, N, H)",
                              "return output, ((N, num_layers * dirs, H) if batch_first else (num_layers * dirs, N, H))")
NUM = '''def rnn_num_params(D, H, cell="rnn", num_layers=1, bidirectional=False):
    G = {"rnn": 1, "lstm": 4, "gru": 3}[cell]
    dirs = 2 if bidirectional else 1
    total = 0
    for layer in range(num_layers):
        size_in = D if layer == 0 else dirs * H
        total += dirs * (G * H * (size_in + H) + 2 * G * H)
    return total'''
STUB = '''def rnn_num_params(D, H, cell="rnn", num_layers=1, bidirectional=False):
    # YOUR CODE HERE
    raise NotImplementedError("Replace this line with your code.")'''
CHECKS = "\n".join(f'check("{q}", {q})' for q in ("rnn_step_forward", "rnn_forward", "rnn_shapes", "rnn_num_params"))

SUBMISSIONS = {
    "complete": [SETUP, STEP, FORWARD, SHAPES, NUM, CHECKS],
    "partial": [SETUP, STEP, FORWARD_OFF_BY_ONE, SHAPES_WRONG, STUB, CHECKS],
    "crashing": ["raise RuntimeError('a cell that crashes')", SETUP, STEP,
                 "def rnn_forward(x, h0, params):\n    return 1 / 0", "this is not Python", NUM],
    "looping": ["import numpy as np", "while True:\n    pass", STEP,
                "def rnn_forward(x, h0, params):\n    while True:\n        pass", STUB],
    "tampering": [
        SETUP,
        "import importlib\nimport rnnlearn.grading\nfrom rnnlearn.numpy import rnn_step_forward",
        "def rnn_forward(x, h0, params):\n"
        "    ref = getattr(importlib.import_module('rnnlearn.' + 'numpy'), 'rnn_' + 'forward')\n"
        "    return ref(x, h0, params)",
        "import torch\n"
        "def rnn_shapes(N, T, D, H, num_layers=1, bidirectional=False, batch_first=False):\n"
        "    rnn = torch.nn.RNN(D, H, num_layers, batch_first=batch_first, bidirectional=bidirectional)\n"
        "    out, h_n = rnn(torch.zeros((N, T, D) if batch_first else (T, N, D)))\n"
        "    return tuple(out.shape), tuple(h_n.shape)",
        "def rnn_num_params(D, H, cell='rnn', num_layers=1, bidirectional=False):\n    return 0",
        "# tamper with the checker and NumPy inside the kernel\n"
        "class FullMarks:\n    passed, score = True, 99.0\n"
        "rnnlearn.grading.check = lambda *a, **k: FullMarks()\n"
        "np.allclose = lambda *a, **k: True\nnp.testing.assert_allclose = lambda *a, **k: None",
        CHECKS.replace("check(", "rnnlearn.grading.check("),
    ],
    "empty": [],
}

LSTM = '''def sigmoid(a):
    return 1 / (1 + np.exp(-a))

def lstm_step_forward(x, h_prev, c_prev, params):
    a = x @ params["weight_ih"].T + params["bias_ih"] + h_prev @ params["weight_hh"].T + params["bias_hh"]
    i, f, g, o = np.split(a, 4, axis=1)
    i, f, g, o = sigmoid(i), sigmoid(f), np.tanh(g), sigmoid(o)
    c_next = f * c_prev + i * g
    h_next = o * np.tanh(c_next)
    return h_next, c_next, None

def lstm_step_backward(dh_next, dc_next, cache):
    i, f, g, o, p = cache.i, cache.f, cache.g, cache.o, cache.params
    tanh_c = np.tanh(cache.c_next)
    dc = dc_next + dh_next * o * (1 - tanh_c ** 2)
    da = np.concatenate([dc * g * i * (1 - i), dc * cache.c_prev * f * (1 - f),
                         dc * i * (1 - g ** 2), dh_next * tanh_c * o * (1 - o)], axis=1)
    grads = {"weight_ih": da.T @ cache.x, "weight_hh": da.T @ cache.h_prev,
             "bias_ih": da.sum(0), "bias_hh": da.sum(0)}
    return da @ p["weight_ih"], da @ p["weight_hh"], dc * f, grads'''
ATTENTION_MASK_IGNORED = '''def additive_attention_forward(query, keys, mask, params):
    u = np.tanh((query @ params["query_proj.weight"].T)[:, None] + keys @ params["key_proj.weight"].T)
    e = (u @ params["v.weight"].T)[:, :, 0]
    w = np.exp(e - e.max(axis=1, keepdims=True))
    w = w / w.sum(axis=1, keepdims=True)
    return np.einsum("ns,nsk->nk", w, keys), w, None'''
GATED = ["import numpy as np", LSTM, ATTENTION_MASK_IGNORED]


def main():
    for name, cells in SUBMISSIONS.items():
        nb = nbformat.v4.new_notebook()
        nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}
        nb.cells = [nbformat.v4.new_code_cell(c, id=f"{name}-{i}") for i, c in enumerate(cells)]  # stable ids
        nbformat.write(nb, HERE / f"{name}_01_rnn_equations.ipynb")
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c, id=f"gated-{i}") for i, c in enumerate(GATED)]
    nbformat.write(nb, HERE / "gated_04_lstm_07_seq2seq_attention.ipynb")
    (HERE / "garbage_01_rnn_equations.ipynb").write_text("this is not a notebook {", encoding="utf-8")


if __name__ == "__main__":
    main()
