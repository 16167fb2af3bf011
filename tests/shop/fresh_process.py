"""Run Django in a fresh Python process, for what depends on the environment at start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    """Start a fresh Python with these environment variables and the shop's settings."""
    environment = {**os.environ, "DJANGO_SETTINGS_MODULE": "shop.settings", **env}
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
