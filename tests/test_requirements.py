"""The locked requirements: the runtime set carries no test or tooling package, every package of
both sets is pinned with its hashes, and the development set holds the runtime set unchanged."""

import re
from pathlib import Path

REQUIREMENTS = Path(__file__).resolve().parent.parent / "requirements"
PINNED = re.compile(r"^([A-Za-z0-9_.\-]+)==([^ \\]+) \\$", re.MULTILINE)
TOOLS = {
    "pytest",
    "pytest-django",
    "playwright",
    "ruff",
    "hypothesis",
    "beautifulsoup4",
    "extruct",
    "zxing-cpp",
    "aiosmtpd",
    "pip-tools",
}


def pins(name: str) -> dict[str, str]:
    return {package.lower(): version for package, version in PINNED.findall((REQUIREMENTS / name).read_text())}


def test_make_serve_installs_no_test_or_tooling_package():
    runtime = pins("runtime.txt")
    assert "django" in runtime
    assert TOOLS.isdisjoint(runtime)


def test_every_locked_package_is_pinned_with_hashes():
    for name in ["runtime.txt", "development.txt"]:
        text = (REQUIREMENTS / name).read_text()
        requirements = [line for line in text.splitlines() if line and not line.startswith((" ", "#"))]
        assert requirements, name
        assert all(re.fullmatch(r"[A-Za-z0-9_.\-]+==\S+ \\", line) for line in requirements), name
        assert text.count("==") == len(requirements)
        assert text.count("--hash=sha256:") >= len(requirements)


def test_the_development_set_holds_the_runtime_set_unchanged():
    runtime, development = pins("runtime.txt"), pins("development.txt")
    assert {package: development.get(package) for package in runtime} == runtime
    assert set(development) >= TOOLS
