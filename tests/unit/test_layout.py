"""The folder rules of README's "Layout", checked on the imports of every module (read with ast, nothing imported)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PACKAGES = ("studio", "faq_catalog", "overlays")
WEB = ("flask", "flask_socketio", "werkzeug")
DATABASE = ("sqlalchemy", "alembic")


def _module(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.AST) -> set[int]:
    """ids of the import nodes under `if TYPE_CHECKING:`: annotations, not run-time dependencies."""
    return {id(n) for block in ast.walk(tree) if isinstance(block, ast.If) and getattr(block.test, "id", "") ==
            "TYPE_CHECKING" for stmt in block.body for n in ast.walk(stmt)}


def _imports(path: Path) -> set[str]:
    names = set()
    tree = ast.parse(path.read_text(), str(path))
    skip = _type_checking_only(tree)
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)  # the tree has no relative imports: see the last test
            names.update(f"{node.module}.{a.name}" for a in node.names)
    return names


MODULES = {_module(p): p for pkg in PACKAGES for p in (REPO / pkg).rglob("*.py") if "migrations" not in p.parts}
IMPORTS = {m: _imports(p) for m, p in MODULES.items()}


def _under(name: str, *prefixes: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in prefixes)


def _violations(modules, forbidden, allowed=()) -> list[str]:
    return sorted(f"{m} imports {i}" for m in modules for i in IMPORTS[m]
                  if _under(i, *forbidden) and not _under(i, *allowed))


def _in(*prefixes: str) -> list[str]:
    return [m for m in MODULES if _under(m, *prefixes)]


RULES = {
    "faq_catalog knows no web, database or studio": (_in("faq_catalog"), (*WEB, *DATABASE, "studio", "overlays"), ()),
    "adapters import only their own package and blocks": (
        _in("studio.sources"), (*WEB, *DATABASE, "studio"), ("studio.sources", "studio.blocks")),
    "blocks import nothing of the studio": (_in("studio.blocks"), ("studio", "overlays", *WEB, *DATABASE),
                                            ("studio.blocks",)),
    "the store knows no web": (_in("studio.store"), (*WEB, "studio.http"), ()),
    "the errors know nothing": (_in("studio.errors"), ("studio", *WEB, *DATABASE), ()),
    "pages never import API modules": (_in("studio.http.pages", "overlays.pages"), ("studio.http.api",), ()),
    "only the app module imports the HTTP layer": (
        [m for m in MODULES if not _under(m, "studio.http", "studio.app", "overlays.pages")], ("studio.http",), ()),
    "services reach flask only at the edge": (
        [m for m in _in("studio") if not _under(m, "studio.http", "studio.app", "studio.access")], WEB, ()),
    "the OBS driver knows no server": (_in("overlays.obs", "overlays.obs_client"), ("studio", *WEB, *DATABASE),
                                       ("studio.blocks",)),
}


@pytest.mark.parametrize("rule", RULES)
def test_folder_rule(rule):
    modules, forbidden, allowed = RULES[rule]
    assert modules, f"rule {rule!r} checks no module: the tree moved"
    assert _violations(modules, forbidden, allowed) == []


def test_no_import_cycles_between_modules():
    graph = {m: {i for i in IMPORTS[m] if i in MODULES and i != m} for m in MODULES}
    state: dict[str, int] = {}
    cycles = []

    def visit(m: str, path: list[str]) -> None:
        state[m] = 1
        for n in graph[m]:
            if state.get(n) == 1:
                cycles.append(" → ".join(path[path.index(n):] + [n]) if n in path else n)
            elif n not in state:
                visit(n, path + [n])
        state[m] = 2

    for m in sorted(graph):
        if m not in state:
            visit(m, [m])
    assert cycles == []


def test_every_import_is_absolute():
    relative = [f"{m}: from {'.' * n.level}{n.module or ''}" for m, p in MODULES.items()
                for n in ast.walk(ast.parse(p.read_text())) if isinstance(n, ast.ImportFrom) and n.level]
    assert relative == []
