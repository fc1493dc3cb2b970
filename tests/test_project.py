"""The project as a newcomer meets it: pinned tools, the console script, layering, the book's toc."""

import importlib.metadata
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[1]


def test_jupyter_book_is_1x():
    version = importlib.metadata.version("jupyter-book")
    assert version.split(".")[0] == "1", f"Jupyter Book 1.x is required (2.x uses another config), found {version}"


def test_torch_is_the_pinned_cpu_release():
    assert importlib.metadata.version("torch").split("+")[0] == "2.13.0"


def test_console_script_is_installed():
    exe = shutil.which("rnnlearn", path=str(pathlib.Path(sys.executable).parent))
    assert exe, "pip install -e . must install the `rnnlearn` console script"
    out = subprocess.run([exe], capture_output=True, text=True)
    assert out.returncode == 2 and "rnnlearn grade" in out.stderr


@pytest.mark.parametrize("module, forbidden", [
    ("rnnlearn.numpy", ("torch", "matplotlib", "rnnlearn.grading", "rnnlearn.cli", "rnnlearn.viz")),
    ("rnnlearn.torch", ("rnnlearn.grading", "rnnlearn.cli", "rnnlearn.exercises", "rnnlearn.viz")),
    ("rnnlearn.data", ("rnnlearn.grading", "rnnlearn.cli", "rnnlearn.exercises", "rnnlearn.viz")),
    ("rnnlearn.train", ("rnnlearn.grading", "rnnlearn.cli", "rnnlearn.exercises", "rnnlearn.viz")),
    ("rnnlearn.viz", ("rnnlearn.grading", "rnnlearn.cli", "rnnlearn.exercises")),
])
def test_layers_point_one_way(module, forbidden):
    """rnnlearn.numpy needs NumPy alone; the core never imports the grader, the CLI or the figures."""
    code = f"import sys, {module}; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    loaded = set(out.stdout.split())
    leaked = [name for name in forbidden if name in loaded]
    assert not leaked, f"importing {module} also imported {leaked}"


def test_toc_lists_every_notebook_and_page():
    toc = (ROOT / "_toc.yml").read_text()
    pages = [p for p in ROOT.glob("book/*") if p.suffix in (".md", ".ipynb")]
    notebooks = list(ROOT.glob("exercises/*.ipynb")) + list(ROOT.glob("solutions/*.ipynb"))
    missing = [str(p.relative_to(ROOT)) for p in pages + notebooks
               if str(p.relative_to(ROOT).with_suffix("")) not in toc]
    assert not missing, f"not in _toc.yml (they would never be built): {missing}"


def test_make_test_executes_every_chapter_of_the_toc_two_at_a_time():
    """`make test` pre-executes the chapters in parallel; one the Makefile missed would run serially in the build."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    def files(entry):  # an entry and its sections, depth first
        return [entry["file"]] + [f for section in entry.get("sections", []) for f in files(section)]

    chapters = [f + ".ipynb" for part in toc["parts"] for ch in part["chapters"] for f in files(ch)
                if f.startswith("book/") and (ROOT / (f + ".ipynb")).exists()]
    out = subprocess.run(["make", "-n", "book-cached", "STAMP="], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    executed = [line.split()[-1] for line in out.stdout.splitlines() if "execute_chapter.py" in line]
    assert chapters and executed == chapters
