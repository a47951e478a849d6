"""The architecture, held by tests: apps depend one way (appointments -> treatments), and no file
of the apps grows past what a reader takes in at once."""

import ast
from pathlib import Path

import pytest

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


@pytest.mark.parametrize("app", APPS)
def test_no_file_of_the_apps_is_over_300_lines(app):
    long_files = {
        str(path.relative_to(ROOT)): length
        for path in python_files(app)
        if (length := len(path.read_text().splitlines())) > 300
    }
    assert long_files == {}
