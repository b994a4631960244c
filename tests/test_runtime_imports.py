"""Runtime code does not depend on the test suite: no module outside tests/ imports `tests` or
factory-boy (`seed_demo` builds the demo through the services), so a production install without
the test extra runs."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEST_ONLY = {"tests", "factory"}


def runtime_files():
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT).parts
        if parts[0] in ("tests", "media") or any(part.startswith(".") for part in parts):
            continue
        yield path


def imported_roots(tree: ast.AST):
    """The top-level package of every import, those inside functions included."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name.split(".")[0]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            yield node.lineno, node.module.split(".")[0]


def test_walk_sees_imports_inside_functions():
    tree = ast.parse("def f():\n    from tests import factories\n    import factory.random\n")
    assert [root for _line, root in imported_roots(tree)] == ["tests", "factory"]


def test_no_runtime_module_imports_tests_or_factory_boy():
    files = list(runtime_files())
    assert any(
        path.parts[-4:] == ("demo", "management", "commands", "seed_demo.py") for path in files
    )
    found = [
        f"{path.relative_to(ROOT)}:{line} imports {root}"
        for path in files
        for line, root in imported_roots(ast.parse(path.read_text(), filename=str(path)))
        if root in TEST_ONLY
    ]
    assert not found, "\n".join(found)
