"""The first code cell of every notebook: install ``rnnlearn`` where it is missing.

A reader who opens a chapter, exercise or solution in Colab or Binder has no
``rnnlearn``; in a local checkout (``make setup``) it is already importable. The cell
installs it from the repository only in the first case (a guarded install, the pattern
fastai's books use) and does nothing in the second. The repository URL is written in one
place, ``repository: url:`` in ``_config.yml``; :func:`stamp_install_cell` copies it into
the notebooks (``rnnlearn exercises build`` does that for every notebook).
"""

from __future__ import annotations

import pathlib

import nbformat

MARKER = "# Colab or Binder: install rnnlearn when it is missing"
TEMPLATE = MARKER + """ (in a local checkout this does nothing).
import importlib.util, subprocess, sys
if importlib.util.find_spec("rnnlearn") is None:
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    "rnnlearn @ git+{url}"], check=True)
    importlib.invalidate_caches()"""
# The book shows the chapter, not the installer; a downloaded .ipynb still has the cell.
TAGS = ["remove-cell"]


def repository_url(root: pathlib.Path = pathlib.Path(".")) -> str:
    """The repository URL configured in ``root/_config.yml`` (``repository: url:``)."""
    import yaml  # only the book tooling needs it

    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    url = (config.get("repository") or {}).get("url")
    if not url:
        raise ValueError(f"{root / '_config.yml'}: no `repository: url:`; the install cell needs it")
    return url.rstrip("/")


def install_cell_source(url: str) -> str:
    """The source of the guarded-install cell for the repository at ``url``."""
    return TEMPLATE.format(url=url)


def stamp_install_cell(nb: nbformat.NotebookNode, url: str) -> bool:
    """Make the first code cell of ``nb`` the install cell for ``url``; return whether ``nb`` changed.

    An existing install cell (recognised by its first line) is updated in place; otherwise
    a new one is inserted before the first code cell.
    """
    source = install_cell_source(url)
    code = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    first = code[0] if code else len(nb.cells)
    if code and nb.cells[first].source.startswith(MARKER):
        cell = nb.cells[first]
        changed = cell.source != source or cell.metadata.get("tags") != TAGS
        cell.source, cell.metadata["tags"] = source, list(TAGS)
        return changed
    cell = {"cell_type": "code", "execution_count": None, "metadata": {"tags": list(TAGS)},
            "outputs": [], "source": source}
    nb.cells.insert(first, nbformat.from_dict(cell))
    return True
