"""The shape of the source (issue 10): no import circles, imports at module level, small modules and
functions. Read from the files' syntax trees, so a function-level or ``TYPE_CHECKING`` import counts."""

from __future__ import annotations

import ast
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "signoff"
MAX_MODULE_LINES = 600
MAX_FUNCTION_LINES = 80
#: Modules that may import inside a function, and why. Nothing else may.
LAZY_IMPORTS = {
    # `signoff serve` needs the optional `web` extra (textual-serve, aiohttp); without it the command
    # says how to install it instead of every command failing at start-up.
    "signoff.cli.serve",
    # `signoff scan --no-ai` (the CI gate's question check, issue 13's speed goal) does not load the
    # provenance stage: its AI catalogue and regexes cost start-up time on every scan otherwise.
    "signoff.analysis",
}


def _modules() -> dict[str, tuple[Path, ast.Module]]:
    out = {}
    for path in sorted(PKG.rglob("*.py")):
        parts = list(path.relative_to(SRC).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        out[".".join(parts)] = (path, ast.parse(path.read_text(encoding="utf-8"), str(path)))
    return out


def _is_package(path: Path) -> bool:
    return path.name == "__init__.py"


def _imported(name: str, path: Path, node: ast.Import | ast.ImportFrom, known: set[str]) -> set[str]:
    """The signoff modules ``node`` (in module ``name``) imports."""

    def owner(dotted: str) -> str | None:
        while dotted and dotted not in known:
            dotted = dotted.rpartition(".")[0]
        return dotted or None

    targets: list[str] = []
    if isinstance(node, ast.Import):
        targets = [a.name for a in node.names]
    else:
        base = node.module or ""
        if node.level:
            here = name.split(".") if _is_package(path) else name.split(".")[:-1]
            here = here[: len(here) - (node.level - 1)]
            base = ".".join(here + ([node.module] if node.module else []))
        # ``from pkg import mod`` imports the module ``pkg.mod``; ``from mod import name`` the module.
        targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in known else base for a in node.names]
    return {m for t in targets if t.startswith("signoff") and (m := owner(t)) and m != name}


def _graph(mods: dict[str, tuple[Path, ast.Module]]) -> dict[str, set[str]]:
    known = set(mods)
    graph: dict[str, set[str]] = {}
    for name, (path, tree) in mods.items():
        deps: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                deps |= _imported(name, path, node, known)
        graph[name] = deps
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(graph):
        if root in index:
            continue
        work = [(root, iter(sorted(graph[root])))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            v, it = work[-1]
            for w in it:
                if w not in index:
                    index[w] = low[w] = len(index)
                    stack.append(w)
                    on_stack.add(w)
                    work.append((w, iter(sorted(graph.get(w, ())))))
                    break
                if w in on_stack:
                    low[v] = min(low[v], index[w])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[v])
                if low[v] == index[v]:
                    comp = []
                    while True:
                        w = stack.pop()
                        on_stack.discard(w)
                        comp.append(w)
                        if w == v:
                            break
                    if len(comp) > 1:
                        found.append(sorted(comp))
    return found


def test_the_cycle_finder_finds_a_circle() -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}, "e": set()}
    assert _cycles(graph) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_circles() -> None:
    """No two modules of signoff import each other, directly or through others (any import counts)."""
    cycles = _cycles(_graph(_modules()))
    assert not cycles, f"import circles: {cycles}"


def test_the_graph_sees_relative_and_function_level_imports(tmp_path: Path) -> None:
    tree = ast.parse("def f():\n    from . import b\n    import signoff.c.d\n")
    known = {"signoff.a", "signoff.b", "signoff.c", "signoff.c.d"}
    deps: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            deps |= _imported("signoff.a", tmp_path / "a.py", node, known)
    assert deps == {"signoff.b", "signoff.c.d"}


def test_imports_are_at_module_level() -> None:
    """Imports inside functions hide dependencies (and circles); only the listed modules may."""
    found = []
    for name, (path, tree) in _modules().items():
        if name in LAZY_IMPORTS:
            continue
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                for node in ast.walk(fn):
                    if isinstance(node, ast.Import | ast.ImportFrom):
                        found.append(f"{path.relative_to(SRC)}:{node.lineno} in {fn.name}")
    assert not found, "function-level imports: " + ", ".join(found)


def test_modules_and_functions_are_small() -> None:
    big = []
    for path, tree in _modules().values():
        rel = path.relative_to(SRC)
        lines = len(path.read_text(encoding="utf-8").splitlines())
        if lines > MAX_MODULE_LINES:
            big.append(f"{rel}: {lines} lines (max {MAX_MODULE_LINES})")
        for fn in ast.walk(tree):
            if isinstance(fn, ast.FunctionDef | ast.AsyncFunctionDef):
                size = (fn.end_lineno or fn.lineno) - fn.lineno + 1
                if size > MAX_FUNCTION_LINES:
                    big.append(f"{rel}:{fn.lineno} {fn.name}: {size} lines (max {MAX_FUNCTION_LINES})")
    assert not big, "too large: " + "; ".join(big)
