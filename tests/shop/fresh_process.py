"""Run Django in a fresh Python process, for what depends on the environment at start-up."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def clean_environment(**env) -> dict:
    """This process's environment without what the test run itself set for Playwright (the
    browser tests allow async-unsafe ORM calls, which check --deploy rightly refuses)."""
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"}
    return {**environment, **env}


def run_django(code: str, **env) -> subprocess.CompletedProcess:
    """Start a fresh Python with these environment variables and the shop's settings."""
    environment = clean_environment(DJANGO_SETTINGS_MODULE="shop.settings", **env)
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )
