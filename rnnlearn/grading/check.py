"""``check(name, answer)``: instant feedback on one answer, and ``questions()``."""

from __future__ import annotations

import os
import zlib

import numpy as np

from . import result
from .harness import AnswerCrashed, Ctx, ReferenceUsed, Unfinished, WrongOutput, signature_problem
from .registry import QUESTIONS
from .watch import answer_origin

BATCH_ENV = "RNNLEARN_BATCH_GRADING"  # see session.py
SKIPPED = ("not checked here: the batch grader (rnnlearn grade) scores {id} in its own "
           "process and ignores this cell.")
REFERENCE_USED = ("scored 0: {why}. The reference ships with the course, so using it is "
                  "not an answer; write {id} yourself.")


def questions() -> dict[str, dict]:
    """The question ids, in course order, with their points and chapter.

    Returns
    -------
    dict
        ``{id: {"points": float, "chapter": str, "signature": str}}``.
    """
    return {q.id: {"points": q.points, "chapter": q.chapter, "signature": q.signature}
            for q in sorted(QUESTIONS.values(), key=lambda q: q.chapter)}


def check(name, answer, *, seed=None) -> result.CheckResult:
    """Check ``answer`` for question ``name`` and say what is right and what to fix.

    Never raises because the answer is wrong, unfinished (``NotImplementedError``) or
    crashes: the returned ``CheckResult`` reports it.

    Parameters
    ----------
    name : str
        A question id from ``questions()``, e.g. ``"rnn_step_forward"``.
    answer : callable
        The learner's function.
    seed : int, optional
        Seed of the random test inputs. The default is fixed per question, so feedback
        is reproducible; the batch grader passes fresh seeds.

    Notes
    -----
    Inside a submission's kernel started by the batch grader (environment variable
    ``RNNLEARN_BATCH_GRADING=1``) the learner's own ``check`` cells return at once with
    status ``"unfinished"``: the grader ignores them and scores in its own process.

    Returns
    -------
    CheckResult
    """
    if name not in QUESTIONS:
        raise ValueError(f"check: argument 'name' must be a question id, one of "
                         f"{sorted(QUESTIONS)}; got {name!r}.")
    q = QUESTIONS[name]
    remote = getattr(answer, "rnnlearn_remote", False)
    if os.environ.get(BATCH_ENV) == "1" and not remote:  # a learner's cell run by the batch grader
        return result.unfinished(name, q.points, SKIPPED.format(id=name))
    why = getattr(answer, "rnnlearn_origin", "") if remote else answer_origin(answer)
    if why:
        return result.flagged(name, q.points, REFERENCE_USED.format(why=why, id=name))
    problem = signature_problem(answer, len(q.arg_names), q.signature)
    if problem:
        return result.CheckResult(name, False, 0.0, q.points, problem, "failed")
    default_seed = zlib.crc32(name.encode())
    ctx = Ctx(name, answer, np.random.default_rng(default_seed if seed is None else seed),
              q.arg_names, q.forbidden)
    ctx.crash_hint = q.crash_hint
    try:
        parts = q.grade(ctx)
    except Unfinished as exc:
        detail = f" ({exc})" if str(exc) else ""
        return result.unfinished(name, q.points, f"not done yet: {name} raises NotImplementedError{detail}.")
    except ReferenceUsed as exc:
        return result.flagged(name, q.points, REFERENCE_USED.format(why=exc, id=name))
    except AnswerCrashed as exc:
        hint = f"\nHint: {q.crash_hint}" if q.crash_hint else ""
        verb = "" if str(exc).startswith("did not finish") else "raised "  # a call timed out
        return result.crashed(name, q.points, f"your {name} {verb}{exc}{hint}")
    except WrongOutput as exc:
        return result.CheckResult(name, False, 0.0, q.points, f"{name} {exc}", "failed")
    return result.from_parts(name, q.points, parts)
