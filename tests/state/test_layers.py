"""Layering: states never import pages, never open the database themselves except through
services, and no two state modules import each other (directly or around a circle)."""

from __future__ import annotations

import ast
from pathlib import Path

STATE = Path(__file__).resolve().parents[2] / "ahportal" / "state"


def _imports(path: Path) -> set[str]:
    """Every module a file imports, at any depth (function-level imports included)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return found


def _state_modules() -> dict[str, set[str]]:
    return {f"ahportal.state.{p.stem}": _imports(p) for p in STATE.glob("*.py")}


def test_states_never_import_pages_or_components():
    for module, imports in _state_modules().items():
        bad = {i for i in imports if i.startswith(("ahportal.pages", "ahportal.components"))}
        assert not bad, f"{module} imports {sorted(bad)}"


_DB_CALLS = {"get", "exec", "execute", "add", "delete", "commit", "flush", "query", "scalar"}


def test_states_never_read_or_write_the_database_themselves():
    """A state opens a session only to hand it to services (the Session type is fine)."""
    for path in STATE.glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module in ("sqlmodel", "sqlalchemy"):
                assert [a.name for a in node.names] == ["Session"], f"{path.name} imports SQL"
            if isinstance(node, ast.ImportFrom) and node.module == "ahportal.models":
                tables = {"Person", "Organization", "Account", "UnitBinding", "FlowRecord"}
                names = {a.name for a in node.names}
                assert not names & tables, f"{path.name} imports tables {names & tables}"
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and isinstance(node.func.value, ast.Name)
                and node.func.value.id == "session"
                and node.func.attr in _DB_CALLS
            ):
                raise AssertionError(f"{path.name}:{node.lineno} calls session.{node.func.attr}")


def test_no_import_cycle_between_states():
    modules = _state_modules()
    graph = {
        name: {other for other in modules if other != name and other in imports}
        for name, imports in modules.items()
    }

    def reaches(start: str, target: str, seen: set[str]) -> bool:
        for nxt in graph[start]:
            if nxt == target or (nxt not in seen and reaches(nxt, target, seen | {nxt})):
                return True
        return False

    cycles = [name for name in graph if reaches(name, name, {name})]
    assert not cycles, f"state modules in an import cycle: {cycles}"


def test_only_the_display_module_reads_model_vocabulary():
    """States call services; display.py alone maps the domain's enums to Chinese labels."""
    for module, imports in _state_modules().items():
        if module == "ahportal.state.display":
            continue
        models = {i for i in imports if i.startswith("ahportal.models")}
        assert not models, f"{module} imports {sorted(models)}"


def test_equal_status_values_of_different_kinds_keep_their_own_labels():
    from ahportal.models import DeclarationStatus, LibraryStatus, PlanStatus
    from ahportal.state import display

    assert display.status_label(LibraryStatus.DRAFT) == "草稿"
    assert display.status_label(DeclarationStatus.DRAFT) == "填报中"
    assert display.status_label(PlanStatus.DRAFT) == "草稿"
    assert display.status_label(DeclarationStatus.RETURNED) == "已退回"
    assert display.status_color(DeclarationStatus.PASSED) == "green"
