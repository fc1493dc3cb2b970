"""Submissions written by an adversarial student, one attack per notebook (see test_attacks.py).

Each entry: ``name -> (chapter tag, [cell sources])``; the notebook is written as
``attack_<name>_<chapter>.ipynb``. Every attack aims at unearned marks, at sinking the
batch, at other students' files or the gradebook, or at the instructor's terminal.
Two honest submissions (``honest_*``) must keep full marks next to them.
"""

from __future__ import annotations

import json

import nbformat

from .submissions.make_submissions import FORWARD, NUM, SETUP, SHAPES, STEP

CH1 = "01_rnn_equations"
CH2 = "02_bptt"
IMPORTS = "import numpy as np, sys, os, inspect\nimport rnnlearn.numpy as rn"
# The reference, named so that no static scan of the code sees it.
REF = IMPORTS + "\nREF = getattr(rn, 'rnn_step' + '_forward')\nREF_SEQ = getattr(rn, 'rnn' + '_forward')"

# The grader's code inside the kernel: find the frame of its `call` (it holds out_stem).
FIND_GRADER = '''
def grader_frame():
    frame = sys._getframe(1)
    while frame is not None and "out_stem" not in frame.f_locals:
        frame = frame.f_back
    return frame
'''

REFERENCE_ATTACKS = {
    # the reference's source, exec'd under another file name (a watcher sees no package code)
    "getsource": [REF, "namespace = dict(vars(sys.modules[REF.__module__]), __name__='__main__')\n"
                       "exec(compile(inspect.getsource(REF), '/home/me/mine.py', 'exec'), namespace)\n"
                       "rnn_step_forward = namespace['rnn_step' + '_forward']"],
    # the reference's code object copied through marshal and renamed
    "marshal": [REF, "import marshal, types\n"
                         "code = marshal.loads(marshal.dumps(REF.__code__))\n"
                         "code = code.replace(co_filename='/home/me/mine.py')\n"
                         "rnn_step_forward = types.FunctionType(code, dict(vars(sys.modules[REF.__module__]), __name__='__main__'),"
                         " 'rnn_step_forward')"],
    # the profiling hook switched off around the call, and back on
    "profile_toggle": [REF, "def rnn_step_forward(x, h_prev, params):\n"
                                "    hook = sys.getprofile()\n    sys.setprofile(None)\n"
                                "    try:\n        return REF(x, h_prev, params)\n"
                                "    finally:\n        sys.setprofile(hook)"],
    # the watcher's list of forbidden functions cleared through the caller's frames
    "clear_forbidden": [REF, FIND_GRADER, "def rnn_step_forward(x, h_prev, params):\n"
                                              "    frame = sys._getframe(1)\n"
                                              "    while frame is not None:\n"
                                              "        for value in frame.f_locals.values():\n"
                                              "            if isinstance(value, list) and value and isinstance(value[0], tuple):\n"
                                              "                value.clear()\n"
                                              "        frame = frame.f_back\n"
                                              "    return REF(x, h_prev, params)"],
    # sys.setprofile replaced before the watcher starts
    "setprofile_replaced": [REF, "sys.setprofile = lambda hook: None\nsys.getprofile = lambda: None",
                            "def rnn_step_forward(x, h_prev, params):\n"
                            "    return REF(x, h_prev, params)"],
    # a lazy value that calls the reference only when it is serialised (after the watcher is off)
    "lazy_list": [REF, "class Lazy(tuple):\n"
                           "    def __new__(cls, args):\n"
                           "        self = super().__new__(cls, (None, None))\n        self.args = args\n"
                           "        return self\n"
                           "    def __iter__(self):\n        return iter(REF(*self.args))\n"
                           "    def __getitem__(self, i):\n        return REF(*self.args)[i]\n"
                           "def rnn_step_forward(x, h_prev, params):\n    return Lazy((x, h_prev, params))"],
    # json.dump patched to erase the watcher's reason
    "json_patched": [REF, "import json\n_dump = json.dump\n"
                              "def dump(obj, f, **kw):\n"
                              "    if isinstance(obj, dict) and 'reason' in obj:\n        obj['reason'] = ''\n"
                              "    return _dump(obj, f, **kw)\njson.dump = dump",
                     "def rnn_step_forward(x, h_prev, params):\n    return REF(x, h_prev, params)"],
    # the reference run in a separate process, its result read back
    "subprocess": [IMPORTS, "import subprocess, tempfile\n"
                            "def rnn_step_forward(x, h_prev, params):\n"
                            "    d = tempfile.mkdtemp()\n"
                            "    np.savez(d + '/in.npz', x=x, h=h_prev, **params)\n"
                            "    code = ('import numpy as np, rnnlearn.numpy as rn; a = np.load(%r); '\n"
                            "            'p = {k: a[k] for k in a.files if k not in (\"x\", \"h\")}; '\n"
                            "            'np.save(%r, getattr(rn, \"rnn_step_\" + \"forward\")(a[\"x\"], a[\"h\"], p)[0])') "
                            "% (d + '/in.npz', d + '/out.npy')\n"
                            "    run = subprocess.run([sys.executable, '-c', code], capture_output=True, text=True)\n"
                            "    if run.returncode:\n        raise RuntimeError(run.stderr.strip().splitlines()[-1])\n"
                            "    return np.load(d + '/out.npy'), None"],
}

