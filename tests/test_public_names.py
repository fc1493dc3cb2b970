"""The package follows the book: every public name is used by a chapter, an exercise or
solution, or by another part of the package.

Names that chapters 5-9 will use are listed with their chapter in ``NOT_YET_USED``, an
explicit, shrinking allow-list: when a chapter starts using a name, the test asks for it
to be removed from the list.
"""

import importlib
import json
import pathlib
import re

ROOT = pathlib.Path(__file__).resolve().parents[1]
PACKAGES = ["rnnlearn.numpy", "rnnlearn.torch", "rnnlearn.data", "rnnlearn.train", "rnnlearn.schedules",
            "rnnlearn.grading", "rnnlearn.viz", "rnnlearn.errors"]

NOT_YET_USED = {
    # chapter 6, recurrent networks in practice
    "LSTMCache": 6, "EmbeddingCache": 6,
    "OutputCache": 6, "sgd_step": 6, "AdamState": 6,
    "BiLSTMSequenceClassifier": 6,
    "copy_memory": 6,
    "train_val_split": 6, "evaluate": 6,
    "detach_state": 6, "default_device": 6,
    # chapter 6 (package part, issue 12): losses, regularisers
    "masked_mean": 6, "LayerNormLSTMCell": 6,
}


def public_names():
    """``{name: defining package}`` for every name a package lists in ``__all__``."""
    names = {}
    for package in PACKAGES:
        module = importlib.import_module(package)
        for name in getattr(module, "__all__", []):
            names.setdefault(name, package)
    return names


def course_text() -> str:
    """Every cell of every chapter, exercise and solution notebook."""
    cells = []
    for folder in ("book", "exercises", "solutions"):
        for path in sorted((ROOT / folder).glob("*.ipynb")):
            cells += ["".join(c.get("source", "")) for c in json.loads(path.read_text())["cells"]]
    return "\n".join(cells)


def package_sources() -> dict:
    """Source of every module of the package except those that only re-export names."""
    reexports = {ROOT / "rnnlearn" / "schedules.py"}
    return {p: p.read_text(encoding="utf-8") for p in (ROOT / "rnnlearn").rglob("*.py")
            if p.name != "__init__.py" and p not in reexports}


def unused_names() -> set:
    text, sources = course_text(), package_sources()
    unused = set()
    for name in public_names():
        word = re.compile(rf"\b{re.escape(name)}\b")
        defines = re.compile(rf"^(def|class) {re.escape(name)}\b|^{re.escape(name)}\s*[:=]", re.M)
        used_elsewhere = any(word.search(src) for path, src in sources.items() if not defines.search(src))
        if not (word.search(text) or used_elsewhere):
            unused.add(name)
    return unused


def test_the_check_sees_a_name_no_one_uses():
    text = course_text()
    assert "rnn_step_forward" in text and not re.search(r"\bno_such_public_name\b", text)


def test_every_public_name_is_used_or_awaits_its_chapter():
    unused = unused_names()
    assert not unused - set(NOT_YET_USED), f"public but used nowhere: {sorted(unused - set(NOT_YET_USED))}"


def test_the_allow_list_only_shrinks():
    now_used = set(NOT_YET_USED) - unused_names()
    assert not now_used, f"used now, remove them from NOT_YET_USED: {sorted(now_used)}"
