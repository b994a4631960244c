"""The shape of the code: apps in one-way layers, config that is only configuration, modules a
reader can hold in mind."""

import ast
from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
# From the top down: each app may import the ones below it, never one above.
LAYERS = [
    "config",
    "demo",
    "privacy",
    "integrations",
    "api",
    "mail",
    "search",
    "forecasting",
    "prospects",
    "quotes",
    "pipeline",
    "catalogue",
    "contacts",
    "accounts",
    "core",
]
CONFIG_MODULES = {"__init__", "settings", "urls", "celery", "wsgi", "asgi"}
LONG_MODULE_LINES = 500
LONG_MODULE_REASON = "Long because"


def test_the_layers_contract_holds():
    """import-linter reads the contract from pyproject.toml; imports inside functions count."""
    assert lint_imports(no_cache=True, no_logo=True) == 0


def test_the_contract_names_every_app_in_order():
    text = (ROOT / "pyproject.toml").read_text()
    listed = "".join(f'\n    "{app}",' for app in LAYERS)
    assert f"layers = [{listed}\n]" in text
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")} | {"config"}
    assert apps == set(LAYERS), "a new app must take its place in the layers"


def test_an_import_inside_a_function_counts(tmp_path, monkeypatch):
    """The graph the contract is checked on includes imports hidden in function bodies."""
    package = tmp_path / "layered"
    (package / "low").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "low" / "__init__.py").write_text("def f():\n    from layered import high\n")
    (package / "high.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    graph = grimp.build_graph("layered", cache_dir=None)
    assert graph.direct_import_exists(importer="layered.low", imported="layered.high")


def test_config_holds_configuration_only():
    modules = {p.stem for p in (ROOT / "config").glob("*.py")}
    assert modules <= CONFIG_MODULES, f"feature code in config/: {modules - CONFIG_MODULES}"


def _app_modules():
    for app in LAYERS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def test_long_modules_say_why():
    """A module over ~500 lines states its reason in its docstring ("Long because ...")."""
    unexplained = []
    for path in _app_modules():
        text = path.read_text()
        if text.count("\n") > LONG_MODULE_LINES:
            docstring = ast.get_docstring(ast.parse(text)) or ""
            if LONG_MODULE_REASON not in docstring:
                unexplained.append(f"{path.relative_to(ROOT)}: {text.count(chr(10))} lines")
    assert not unexplained, "\n".join(unexplained)
