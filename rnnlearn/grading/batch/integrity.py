"""Static checks on a submission's code: is an answer the course's own reference?

The dynamic check (``watch``) sees what runs; this one reads the code, so it also
catches an answer that *is* the reference without ever being called differently. It
flags a question when the notebook's final top-level binding of the question's name
is imported from ``rnnlearn.numpy`` (or ``rnnlearn.grading``), or when the body of the
learner's ``def <question>`` refers to the reference of the same name. Other uses of
the package (``rel_error``, ``sigmoid``, the learner importing ``check``) are fine.
"""

from __future__ import annotations

import ast

REFERENCE_MODULES = ("rnnlearn.numpy", "rnnlearn.grading")
DYNAMIC_IMPORTS = ("import_module", "__import__", "reload")


def _parse(source: str):
    lines = [("pass" if line.lstrip().startswith(("%", "!")) else line) for line in source.splitlines()]
    try:
        return ast.parse("\n".join(lines))
    except (SyntaxError, ValueError, RecursionError, MemoryError):  # not Python, or nested too deeply
        return None


def _is_reference(module: str) -> bool:
    return any(module == m or module.startswith(m + ".") for m in REFERENCE_MODULES)


def scan(cell_sources, question_ids):
    """Return ``(flags, notes)``: ``flags`` maps question id to a reason; ``notes`` lists findings."""
    ids = set(question_ids)
    ref_names: dict[str, str] = {}     # local name -> reference function it is
    module_names: set[str] = set()     # local names bound to a reference module (or rnnlearn)
    binding: dict[str, str] = {}       # question id -> "reference: ..." or "own"
    bodies: dict[str, ast.AST] = {}
    notes: list[str] = []
    for source in cell_sources:
        tree = _parse(source)
        if tree is None:
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", getattr(node.func, "id", ""))
                texts = [a.value for a in node.args if isinstance(a, ast.Constant) and isinstance(a.value, str)]
                if name in DYNAMIC_IMPORTS and any(t.startswith("rnnlearn") for t in texts):
                    notes.append(f"dynamic import of {texts[0]} (checked at run time)")
        for node in tree.body:
            if isinstance(node, ast.ImportFrom) and node.module:
                for alias in node.names:
                    local = alias.asname or alias.name
                    full = f"{node.module}.{alias.name}"
                    if _is_reference(node.module):
                        ref_names[local] = alias.name
                        if local in ids:
                            binding[local] = f"{local} is imported from {node.module}"
                    elif _is_reference(full) or full == "rnnlearn":
                        module_names.add(local)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name == "rnnlearn" or _is_reference(alias.name):
                        module_names.add(alias.asname or alias.name.split(".")[0])
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and node.name in ids:
                binding[node.name], bodies[node.name] = "own", node
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Name) and target.id in ids:
                        value = node.value
                        if isinstance(value, ast.Name) and value.id in ref_names:
                            binding[target.id] = f"{target.id} is the reference {ref_names[value.id]}"
                        elif _refers_to(value, target.id, ref_names, module_names):
                            binding[target.id] = f"{target.id} is the course's reference"
                        else:
                            binding[target.id] = "own"
    flags = {q: why for q, why in binding.items() if why != "own"}
    for q, body in bodies.items():
        if binding.get(q) == "own" and _refers_to(body, q, ref_names, module_names):
            flags[q] = f"your {q} calls the course's reference {q}"
    return flags, notes


def _refers_to(node, qid, ref_names, module_names) -> bool:
    """Does ``node`` use the reference ``qid`` (by an imported name or ``module.qid``)?"""
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name) and ref_names.get(sub.id) == qid:
            return True
        if isinstance(sub, ast.Attribute) and sub.attr == qid:
            base = sub.value
            while isinstance(base, ast.Attribute):
                base = base.value
            if isinstance(base, ast.Name) and base.id in module_names:
                return True
    return False
