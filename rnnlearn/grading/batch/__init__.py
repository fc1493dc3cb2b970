"""The batch grader: ``rnnlearn grade NOTEBOOK... [--csv FILE] [--timeout SECONDS]``.

Layout, in the order a submission meets it: ``grade`` (the command line and one
notebook's grading), ``integrity`` (static scan of the code for the reference),
``session`` (the submission's kernel and ``RemoteAnswer``, the ``Answer`` that calls
into it), ``protocol`` (what crosses the kernel boundary: JSON + ``.npz``, never a
pickle), ``in_kernel`` (the code that runs inside the kernel), ``gradebook`` (CSV and
summary). Scores come from the same ``rnnlearn.grading.check`` as instant feedback.
"""

from .grade import grade_notebook, main

__all__ = ["grade_notebook", "main"]
