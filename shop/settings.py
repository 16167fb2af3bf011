"""Shop settings, read from the environment with safe defaults for a local run.

Every value a deployment changes comes from an environment variable; the defaults point at the
local PostgreSQL and Redis so that `make run` and `make test` need no configuration.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from kombu import Queue

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


# Fail closed: a deployment that forgets DEBUG runs in production mode. `make run`, the tests
# (shop/settings_test.py) and docker-compose on a laptop turn it on explicitly.
DEBUG = env_bool("DEBUG", False)
# The fixed key is for local development only: with DEBUG off the shop refuses to start on it
# (see the security section below), since it signs sessions, password resets and callbacks.
DEVELOPMENT_SECRET_KEY = "django-insecure-local-development-only-key"
SECRET_KEY = os.environ.get("SECRET_KEY", DEVELOPMENT_SECRET_KEY)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")
# Where the sandbox gateway and sandbox courier (running in a Celery worker) post their signed
# callbacks: the web service as the worker reaches it (in docker-compose, http://web:8000).
SANDBOX_CALLBACK_URL = os.environ.get("SANDBOX_CALLBACK_URL", SITE_URL)
# Kuaidi100 (courier aggregator): the account key subscribes parcels, the salt signs the pushes
# it sends back, the customer id queries. Without key and salt the real couriers' parcels are
# not tracked and /api/logistics/webhook/kuaidi100/ refuses every push.
KUAIDI100_KEY = os.environ.get("KUAIDI100_KEY", "")
KUAIDI100_SALT = os.environ.get("KUAIDI100_SALT", "")
KUAIDI100_CUSTOMER = os.environ.get("KUAIDI100_CUSTOMER", "")
# Logistics: the courier a merchant ships with when they name none; the sandbox courier's
# signing secret, a forced outcome for every sandbox parcel ("", "delivered", "refused", "lost")
# and the seconds between its tracking steps.
LOGISTICS_DEFAULT_CARRIER = os.environ.get("LOGISTICS_DEFAULT_CARRIER", "sandbox")
LOGISTICS_SANDBOX_SECRET = os.environ.get("LOGISTICS_SANDBOX_SECRET", "")
LOGISTICS_SANDBOX_OUTCOME = os.environ.get("LOGISTICS_SANDBOX_OUTCOME", "")
LOGISTICS_SANDBOX_DELAYS = tuple(
    int(seconds) for seconds in os.environ.get("LOGISTICS_SANDBOX_DELAYS", "20,40,40,30").split(",")
)

INSTALLED_APPS = [
    "shop.admin_site.ShopAdminConfig",  # django.contrib.admin with the per-role landing page
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI served from our static files, not a CDN
    "django_filters",
    "django_celery_beat",
    "imagekit",
    "import_export",
    "shop.accounts",
    "catalog",
    "cart",
    "orders",
    "reviews",
    "payments",
    "sandbox",  # the payment sandbox gateway: used only where PAYMENT_SANDBOX is on
    "logistics",
    "aftersales",
    "knowledge",
    "notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Saturated: answer 503 + Retry-After before any session or database work (shop.load_shedding).
    "shop.load_shedding.LoadSheddingMiddleware",
    # A flash sale's order attempts, answered before sessions, CSRF and DRF (orders.api.flash_lane).
    "orders.api.flash_lane.FlashSaleLaneMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "shop.urls"
WSGI_APPLICATION = "shop.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "shop.context_processors.storefront",
                "cart.context_processors.cart",
                "notifications.context_processors.inbox",
            ],
        },
    },
]

# Database: DATABASE_URL, default the local PostgreSQL. `make run` switches to SQLite when
# PostgreSQL cannot be reached (see scripts/run.sh); tests always run on PostgreSQL.
DATABASE_URL = os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/shop")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60)}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["timeout"] = 20
else:
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# The flash sale's few hot statements are prepared per connection (shop.db.prepared_cursor).
# 0 for a pooler in transaction mode that cannot keep prepared statements (PgBouncer before
# 1.21, or max_prepared_statements = 0).
DATABASE_PREPARED_STATEMENTS = env_bool("DATABASE_PREPARED_STATEMENTS", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "catalog:home"
LOGOUT_REDIRECT_URL = "catalog:home"

# Languages: Simplified Chinese and English, chosen per request from the language switch (a
# cookie), then the browser's Accept-Language, then LANGUAGE_CODE. Messages live in locale/.
# Chinese first: a request that asks for nothing gets zh-hans.
LANGUAGE_CODE = os.environ.get("LANGUAGE_CODE", "zh-hans")
LANGUAGES = [("zh-hans", "简体中文"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Files only their owners may see (after-sales evidence): never under MEDIA_URL, served by a
# view that checks who asks.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "var" / "private"))
SERVE_MEDIA = env_bool("SERVE_MEDIA", True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Stateless web processes: with AWS_STORAGE_BUCKET_NAME set, uploaded media go to S3-compatible
# object storage (MinIO in docker-compose.yml) through django-storages instead of the disk.
if os.environ.get("AWS_STORAGE_BUCKET_NAME"):
    STORAGES["default"] = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": os.environ["AWS_STORAGE_BUCKET_NAME"],
            "endpoint_url": os.environ.get("AWS_S3_ENDPOINT_URL") or None,
            "custom_domain": os.environ.get("AWS_S3_CUSTOM_DOMAIN") or None,
            "querystring_auth": env_bool("AWS_QUERYSTRING_AUTH", False),
            "file_overwrite": False,
        },
    }
# Uploaded images are checked for type and size before they reach storage.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024

# Cache and broker: Redis. The broker falls back to a file-based kombu transport in `make run`.
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
CACHES = {
    "default": (
        {"BACKEND": "shop.cache.SharedClientRedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL.startswith("redis")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Sessions are read from the cache (Redis) and written through to the database: a request
# costs no session query, and a Redis restart (it keeps nothing on disk) logs nobody out and
# empties no guest's cart.
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", REDIS_URL)
# Publishing from a web request fails fast when Redis is down (kombu retries a connection for
# about 6 s by default); every enqueue has a beat sweep behind it (shop.celery.send_after_commit).
# Workers reconnect by broker_connection_retry, which these options do not touch.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
if CELERY_BROKER_URL.startswith("filesystem"):
    _broker_dir = Path(os.environ.get("CELERY_FILE_BROKER_DIR", BASE_DIR / "var" / "broker"))
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "processed_folder": str(_broker_dir / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = None
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_SOFT_TIME_LIMIT = 60
CELERY_TASK_TIME_LIMIT = 90
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Queues by kind, so that a flood of one kind never delays another: a million pushes after a
# flash sale wait on `celery` (notifications, and anything not routed), never in front of a
# refund. A worker started without -Q consumes every queue listed here (`make run`, Procfile);
# at scale each kind gets its own workers (docker-compose.yml, docs/scaling.md).
CELERY_TASK_DEFAULT_QUEUE = "celery"
CELERY_TASK_QUEUES = [
    Queue("celery"),  # notifications (the outbox deliveries) and anything unrouted
    Queue("payments"),  # refunds, gateway notifications, reconciliation
    Queue("tracking"),  # parcel tracking subscriptions and pushes
    Queue("sweeps"),  # timed transitions and the flash-sale gate check
]
CELERY_TASK_ROUTES = {
    # payments' tasks, and the sandbox gateway's (sandbox.tasks keeps their payments.tasks.* names)
    "payments.tasks.*": {"queue": "payments"},
    "logistics.tasks.*": {"queue": "tracking"},
    "orders.tasks.sweep_*": {"queue": "sweeps"},
    "aftersales.tasks.sweep_*": {"queue": "sweeps"},
    "catalog.tasks.*": {"queue": "sweeps"},
    "notifications.tasks.*": {"queue": "celery"},
}
# Flash sales and load shedding (shop.load_shedding, catalog.services.flash_gate).
FLASH_GATE_REDIS_URL = os.environ.get("FLASH_GATE_REDIS_URL", "")  # empty: REDIS_URL
# Waited this long behind the proxy: nobody is still looking (docs/benchmarks.md: shedding
# sooner, with clients that retry, costs more than it saves). 0: off.
SHED_MAX_QUEUE_MS = int(os.environ.get("SHED_MAX_QUEUE_MS", "5000"))
SHED_MAX_IN_FLIGHT = int(os.environ.get("SHED_MAX_IN_FLIGHT", "0"))  # per process; 0: off
SHED_RETRY_AFTER_SECONDS = int(os.environ.get("SHED_RETRY_AFTER_SECONDS", "5"))
# A PostgreSQL streaming replica for the storefront's read-only catalogue queries (shop.db).
DATABASE_REPLICA_URL = os.environ.get("DATABASE_REPLICA_URL", "")
if DATABASE_REPLICA_URL:
    DATABASES["replica"] = dj_database_url.parse(DATABASE_REPLICA_URL, conn_max_age=60)
    DATABASES["replica"]["CONN_HEALTH_CHECKS"] = True
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
    DATABASE_ROUTERS = ["shop.db.ReadReplicaRouter"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
# Beat entries live here so that every deployment gets them; django-celery-beat copies them into
# its tables at start-up, where ops can pause one in the admin.
CELERY_BEAT_SCHEDULE: dict = {
    # Deadlines (DESIGN.md "Timed transitions"): due rows in bounded batches, every minute.
    "orders-expire-unpaid": {"task": "orders.tasks.sweep_unpaid_orders", "schedule": 60.0},
    "orders-auto-confirm": {"task": "orders.tasks.sweep_auto_confirm", "schedule": 60.0},
    "orders-auto-complete": {"task": "orders.tasks.sweep_auto_complete", "schedule": 60.0},
    # Flash-sale admission counters (Redis) set back to the database's sellable stock.
    "catalog-reconcile-flash-gates": {
        "task": "catalog.tasks.reconcile_flash_gates",
        "schedule": 15.0,
    },
    # After-sales deadlines: merchant silent, not appealed, not shipped back, return not confirmed.
    "aftersales-deadlines": {"task": "aftersales.tasks.sweep_case_deadlines", "schedule": 60.0},
    # Pushes whose enqueue was lost (broker down, worker died) are picked up here.
    "notifications-relay-outbox": {
        "task": "notifications.tasks.relay_pending_outbox",
        "schedule": 30.0,
    },
    "notifications-purge-sent": {
        "task": "notifications.tasks.purge_sent_outbox",
        "schedule": crontab(hour=3, minute=30),
    },
    # Refunds are retried until the gateway confirms; sandbox notifications are redelivered.
    "payments-retry-refunds": {"task": "payments.tasks.sweep_pending_refunds", "schedule": 60.0},
    "payments-sandbox-notifications": {
        # sandbox.tasks.sweep_sandbox_notifications, under the name it always had
        "task": "payments.tasks.sweep_sandbox_notifications",
        "schedule": 60.0,
    },
    # Parcels whose tracking start was lost after shipping are subscribed again.
    "logistics-start-lost-tracking": {
        "task": "logistics.tasks.sweep_untracked_shipments",
        "schedule": 900.0,
    },
    "payments-reconcile-yesterday": {
        "task": "payments.tasks.reconcile_payments",
        "schedule": crontab(hour=2, minute=15),
    },
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "EXCEPTION_HANDLER": "shop.errors.api_exception_handler",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Shop API",
    "DESCRIPTION": "Storefront, checkout, payments, logistics and after-sales API of Shop.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # /api/docs/ works offline: Swagger UI and its favicon come from drf-spectacular-sidecar.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Several serializers expose the same status choices; name each enum once.
    "ENUM_NAME_OVERRIDES": {
        "OrderStatusEnum": "orders.models.Order.Status",
        "SubOrderStatusEnum": "orders.models.SubOrder.Status",
        "PaymentMethodEnum": "orders.models.PaymentMethod",
    },
}

# Push providers: SMS, app push and WeChat go to the log until a provider is configured; then
# they are POSTed as HMAC-signed JSON (notifications.channels.signed_http) to
# NOTIFY_<CHANNEL>_URL with NOTIFY_<CHANNEL>_SECRET, e.g. NOTIFY_SMS_URL / NOTIFY_SMS_SECRET.
NOTIFICATION_BACKENDS: dict[str, dict] = {}
for _channel in ("sms", "app_push", "wechat"):
    _url = os.environ.get(f"NOTIFY_{_channel.upper()}_URL", "")
    if _url:
        NOTIFICATION_BACKENDS[_channel] = {
            "BACKEND": "notifications.channels.signed_http.SignedHttpBackend",
            "OPTIONS": {
                "url": _url,
                "secret": os.environ.get(f"NOTIFY_{_channel.upper()}_SECRET", ""),
                "timeout": float(os.environ.get("NOTIFY_PROVIDER_TIMEOUT", "5")),
            },
        }

# The outbox (notifications.services): attempts before a push is given up, the first retry's
# delay (doubling after each failure), when a "sending" row is presumed lost with its worker,
# how many due rows one relay pass takes, how long delivered rows are kept, and the time budget
# of one delivery task and of one relay pass (each below the task's soft time limit).
NOTIFICATION_MAX_ATTEMPTS = int(os.environ.get("NOTIFICATION_MAX_ATTEMPTS", "6"))
NOTIFICATION_RETRY_BASE_SECONDS = int(os.environ.get("NOTIFICATION_RETRY_BASE_SECONDS", "30"))
NOTIFICATION_STUCK_AFTER_SECONDS = int(os.environ.get("NOTIFICATION_STUCK_AFTER_SECONDS", "300"))
NOTIFICATION_RELAY_BATCH_SIZE = int(os.environ.get("NOTIFICATION_RELAY_BATCH_SIZE", "100"))
NOTIFICATION_OUTBOX_KEEP_DAYS = int(os.environ.get("NOTIFICATION_OUTBOX_KEEP_DAYS", "30"))
NOTIFICATION_TASK_BUDGET_SECONDS = int(os.environ.get("NOTIFICATION_TASK_BUDGET_SECONDS", "40"))
NOTIFICATION_RELAY_BUDGET_SECONDS = int(os.environ.get("NOTIFICATION_RELAY_BUDGET_SECONDS", "180"))
# A merchant's webhook may point at a private address only where this is on (a test or a
# closed network): elsewhere it would let a merchant make the shop call its own internals.
NOTIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS = env_bool(
    "NOTIFICATION_WEBHOOK_ALLOW_PRIVATE_HOSTS", False
)

# Business durations (docs/design.md). All are settings so tests and deployments can change them.
ORDER_PAYMENT_TIMEOUT = timedelta(minutes=int(os.environ.get("ORDER_PAYMENT_TIMEOUT_MIN", "30")))
AUTO_CONFIRM_DAYS = int(os.environ.get("AUTO_CONFIRM_DAYS", "10"))
AFTERSALES_WINDOW_DAYS = int(os.environ.get("AFTERSALES_WINDOW_DAYS", "7"))
MERCHANT_RESPONSE_HOURS = int(os.environ.get("MERCHANT_RESPONSE_HOURS", "48"))
RETURN_SHIP_DAYS = int(os.environ.get("RETURN_SHIP_DAYS", "7"))
RETURN_RECEIVE_DAYS = int(os.environ.get("RETURN_RECEIVE_DAYS", "10"))
APPEAL_DAYS = int(os.environ.get("APPEAL_DAYS", "7"))
# Admin workbench: a paid sub-order not shipped within this is overdue; stock at or below the
# threshold is listed as low.
SHIP_WITHIN_HOURS = int(os.environ.get("SHIP_WITHIN_HOURS", "48"))
LOW_STOCK_THRESHOLD = int(os.environ.get("LOW_STOCK_THRESHOLD", "5"))
# How long a side asked by operations for more evidence has to send it.
EVIDENCE_REQUEST_HOURS = int(os.environ.get("EVIDENCE_REQUEST_HOURS", "48"))
# Evidence uploads: images (checked by Pillow) and short videos, each at most this size.
AFTERSALES_IMAGE_MAX_BYTES = 5 * 1024 * 1024
AFTERSALES_VIDEO_MAX_BYTES = 20 * 1024 * 1024
AFTERSALES_MAX_EVIDENCE = 9
# How many due rows one sweep handles in one transaction; the next minute's sweep takes the rest.
SWEEP_BATCH_SIZE = int(os.environ.get("SWEEP_BATCH_SIZE", "200"))
CART_MAX_QUANTITY_PER_LINE = 999

# Security: strict when DEBUG is off, so `check --deploy` is clean in production.
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # A load balancer probes health over plain HTTP inside the network.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    # Only for a deployment served over plain HTTP (docker-compose on a laptop or a LAN host):
    # secure cookies are never sent back there, so nobody could stay signed in.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_REFERRER_POLICY = "same-origin"

# Refuse to start in production on a key anyone can read in this repository (or docker-compose's
# placeholder): a settings-time error, so gunicorn and Celery stop too, not only manage.py.
_PLACEHOLDER_SECRET_KEYS = {
    DEVELOPMENT_SECRET_KEY,
    "change-me-to-a-long-random-string-before-any-real-use",
}
if not DEBUG and (not SECRET_KEY.strip() or SECRET_KEY in _PLACEHOLDER_SECRET_KEYS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "DEBUG is off but SECRET_KEY is the development key (or empty). Set SECRET_KEY to a "
        "long random string, e.g. python -c 'import secrets; print(secrets.token_urlsafe(50))', "
        "or set DEBUG=1 for a local run."
    )

# The sandbox gateways (cashier page that marks an order paid with no money taken) and the
# sandbox courier run only where explicitly enabled; without it, and without a real gateway's
# keys, paying online answers "payment service not available".
PAYMENT_SANDBOX = env_bool("PAYMENT_SANDBOX", False)
# Where the sandbox keeps its generated key pairs; whether its gateway notifications are
# delivered in the web process (tests, a laptop without a worker) instead of by Celery.
PAYMENT_SANDBOX_DIR = Path(
    os.environ.get("PAYMENT_SANDBOX_DIR", BASE_DIR / "var" / "payments-sandbox")
)
PAYMENT_SANDBOX_DELIVER_IN_PROCESS = env_bool("PAYMENT_SANDBOX_DELIVER_IN_PROCESS", False)
# Per gateway ("alipay", "wechat"): its keys (payments/README.md), each read from its environment
# variable. A gateway with every required key runs live, else on the sandbox where it is enabled;
# "mode": "sandbox" or "live" forces it. A deployment's settings module that sets a key here
# (PAYMENT_GATEWAYS["alipay"]["app_id"] = ...) wins over the environment.
PAYMENT_GATEWAY_ENVIRONMENT = {
    "alipay": {
        "app_id": "ALIPAY_APP_ID",
        "app_private_key": "ALIPAY_APP_PRIVATE_KEY",
        "alipay_public_key": "ALIPAY_PUBLIC_KEY",
        "notify_url": "ALIPAY_NOTIFY_URL",
        "return_url": "ALIPAY_RETURN_URL",
        "debug": "ALIPAY_DEBUG",  # 1: Alipay's own developer sandbox
    },
    "wechat": {
        "mchid": "WECHATPAY_MCHID",
        "appid": "WECHATPAY_APPID",
        "merchant_private_key": "WECHATPAY_PRIVATE_KEY",
        "merchant_serial_no": "WECHATPAY_CERT_SERIAL_NO",
        "platform_public_key": "WECHATPAY_PUBLIC_KEY",
        "platform_serial_no": "WECHATPAY_PUBLIC_KEY_ID",
        "apiv3_key": "WECHATPAY_APIV3_KEY",
        "notify_url": "WECHATPAY_NOTIFY_URL",
    },
}


def payment_gateways_from(environ) -> dict[str, dict]:
    """PAYMENT_GATEWAYS as the environment `environ` gives it (unset and empty variables left
    out, so a gateway without its keys stays on the sandbox)."""
    return {
        name: {key: environ[variable] for key, variable in keys.items() if environ.get(variable)}
        for name, keys in PAYMENT_GATEWAY_ENVIRONMENT.items()
    }


PAYMENT_GATEWAYS: dict[str, dict] = payment_gateways_from(os.environ)
# A refund the gateway refused is retried this many times, 1, 2, 4 ... minutes apart (at most an
# hour), before ops are asked to pay it out by hand.
PAYMENT_REFUND_MAX_ATTEMPTS = int(os.environ.get("PAYMENT_REFUND_MAX_ATTEMPTS", "6"))
PAYMENT_REFUND_BACKOFF_SECONDS = int(os.environ.get("PAYMENT_REFUND_BACKOFF_SECONDS", "60"))

INSTALLED_APPS += ["axes", "csp"]
# Hostile bytes are refused before any view, form or the database sees them; django-axes must be
# the last middleware (it turns a flagged lockout into the answer).
MIDDLEWARE.insert(1, "shop.hardening.HostileInputMiddleware")
MIDDLEWARE += ["csp.middleware.CSPMiddleware", "axes.middleware.AxesMiddleware"]

# Sign-in lockout (django-axes, docs/security.md): 5 wrong passwords for one account from one
# client address lock that pair for 15 minutes, so an attacker elsewhere can never lock a real
# shopper out, and nobody is locked out forever. Attempts and lockouts are listed in the admin
# (Axes > Access attempts), where ops lift one by deleting it.
AUTHENTICATION_BACKENDS = [
    "shop.accounts.backends.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False
AXES_LOCKOUT_CALLABLE = "shop.accounts.lockout.lockout_response"
# Behind a reverse proxy, how many proxies append to X-Forwarded-For (0: use REMOTE_ADDR); the
# DRF throttles below read the same number.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
if TRUSTED_PROXY_COUNT:
    AXES_IPWARE_PROXY_COUNT = TRUSTED_PROXY_COUNT
    AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")

# Rate limits (DRF throttles, counted in the Redis cache so every web process shares them).
# Scopes are per signed-in account, or per client address before sign-in; only writes count.
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = ["shop.throttling.ScopedWriteThrottle"]
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = {
    "sign_in": os.environ.get("THROTTLE_SIGN_IN", "20/min"),
    "sign_up": os.environ.get("THROTTLE_SIGN_UP", "10/hour"),
    "password_change": os.environ.get("THROTTLE_PASSWORD_CHANGE", "10/hour"),
    "order_create": os.environ.get("THROTTLE_ORDER_CREATE", "30/min"),
    "aftersales_create": os.environ.get("THROTTLE_AFTERSALES_CREATE", "20/hour"),
    "address_create": os.environ.get("THROTTLE_ADDRESS_CREATE", "30/hour"),
}
REST_FRAMEWORK["NUM_PROXIES"] = TRUSTED_PROXY_COUNT or None
# Request hardening (shop.hardening): JSON nesting and list pages are bounded.
REST_FRAMEWORK["DEFAULT_PARSER_CLASSES"] = [
    "shop.hardening.BoundedJSONParser",
    "rest_framework.parsers.FormParser",
    "rest_framework.parsers.MultiPartParser",
]
REST_FRAMEWORK["DEFAULT_PAGINATION_CLASS"] = "shop.pagination.BoundedPageNumberPagination"
# What one account may keep: the address book is one bounded list (no page needed).
ADDRESS_BOOK_MAX = 20
JSON_MAX_DEPTH = 32
# Bodies above this (other than file uploads, bounded by DATA_UPLOAD_MAX_MEMORY_SIZE) are a 413.
JSON_MAX_BODY_BYTES = 1024 * 1024

# Content-Security-Policy (django-csp). Everything comes from this origin; no plugin, no frame,
# no foreign form target. Scripts only from our static files: templates carry no inline script or
# on...= handler (tests/trust/test_csp.py checks). Style attributes stay allowed (docs/security.md).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "frame-ancestors": ["'none'"],
        # A form may lead to Alipay's own page (a redirect after submit counts in browsers).
        "form-action": [
            "'self'",
            "https://openapi.alipay.com",
            "https://openapi-sandbox.dl.alipaydev.com",
        ],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # The offset is printed so that every line says which time zone it is in (TIME_ZONE).
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s: %(message)s",
            "datefmt": "%Y-%m-%d %H:%M:%S%z",
        }
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # An ordinary 403 or 404 is a line of the server's access log already; django.request
        # would repeat it (with a traceback for a 403). Errors (5xx) still come through.
        "django.request": {"level": "ERROR"},
    },
}
# django-axes logs every failed sign-in at INFO; lockouts (WARNING) are what ops need to see.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}
