"""`make run` tells a newcomer what they need: every demo login, the address it binds."""

from pathlib import Path

from catalog.demo.data import USERS

ROOT = Path(__file__).resolve().parents[2]


def test_every_demo_login_the_seed_creates_is_listed():
    script = (ROOT / "scripts" / "run.sh").read_text()

    for username, password in USERS.items():
        assert f"{username} / {password}" in script


def test_the_web_process_binds_the_address_it_prints():
    script = (ROOT / "scripts" / "run.sh").read_text()
    procfile = (ROOT / "Procfile").read_text()

    assert "http://${HOST}:${PORT}/" in script
    assert "runserver ${HOST:-127.0.0.1}:${PORT:-8000}" in procfile
    assert 'HOST="${HOST:-127.0.0.1}"' in script


def test_ordinary_403_and_404_are_not_logged_twice(settings):
    assert settings.LOGGING["loggers"]["django.request"]["level"] == "ERROR"
