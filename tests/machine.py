"""What this machine offers the tests: the browser, and whether we run under CI (where nothing
may be skipped for want of it)."""

import os
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium"))
IN_CI = os.environ.get("CI", "").lower() in {"1", "true", "yes"}