SINKING_ATTACKS = {
    # a callable whose __signature__ raises
    "forged_signature": [IMPORTS, "class Answer:\n"
                                  "    @property\n    def __signature__(self):\n        raise RuntimeError('no')\n"
                                  "    def __call__(self, *a):\n        return 1\n"
                                  "rnn_step_forward = Answer()\nrnn_forward = Answer()"],
    # an integer too large for any float
    "huge_int": [IMPORTS, "def rnn_num_params(D, H, cell='rnn', num_layers=1, bidirectional=False):\n"
                          "    return 10 ** 400"],
    # a cell of 3,000 chained attributes (the static scan recurses)
    "deep_expression": [IMPORTS, "x = rn" + ".a" * 3000,
                        "def rnn_step_forward(x, h_prev, params):\n    return 1"],
    # a reply nested 100,000 levels deep, written by the answer in the grader's place
    "deep_reply": [IMPORTS, FIND_GRADER, "def rnn_step_forward(x, h_prev, params):\n"
                                         "    frame = grader_frame()\n"
                                         "    stem = frame.f_locals['out_stem']\n"
                                         "    def dump(payload, s):\n"
                                         "        open(stem + '.json', 'w').write('{\"value\": ' + '[' * 100000 + ']' * 100000 + '}')\n"
                                         "        np.savez(stem + '.npz')\n"
                                         "    frame.f_globals['dump'] = dump\n"
                                         "    return 1"],
    # a FIFO where the grader expects the kernel's reply
    "fifo_reply": [IMPORTS, FIND_GRADER, "def rnn_step_forward(x, h_prev, params):\n"
                                         "    frame = grader_frame()\n"
                                         "    stem = frame.f_locals['out_stem']\n"
                                         "    os.mkfifo(stem + '.json')\n"
                                         "    frame.f_globals['dump'] = lambda payload, s: None\n"
                                         "    return 1"],
    # half a megabyte of compressed zeros that inflate past the reply limit
    "zip_bomb": [IMPORTS, FIND_GRADER, "import zipfile\n"
                                       "def rnn_step_forward(x, h_prev, params):\n"
                                       "    frame = grader_frame()\n"
                                       "    stem = frame.f_locals['out_stem']\n"
                                       "    def dump(payload, s):\n"
                                       "        open(stem + '.json', 'w').write('{\"value\": {\"k\": \"array\", \"ref\": \"a0\"}, '\n"
                                       "            '\"after\": {\"k\": \"list\", \"items\": []}, \"error\": {\"k\": \"atom\", \"v\": null},'\n"
                                       "            '\"reason\": {\"k\": \"atom\", \"v\": \"\"}}')\n"
                                       "        n = 16_000_000  # 128 MB of float64 zeros, about 0.1 MB deflated\n"
                                       "        header = np.lib.format.header_data_from_array_1_0(np.zeros(1))\n"
                                       "        header['shape'] = (n,)\n"
                                       "        with zipfile.ZipFile(stem + '.npz', 'w', zipfile.ZIP_DEFLATED) as z:\n"
                                       "            with z.open('a0.npy', 'w', force_zip64=True) as f:\n"
                                       "                np.lib.format.write_array_header_1_0(f, header)\n"
                                       "                block = bytes(8_000_000)\n"
                                       "                for _ in range(n * 8 // len(block)):\n"
                                       "                    f.write(block)\n"
                                       "    frame.f_globals['dump'] = dump\n"
                                       "    return 1"],
    # a gradients dict with an int key (sorting mixed keys fails)
    "int_key": [IMPORTS, "def clip_grad_norm(grads, max_norm):\n"
                         "    return {0: np.zeros(1), **grads}, 1.0"],
    # an answer that kills the grader
    "kill_grader": [IMPORTS, "def rnn_step_forward(x, h_prev, params):\n"
                             "    import signal\n    os.kill(os.getppid(), signal.SIGKILL)\n"
                             "    os.kill(0, signal.SIGKILL)"],
    # a kernel that ignores interrupts, then loops
    # (in the cell that loops: the kernel restores its handler before every cell)
    "ignores_interrupt": [IMPORTS, "import signal\nsignal.signal(signal.SIGINT, signal.SIG_IGN)\n"
                                   "while True:\n    pass", STEP],
    # a hundred and twenty slow cells
    "many_slow_cells": ["import time"] + ["time.sleep(0.9)"] * 120,
}

SURROUNDINGS_ATTACKS = {
    # fake result lines into the instructor's terminal, and an exception name with a newline
    "fake_lines": [IMPORTS, "os.write(1, b'\\nattack_fake_lines_01_rnn_equations.ipynb: 9/9 FORGED\\n')\n"
                            "os.write(2, b'\\nFORGED: graded 9 of 9\\n')\n"
                            "print('\\nFORGED 9/9')",
                   "raise type('Boom\\nFORGED: 9/9', (Exception,), {})()"],
    # a detached process that outlives the kernel, hunts for the gradebook and other submissions
    # through /proc, and rewrites them after the grader has exited
    "detached": [IMPORTS, "import subprocess\n"
                          "script = '''\n"
                          "import os, sys, time, glob\n"
                          "time.sleep(3)\n"
                          "for cmd in glob.glob('/proc/*/cmdline'):\n"
                          "    try:\n"
                          "        args = open(cmd, 'rb').read().split(b'\\\\0')\n"
                          "    except OSError:\n"
                          "        continue\n"
                          "    for a in args:\n"
                          "        a = a.decode(errors='ignore')\n"
                          "        if a.endswith(('.csv', '.ipynb')) and os.path.exists(a):\n"
                          "            try:\n"
                          "                open(a, 'w').write('owned')\n"
                          "            except OSError:\n"
                          "                pass\n"
                          "'''\n"
                          "subprocess.Popen([sys.executable, '-c', script], start_new_session=True,\n"
                          "                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)"],
    # writes into the installed package and the course repository
    "write_package": [IMPORTS, "import rnnlearn, pathlib\n"
                               "for target in [pathlib.Path(rnnlearn.__file__).parent / 'numpy' / 'rnn.py',\n"
                               "               pathlib.Path(np.__file__).parent / 'pwned.py']:\n"
                               "    try:\n"
                               "        target.write_text('owned')\n"
                               "    except OSError:\n"
                               "        pass"],
}

# No source at all in a code cell: a valid notebook that nbformat's NotebookNode chokes on.
NO_SOURCE = "attack_no_source_01_rnn_equations.ipynb"

HONEST = {
    "honest_complete": [SETUP, STEP, FORWARD, SHAPES, NUM],
    # rnn_shapes answers with torch.Size (a tuple subclass): the same verdict as check() in a notebook
    "honest_torch_size": [SETUP, STEP, FORWARD, NUM, "import torch\n" + SHAPES.replace(
        "    return output, (num_layers * dirs, N, H)", "    return torch.Size(output), torch.Size((num_layers * dirs, N, H))")],
}


def lookup_table_attack(table) -> list[str]:
    """rnn_shapes / rnn_num_params answered from a table of the cases instant feedback uses."""
    return [IMPORTS, f"TABLE = {table!r}",
            "def rnn_shapes(N, T, D, H, num_layers=1, bidirectional=False, batch_first=False):\n"
            "    return TABLE['shapes'].get(repr((N, T, D, H, num_layers, bidirectional, batch_first)), ((0,), (0,)))",
            "def rnn_num_params(D, H, cell='rnn', num_layers=1, bidirectional=False):\n"
            "    return TABLE['num_params'].get(repr((D, H, cell, num_layers, bidirectional)), 0)"]


def write(folder, name, cells, chapter=CH1):
    """Write ``cells`` as notebook ``<name>_<chapter>.ipynb`` in ``folder``; return its path."""
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(c, id=f"c{i}") for i, c in enumerate(cells)]
    path = folder / f"{name}_{chapter}.ipynb"
    nbformat.write(nb, path)
    return path


def write_no_source(folder):
    """A notebook whose code cell has no ``source`` key."""
    nb = json.loads(nbformat.writes(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1")])))
    del nb["cells"][0]["source"]
    path = folder / NO_SOURCE
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path
