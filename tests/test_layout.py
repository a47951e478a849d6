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


def module_name(path):
    relative = path.relative_to(ROOT).with_suffix("")
    parts = list(relative.parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def project_imports(path, *, inside_functions_only=False):
    """The project's modules that `path` imports (relative imports resolved; `from x import y` is
    x.y when y is a module of ours, else x)."""
    package = module_name(path) if path.name == "__init__.py" else module_name(path).rpartition(".")[0]
    tree = ast.parse(path.read_text(), filename=str(path))
    nested = {
        id(node)
        for function in ast.walk(tree)
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef)
        for node in ast.walk(function)
    }
    found = set()
    for node in ast.walk(tree):
        if inside_functions_only and id(node) not in nested:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*anchor, *([base] if base else [])])
            for alias in node.names:
                candidate = f"{base}.{alias.name}"
                found.add(candidate if candidate in OUR_MODULES else base)
    return {module for module in found if module in OUR_MODULES}


OUR_FILES = {module_name(path): path for app in [*APPS, "sitewide"] for path in python_files(app)}
OUR_MODULES = set(OUR_FILES)


def cycles(graph):
    """Each circle of imports, once, as the list of modules around it."""
    found, state, stack = [], {}, []

    def visit(module):
        state[module] = "open"
        stack.append(module)
        for imported in sorted(graph.get(module, ())):
            if state.get(imported) == "open":
                found.append(stack[stack.index(imported) :])
            elif imported not in state:
                visit(imported)
        stack.pop()
        state[module] = "done"

    for module in sorted(graph):
        if module not in state:
            visit(module)
    return found


def test_no_module_of_treatments_imports_another_in_a_circle():
    graph = {
        module: {imported for imported in project_imports(path) if imported.startswith("treatments")}
        for module, path in OUR_FILES.items()
        if module.startswith("treatments")
    }
    assert graph, "no treatments source found"
    assert cycles(graph) == []


def test_no_import_in_treatments_hides_inside_a_function():
    """Only AppConfig.ready() imports inside a function, as Django asks for connecting signals."""
    hidden = [
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(modules))} inside a function"
        for module, path in OUR_FILES.items()
        if module.startswith("treatments")
        and module != "treatments.apps"
        and (modules := project_imports(path, inside_functions_only=True))
    ]
    assert hidden == []
