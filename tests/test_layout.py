"""The architecture, held by a test: apps depend one way (appointments -> treatments). Code is
shaped by concern, not by a line count, so no test counts lines."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = ["treatments", "appointments", "mesoclinic"]


def python_files(app):
    return [path for path in (ROOT / app).rglob("*.py") if "migrations" not in path.parts]


def imported_modules(path):
    modules = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            modules.extend(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            modules.append(node.module)
    return modules


def test_treatments_imports_nothing_from_appointments():
    offenders = [
        f"{path.relative_to(ROOT)} imports {module}"
        for path in python_files("treatments")
        for module in imported_modules(path)
        if module == "appointments" or module.startswith("appointments.")
    ]
    assert python_files("treatments"), "no treatments source found"
    assert offenders == []
