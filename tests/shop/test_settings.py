"""Settings come from the environment: what a deployment sets is what the shop runs with."""

import json
import os
import secrets
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


def test_a_push_provider_is_configured_by_its_url_and_secret_in_the_environment():
    # when: SMS points at a provider, nothing else does
    result = run_django(
        "from django.conf import settings; import json;"
        "print(json.dumps(settings.NOTIFICATION_BACKENDS))",
        NOTIFY_SMS_URL="https://sms.example.com/send",
        NOTIFY_SMS_SECRET="s3cret",
    )
    # then: SMS goes through the signed-HTTP provider; app push and WeChat stay on the log
    assert result.returncode == 0, result.stderr
    backends = json.loads(result.stdout)
    assert set(backends) == {"sms"}
    assert backends["sms"]["BACKEND"] == "notifications.channels.signed_http.SignedHttpBackend"
    assert backends["sms"]["OPTIONS"]["url"] == "https://sms.example.com/send"
    assert backends["sms"]["OPTIONS"]["secret"] == "s3cret"


def test_a_production_configuration_passes_the_deployment_checks():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "shop.example.com",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout
