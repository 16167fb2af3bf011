"""Print shell assignments telling scripts/run.sh whether PostgreSQL and Redis answer.

Creates the application database when the server answers but the database does not exist yet.
"""

import os
import shlex

import dj_database_url
import psycopg
import redis

database_url = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop")
redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")


def probe_database() -> str:
    config = dj_database_url.parse(database_url)
    if "postgresql" not in config["ENGINE"]:
        return ""
    params = {
        "host": config.get("HOST") or "127.0.0.1",
        "port": config.get("PORT") or 5432,
        "user": config.get("USER") or "postgres",
        "password": config.get("PASSWORD") or None,
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
            exists = conn.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [config["NAME"]]
            ).fetchone()
            if not exists:
                conn.execute(f'CREATE DATABASE "{config["NAME"]}"')
    except Exception as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ""


def probe_broker() -> str:
    if not redis_url.startswith("redis"):
        return ""
    try:
        redis.Redis.from_url(redis_url, socket_connect_timeout=2).ping()
    except Exception as exc:
        return str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return ""


db_problem = probe_database()
broker_problem = probe_broker()
print(f"DATABASE_FALLBACK={1 if db_problem else 0}")
print(f"DATABASE_PROBLEM={shlex.quote(db_problem)}")
print(f"BROKER_FALLBACK={1 if broker_problem else 0}")
print(f"BROKER_PROBLEM={shlex.quote(broker_problem)}")
