"""Execute one chapter into the book's execution cache, as `jupyter-book build` would.

`jupyter-book build` (``execute_notebooks: cache``) executes the chapters it finds no
cached outputs for, one after another. `make test` runs this script for every chapter
first, two at a time (make -j2), so that the build itself finds every chapter cached and
only renders. It does what myst-nb's cache client does (``myst_nb/core/execute/cache.py``):
the same notebook read, the same working directory, timeout and error policy, and the same
cache record, so the build matches it by the hash of the code cells.

Usage: ``python .ci/execute_chapter.py book/04_lstm.ipynb`` (does nothing if cached).
"""

import fcntl
import pathlib
import sys
from contextlib import contextmanager

import nbformat
import yaml
from jupyter_cache import get_cache
from jupyter_cache.base import CacheBundleIn
from jupyter_cache.executors.utils import single_nb_execution

ROOT = pathlib.Path(__file__).resolve().parents[1]
CACHE = ROOT / "_build" / ".jupyter_cache"  # where jupyter-book puts it (execution_cache_path unset)


@contextmanager
def cache_lock():
    """Two chapters finish at once under make -j2: one writer of the cache database at a time."""
    CACHE.parent.mkdir(parents=True, exist_ok=True)
    with open(CACHE.parent / ".jupyter_cache.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield get_cache(str(CACHE))
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def main(path: str) -> int:
    config = yaml.safe_load((ROOT / "_config.yml").read_text())["execute"]
    notebook_path = (ROOT / path).resolve()
    notebook = nbformat.read(notebook_path, as_version=4)
    with cache_lock() as cache:
        try:
            record = cache.match_cache_notebook(notebook)
        except KeyError:
            record = None
        if record is not None:
            print(f"{path}: cached (executed in {record.data.get('execution_seconds', 0):.1f} s)")
            return 0
        stage = cache.add_nb_to_project(str(notebook_path))
    result = single_nb_execution(notebook, cwd=str(notebook_path.parent), timeout=config["timeout"],
                                 allow_errors=config["allow_errors"], meta_override=True)
    if result.err is not None:
        print(f"{path}: executing failed\n{result.exc_string}", file=sys.stderr)
        return 1
    with cache_lock() as cache:
        cache.cache_notebook_bundle(CacheBundleIn(notebook, stage.uri, data={"execution_seconds": result.time}),
                                    check_validity=False, overwrite=True)
    print(f"{path}: executed in {result.time:.1f} s")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1]))
