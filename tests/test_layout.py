"""Who may import whom among the test and benchmark modules (CONTRIBUTING.md, Layout).

A test module takes shared helpers from `tests.support`, or from a helper module of its
own package (tests/golden keeps its recorder beside its tests), never from a test module
or a conftest; the benchmarks and scripts never import the tests (the tests may import
the benchmarks).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _imports(path: Path) -> Iterator[str]:
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            yield node.module


def _from_tests(folder: str) -> Iterator[tuple[Path, str]]:
    for path in sorted((ROOT / folder).rglob("*.py")):
        for module in _imports(path):
            if module == "tests" or module.startswith("tests."):
                yield path, module


def _allowed_in_tests(path: Path, module: str) -> bool:
    if module.startswith("tests.support.") or module == "tests.support":
        return True
    own_package = ".".join(path.parent.relative_to(ROOT).parts)
    if module == own_package:  # `from tests.golden import files`
        return True
    package, _, name = module.rpartition(".")
    return package == own_package and not name.startswith(("test_", "conftest"))


def test_test_modules_import_helpers_only_from_tests_support() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path, module in _from_tests("tests")
        if not _allowed_in_tests(path, module)
    ]
    assert offences == []


def test_benchmarks_and_scripts_import_nothing_from_tests() -> None:
    offences = [
        f"{path.relative_to(ROOT)} imports {module}"
        for folder in ("benchmarks", "scripts")
        for path, module in _from_tests(folder)
    ]
    assert offences == []
