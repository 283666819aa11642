"""The layout a newcomer can find their way in (docs/architecture.md): no module over 400 lines
outside migrations and tests, no product module importing the benchmarks or the tests, and no
app reaching into another app's private names."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAX_LINES = 400
NOT_CODE = {".venv", "node_modules", "staticfiles", "static", "media", "var", "locale"}
NOT_PRODUCT = {"bench", "tests", "scripts"}


def python_files() -> list[Path]:
    return sorted(
        path
        for path in ROOT.rglob("*.py")
        if not NOT_CODE & set(path.relative_to(ROOT).parts)
        and not path.relative_to(ROOT).parts[0].startswith(".")
    )


def package_of(path: Path) -> str:
    return path.relative_to(ROOT).parts[0]


def imports(path: Path) -> list[tuple[str, list[str]]]:
    """(module, names) of each import in the file; names empty for `import module`."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            found += [(alias.name, []) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module, [alias.name for alias in node.names]))
    return found


def is_private(name: str) -> bool:
    return name.startswith("_") and not (name.startswith("__") and name.endswith("__"))


def test_no_module_is_over_400_lines():
    long = {
        str(path.relative_to(ROOT)): lines
        for path in python_files()
        if "migrations" not in path.parts
        and package_of(path) != "tests"
        and (lines := len(path.read_text().splitlines())) > MAX_LINES
    }
    assert long == {}


def test_no_product_module_imports_the_benchmarks_or_the_tests():
    found = [
        f"{path.relative_to(ROOT)}: {module}"
        for path in python_files()
        if package_of(path) not in NOT_PRODUCT
        for module, _names in imports(path)
        if module.split(".")[0] in {"bench", "tests"}
    ]
    assert found == []


def test_no_app_imports_another_app_s_private_names():
    found = []
    for path in python_files():
        if package_of(path) in {"tests", "bench"} or "migrations" in path.parts:
            continue
        for module, names in imports(path):
            parts = module.split(".")
            if parts[0] == package_of(path) or not (ROOT / parts[0]).is_dir():
                continue  # its own app, or a library
            private = [part for part in parts[1:] if is_private(part)]
            private += [name for name in names if is_private(name)]
            if private:
                found.append(f"{path.relative_to(ROOT)}: {module} {', '.join(private)}")
    assert found == []


def test_the_checks_see_the_code():
    """The walk finds the apps' modules, and the checks would see what they look for."""
    files = {str(path.relative_to(ROOT)) for path in python_files()}
    assert {"hazards/workflow.py", "dashboard/views.py", "bench/run.py"} <= files
    assert is_private("_helper") and not is_private("__all__")
