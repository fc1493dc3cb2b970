"""The exercise pipeline: ``solutions/`` is the only source, ``exercises/`` is generated.

A solution notebook marks the code a learner must write between two lines::

    ### BEGIN SOLUTION
    ...
    ### END SOLUTION

:func:`make_exercise` replaces each region with a stub that raises
``NotImplementedError`` (with a hint), and leaves everything else identical.
:func:`build` does that for every notebook in ``solutions/`` and executes both
notebooks in a fresh kernel so that their outputs are stored (nbval then checks them).
Every notebook's first code cell is the guarded install of :mod:`.install_cell`.
"""

from .build import build, execute_notebook, write_notebook
from .install_cell import install_cell_source, repository_url, stamp_install_cell
from .stub import make_exercise, strip_solution_regions

__all__ = ["make_exercise", "strip_solution_regions", "build", "execute_notebook", "write_notebook",
           "install_cell_source", "repository_url", "stamp_install_cell"]
