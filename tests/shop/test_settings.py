"""Settings come from the environment: what a deployment sets is what the shop runs with."""

import json
import secrets
import subprocess
import sys

from tests.shop.fresh_process import ROOT, clean_environment, run_django


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
        env=clean_environment(
            DEBUG="0", SECRET_KEY=secrets.token_urlsafe(50), ALLOWED_HOSTS="shop.example.com"
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_in_production_healthz_answers_over_plain_http_while_pages_redirect_to_https():
    result = run_django(
        "from django.test import Client; c = Client();"
        "print(c.get('/healthz').status_code, c.get('/').status_code)",
        DEBUG="0",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    health, home = result.stdout.split()
    assert health in ("200", "503") and home == "301"


def test_a_plain_http_deployment_can_turn_secure_cookies_off():
    code = (
        "from django.conf import settings;"
        "print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE)"
    )
    production = {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(50)}
    assert run_django(code, **production).stdout.split() == ["True", "True"]
    assert run_django(code, **production, SECURE_COOKIES="0").stdout.split() == ["False", "False"]
