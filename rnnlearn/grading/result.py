"""What a check returns: a score, a status and feedback that says what to fix.

A ``CheckResult`` is shown in a notebook (``_repr_html_``, compact) and as plain text
elsewhere (``__str__`` / ``__repr__``). Both are deterministic for a given answer: no
timings, no addresses, no random numbers, so nbval can compare stored outputs.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from rnnlearn.errors import input_error

STATUSES = ("passed", "partial", "failed", "unfinished", "error")

_BADGE = {
    "passed": ("#1a7f37", "passed"),
    "partial": ("#9a6700", "partly right"),
    "failed": ("#cf222e", "not yet right"),
    "unfinished": ("#57606a", "not done yet"),
    "error": ("#cf222e", "crashed"),
}


@dataclass(frozen=True)
class Part:
    """One graded part of a question (e.g. ``dx`` of a backward pass).

    ``ok`` says whether the part earned its ``weight``; ``message`` says why not.
    """

    name: str
    weight: float
    ok: bool
    message: str = ""


@dataclass(frozen=True)
class CheckResult:
    """The outcome of ``check(name, answer)``.

    Attributes
    ----------
    name : str
        The question id, e.g. ``"rnn_step_forward"``.
    passed : bool
        True only when every part is right (full marks).
    score, max_score : float
        Points earned and points available.
    feedback : str
        What is right, what is wrong and, when a known mistake was recognised, a hint.
    status : str
        One of ``"passed"``, ``"partial"``, ``"failed"``, ``"unfinished"``, ``"error"``.
    parts : tuple of Part
        The per-part breakdown behind ``score``.
    flags : tuple of str
        Integrity findings (e.g. the answer is the package's own reference).
    """

    name: str
    passed: bool
    score: float
    max_score: float
    feedback: str
    status: str
    parts: tuple[Part, ...] = field(default_factory=tuple)
    flags: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self):
        if self.status not in STATUSES:
            raise input_error("CheckResult", "status", f"one of {STATUSES}", repr(self.status))

    def _headline(self) -> str:
        label = _BADGE[self.status][1]
        return f"{self.name}: {label} ({_points(self.score)}/{_points(self.max_score)} points)"

    def __str__(self) -> str:
        lines = [self._headline()]
        lines += ["  " + line for line in self.feedback.splitlines() if line.strip()]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)

    def _repr_html_(self) -> str:
        colour, label = _BADGE[self.status]
        items = "".join(f"<li>{html.escape(line)}</li>"
                        for line in self.feedback.splitlines() if line.strip())
        return (f'<div style="border-left:4px solid {colour};padding:2px 8px;margin:2px 0">'
                f'<b>{html.escape(self.name)}</b>: '
                f'<span style="color:{colour}">{label}</span> '
                f'({_points(self.score)}/{_points(self.max_score)} points)'
                f'<ul style="margin:2px 0">{items}</ul></div>')


def _points(value: float) -> str:
    """``2.0`` -> ``"2"``, ``1.5`` -> ``"1.5"``, ``0.6667`` -> ``"0.67"``."""
    return f"{round(value, 2):g}"


def from_parts(name, max_score, parts, *, flags=(), notes=()) -> CheckResult:
    """Score a list of ``Part``: points in proportion to the weight of the parts that are ok."""
    total = sum(p.weight for p in parts) or 1.0
    earned = sum(p.weight for p in parts if p.ok)
    score = max_score * earned / total
    passed = bool(parts) and all(p.ok for p in parts)
    status = "passed" if passed else ("partial" if score > 0 else "failed")
    lines = [f"{p.name}: ok" if p.ok else f"{p.name}: {p.message}" for p in parts]
    return CheckResult(name, passed, round(score, 4), float(max_score),
                       "\n".join(list(lines) + list(notes)), status, tuple(parts), tuple(flags))


def unfinished(name, max_score, message) -> CheckResult:
    """An answer that is missing or still raises ``NotImplementedError``."""
    return CheckResult(name, False, 0.0, float(max_score), message, "unfinished")


def crashed(name, max_score, message) -> CheckResult:
    """An answer (or the grader talking to it) failed before any part could be scored."""
    return CheckResult(name, False, 0.0, float(max_score), message, "error")


def flagged(name, max_score, reason) -> CheckResult:
    """An answer that is, or calls, the package's own reference: 0 points, with the reason."""
    return CheckResult(name, False, 0.0, float(max_score), reason, "failed", (), (reason,))
