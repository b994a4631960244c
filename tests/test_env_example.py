""".env.example lists exactly the environment variables Jalon and docker-compose.yml read.

config/settings.py is read with `ast`, not imported: every environment read is found, whether
direct (os.environ.get, os.environ[...], os.getenv, "X" in os.environ) or through a helper
function that passes one of its parameters on to such a read (env, env_bool, env_list, ...).
"""

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = ROOT / "config" / "settings.py"
ENV_EXAMPLE = ROOT / ".env.example"
COMPOSE = ROOT / "docker-compose.yml"

# "NAME=value" or "# NAME=value" (a commented, optional setting); prose comments never match.
ENV_LINE = re.compile(r"^\s*(?:#\s*)?([A-Z][A-Z0-9_]*)=")
# Compose interpolation: ${NAME}, ${NAME:-default}, ${NAME:?error}, $NAME; "$$" is a literal "$".
COMPOSE_VARIABLE = re.compile(r"\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)|\$([A-Za-z_][A-Za-z0-9_]*)")

DIRECT_READERS = {"get", "getenv", "setdefault", "pop"}


class _SettingsReads:
    """The names config/settings.py reads from the environment, and reads it cannot name."""

    def __init__(self, tree: ast.Module):
        self.os_names = {"os"}  # import os [as x]
        self.environ_names = set()  # from os import environ [as x]
        self.getenv_names = set()  # from os import getenv [as x]
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                self.os_names |= {a.asname or a.name for a in node.names if a.name == "os"}
            elif isinstance(node, ast.ImportFrom) and node.module == "os":
                for alias in node.names:
                    if alias.name == "environ":
                        self.environ_names.add(alias.asname or alias.name)
                    elif alias.name == "getenv":
                        self.getenv_names.add(alias.asname or alias.name)
        self.helpers = self._find_helpers(tree)  # function name -> its name parameter
        self.names: set[str] = set()
        self.unresolved: list[str] = []
        for node in ast.walk(tree):
            name_node = self._name_argument(node)
            if name_node is None:
                continue
            if isinstance(name_node, ast.Constant) and isinstance(name_node.value, str):
                self.names.add(name_node.value)
            elif not self._is_forwarded_parameter(name_node, tree):
                self.unresolved.append(f"line {node.lineno}: {ast.unparse(node)}")

    def _is_environ(self, node: ast.expr) -> bool:
        if isinstance(node, ast.Name):
            return node.id in self.environ_names
        return (
            isinstance(node, ast.Attribute)
            and node.attr == "environ"
            and isinstance(node.value, ast.Name)
            and node.value.id in self.os_names
        )

    def _direct_call(self, func: ast.expr) -> bool:
        if isinstance(func, ast.Name):
            return func.id in self.getenv_names
        if not isinstance(func, ast.Attribute):
            return False
        if func.attr in DIRECT_READERS and self._is_environ(func.value):
            return True  # os.environ.get(...), environ.setdefault(...)
        return (
            func.attr == "getenv"
            and isinstance(func.value, ast.Name)
            and func.value.id in self.os_names
        )

    def _name_argument(self, node: ast.AST, helpers: dict | None = None) -> ast.expr | None:
        """The expression naming the variable, when `node` reads the environment."""
        helpers = self.helpers if helpers is None else helpers
        if isinstance(node, ast.Subscript) and self._is_environ(node.value):
            return node.slice
        if (
            isinstance(node, ast.Compare)
            and len(node.ops) == 1
            and isinstance(node.ops[0], ast.In | ast.NotIn)
            and self._is_environ(node.comparators[0])
        ):
            return node.left
        if not isinstance(node, ast.Call):
            return None
        if self._direct_call(node.func):
            index, keyword = 0, "key"
        elif isinstance(node.func, ast.Name) and node.func.id in helpers:
            index, keyword = helpers[node.func.id]
        else:
            return None
        if len(node.args) > index and not isinstance(node.args[index], ast.Starred):
            return node.args[index]
        for kw in node.keywords:
            if kw.arg == keyword:
                return kw.value
        return ast.Name(id="<missing>")  # e.g. env(*args): cannot be named

    def _find_helpers(self, tree: ast.Module) -> dict[str, tuple[int, str]]:
        """Functions that read the environment variable named by one of their parameters."""
        functions = [n for n in ast.walk(tree) if isinstance(n, ast.FunctionDef)]
        helpers: dict[str, tuple[int, str]] = {}
        changed = True
        while changed:
            changed = False
            for function in functions:
                if function.name in helpers:
                    continue
                params = [a.arg for a in function.args.posonlyargs + function.args.args]
                for node in ast.walk(function):
                    name_node = self._name_argument(node, helpers)
                    if isinstance(name_node, ast.Name) and name_node.id in params:
                        helpers[function.name] = (params.index(name_node.id), name_node.id)
                        changed = True
                        break
        return helpers

    def _is_forwarded_parameter(self, name_node: ast.expr, tree: ast.Module) -> bool:
        """A helper passing its own name parameter on (env_list calling env(name, ...))."""
        if not isinstance(name_node, ast.Name):
            return False
        for function in ast.walk(tree):
            if (
                isinstance(function, ast.FunctionDef)
                and function.name in self.helpers
                and self.helpers[function.name][1] == name_node.id
                and any(n is name_node for n in ast.walk(function))
            ):
                return True
        return False


def settings_reads() -> _SettingsReads:
    return _SettingsReads(ast.parse(SETTINGS.read_text(encoding="utf-8"), filename=str(SETTINGS)))


def env_example_names() -> list[str]:
    lines = ENV_EXAMPLE.read_text(encoding="utf-8").splitlines()
    return [m.group(1) for m in map(ENV_LINE.match, lines) if m]


def compose_names() -> set[str]:
    text = COMPOSE.read_text(encoding="utf-8")
    return {m.group(1) or m.group(2) for m in COMPOSE_VARIABLE.finditer(text) if m.group(0) != "$$"}


def test_settings_reads_are_all_found_by_name():
    reads = settings_reads()
    assert {"env", "env_bool", "env_list"} <= set(reads.helpers)
    assert {"DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "DATABASE_URL", "AXES_ENABLED"} <= reads.names
    assert not reads.unresolved, (
        "config/settings.py reads environment variables whose name is not a literal string, so "
        "this test cannot check them against .env.example:\n" + "\n".join(reads.unresolved)
    )


def test_env_example_lists_each_variable_once():
    names = env_example_names()
    assert len(names) > 20
    duplicates = sorted({name for name in names if names.count(name) > 1})
    assert not duplicates, f".env.example lists these more than once: {duplicates}"


def test_every_setting_read_is_in_env_example():
    missing = sorted(settings_reads().names - set(env_example_names()))
    assert not missing, (
        f"config/settings.py reads {missing} but .env.example does not list them: add "
        "'# NAME=default' lines with a short comment (and rows to README.md, Configuration)"
    )


def test_every_env_example_variable_is_read():
    unread = sorted(set(env_example_names()) - settings_reads().names - compose_names())
    assert not unread, (
        f".env.example lists {unread}, read neither by config/settings.py nor by docker-compose.yml"
    )


def test_every_compose_variable_is_in_env_example():
    assert {"POSTGRES_PASSWORD", "SECRET_KEY"} <= compose_names()
    assert "HOSTNAME" not in compose_names()  # "$$HOSTNAME" is the container's, not Compose's
    missing = sorted(compose_names() - set(env_example_names()))
    assert not missing, f"docker-compose.yml interpolates {missing}, missing from .env.example"
