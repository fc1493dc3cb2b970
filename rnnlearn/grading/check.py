"""``check(name, answer)``: feedback on one answer, and ``questions()``.

The same function scores a learner's answer in their notebook and a submission's
answer in the batch grader: it only sees an ``Answer`` (see ``answer.py``).
"""

from __future__ import annotations

import zlib

import numpy as np

from rnnlearn.errors import input_error

from . import result
from .answer import AnswerCrashed, ReferenceUsed, Unfinished, as_answer
from .compare import WrongOutput
from .registry import QUESTIONS
from .scoring import Attempt

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
    answer : callable or answer.Answer
        The learner's function (or the batch grader's stand-in for one).
    seed : int, optional
        Seed of the random test inputs. The default is fixed per question, so feedback
        is reproducible; the batch grader passes fresh seeds.

    Returns
    -------
    CheckResult
    """
    if name not in QUESTIONS:
        raise input_error("check", "name", f"a question id, one of {sorted(QUESTIONS)}", repr(name))
    q, answer = QUESTIONS[name], as_answer(answer)
    why = answer.origin()
    if why:
        return result.flagged(name, q.points, REFERENCE_USED.format(why=why, id=name))
    problem = answer.signature_problem(len(q.arg_names), q.signature)
    if problem:
        return result.CheckResult(name, False, 0.0, q.points, problem, "failed")
    default_seed = zlib.crc32(name.encode())
    attempt = Attempt(q, answer, np.random.default_rng(default_seed if seed is None else seed))
    try:
        parts = q.grade(attempt)
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
    except Exception as exc:  # a value no comparison foresaw: reported, never raised at the learner
        return result.crashed(name, q.points, f"your {name} returned something the checker could not "
                                              f"compare ({type(exc).__name__}: {str(exc)[:200]}).")
    return result.from_parts(name, q.points, parts)
