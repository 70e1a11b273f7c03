"""Every `audit()` call of the application, read from the source (AST): the actions it may
write and the kinds of target it names. tests/participation/test_audit_words.py checks each has
a French sentence. An action or a kind the reader cannot resolve to literals is reported, so a
new dynamic one is named with literals (or added to `DYNAMIC` below with where its values come
from)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from participation import features

ROOT = Path(__file__).resolve().parents[1]
CALLS = {"audit", "_audit"}  # the core's audit() and the features' one-line wrappers of it


@dataclass(frozen=True)
class Site:
    where: str  # path:line
    actions: frozenset[str]  # "decision:" (an f-string's literal start) means "decision:<any>"
    kinds: frozenset[str]
    unresolved: tuple[str, ...]  # what could not be read as literals


def sources() -> Iterator[Path]:
    """The application's modules: the core and every installed feature, migrations aside."""
    packages = {f.package.split(".")[0] for f in features.FEATURES} | {"participation"}
    for package in sorted(packages):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" not in path.parts:
                yield path


def _assignments(function: ast.AST) -> dict[str, list[ast.expr]]:
    found: dict[str, list[ast.expr]] = {}
    for node in ast.walk(function):
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    found.setdefault(target.id, []).append(node.value)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
            found.setdefault(node.target.id, []).append(node.value)
    return found


def _values(
    node: ast.expr, local: dict[str, list[ast.expr]], module: dict[str, list[ast.expr]]
) -> set[str] | None:
    """The literal strings `node` may be, or None when it is not made of literals."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return {node.value}
    if isinstance(node, ast.IfExp):
        a, b = _values(node.body, local, module), _values(node.orelse, local, module)
        return None if a is None or b is None else a | b
    if isinstance(node, ast.JoinedStr):
        first = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and isinstance(first.value, str):
            return {first.value}  # the literal start: "decision:" for f"decision:{...}"
        return None
    if isinstance(node, ast.Name):
        for scope in (local, module):
            if node.id in scope:
                out: set[str] = set()
                for value in scope[node.id]:
                    got = _values(value, {}, module)
                    if got is None:
                        return None
                    out |= got
                return out
    return None


def _argument(call: ast.Call, position: int, name: str) -> ast.expr | None:
    if len(call.args) > position:
        return call.args[position]
    return next((k.value for k in call.keywords if k.arg == name), None)


def sites() -> list[Site]:
    found = []
    for path in sources():
        tree = ast.parse(path.read_text(), str(path))
        module = _assignments(ast.Module(body=[n for n in tree.body], type_ignores=[]))
        for function in ast.walk(tree):
            if not isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                continue
            if function.name in CALLS:
                continue  # the wrappers themselves pass their parameter on
            local = _assignments(function)
            for call in ast.walk(function):
                if not isinstance(call, ast.Call):
                    continue
                func = call.func
                name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
                if name not in CALLS:
                    continue
                wrapper = name == "_audit"  # (by_user, action, <id>, ...): the kind is fixed
                action = _argument(call, 1, "action")
                kind = None if wrapper else _argument(call, 2, "target_kind")
                where = f"{path.relative_to(ROOT)}:{call.lineno}"
                unresolved = []
                actions = _values(action, local, module) if action is not None else None
                if actions is None:
                    unresolved.append(f"action {ast.unparse(action) if action else '?'}")
                kinds = _values(kind, local, module) if kind is not None else set()
                if kinds is None:
                    unresolved.append(f"kind {ast.unparse(kind) if kind else '?'}")
                found.append(
                    Site(where, frozenset(actions or ()), frozenset(kinds or ()), tuple(unresolved))
                )
    return found
