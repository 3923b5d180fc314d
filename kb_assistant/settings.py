"""Settings, all read from the environment in this one place (see README, "Configuration")."""

import os
import secrets
from pathlib import Path

import dj_database_url

from kb_assistant.env import env_bool, env_float, env_hosts, env_int, env_list, env_path, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

# Model hubs must never be contacted: the machine is offline and weights ship in packages.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ANONYMIZED_TELEMETRY", "False")
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

KB_DATA_DIR = env_path("KB_DATA_DIR", BASE_DIR / "var")
KB_DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """A key from the environment, else one generated once and kept in the data folder."""
    configured = env_str("DJANGO_SECRET_KEY")
    if configured:
        return configured
    key_file = KB_DATA_DIR / "secret_key"
    if not key_file.exists():
        key_file.write_text(secrets.token_urlsafe(50))
        key_file.chmod(0o600)
    return key_file.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

# Behind TLS in production (docker-compose sets DJANGO_HTTPS=1); plain HTTP on a laptop.
HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_HSTS_PRELOAD = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if HTTPS else None
SECURE_CONTENT_TYPE_NOSNIFF = True
X_FRAME_OPTIONS = "DENY"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "kb_assistant.accounts",
    "kb_assistant.audit",
    "kb_assistant.chat",
    "ingestion",
    "router",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "kb_assistant.accounts.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "kb_assistant.urls"
WSGI_APPLICATION = "kb_assistant.wsgi.application"

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
                "kb_assistant.context_processors.product",
            ],
        },
    },
]


def _database() -> dict:
    # Connections are kept a minute; the health check replaces one that a restarted
    # PostgreSQL server dropped meanwhile, instead of failing the next request or task on it.
    config = dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{KB_DATA_DIR / 'db.sqlite3'}"),
        conn_max_age=60,
        conn_health_checks=True,
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # WAL and immediate transactions let the web server and the worker share the file.
        config["CONN_MAX_AGE"] = 0
        config["OPTIONS"] = {
            "timeout": 30,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
        config["TEST"] = {"NAME": str(KB_DATA_DIR / "test_db.sqlite3")}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", "English"), ("zh-hans", "简体中文")]
TIME_ZONE = env_str("TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True
LOCALE_PATHS = [BASE_DIR / "locale"]
# Dates and times as each language writes them, to the second (kb_assistant/formats/).
FORMAT_MODULE_PATH = ["kb_assistant.formats"]

STATIC_URL = "static/"
STATIC_ROOT = KB_DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = KB_DATA_DIR / "media"
MEDIA_URL = "/media/"  # never served directly: documents are read through permission checks

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "kb_assistant.accounts.authentication.BearerTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Hybrid KB Assistant API",
    "DESCRIPTION": "Document ingestion for the knowledge base.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
}

# Services.
REDIS_URL = env_str("REDIS_URL", "redis://127.0.0.1:6379/0")
CHROMA_HOST = env_str("CHROMA_HOST")
CHROMA_PORT = env_int("CHROMA_PORT", 8000, minimum=1)
CHROMA_PATH = KB_DATA_DIR / "chroma"
# Deadlines on the Chroma server (ingestion/chroma_http.py): a hung server costs a call this
# long, then IndexUnavailable. The read timeout also bounds one write batch of the worker.
CHROMA_CONNECT_TIMEOUT_SECONDS = env_float("CHROMA_CONNECT_TIMEOUT_SECONDS", 2.0, minimum=0.1)
CHROMA_TIMEOUT_SECONDS = env_float("CHROMA_TIMEOUT_SECONDS", 10.0, minimum=0.1)
# Every Redis client the web uses (enqueueing, results, /healthz) gives up after these.
REDIS_CONNECT_TIMEOUT_SECONDS = env_float("REDIS_CONNECT_TIMEOUT_SECONDS", 2.0, minimum=0.1)
REDIS_TIMEOUT_SECONDS = env_float("REDIS_TIMEOUT_SECONDS", 5.0, minimum=0.1)
# /healthz runs its checks at once and answers within this, naming a check still running as down.
HEALTH_DEADLINE_SECONDS = env_float("HEALTH_DEADLINE_SECONDS", 1.5, minimum=0.1)

CELERY_BROKER_URL = REDIS_URL
CELERY_RESULT_BACKEND = REDIS_URL
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # "visibility_timeout" is set with the ingestion time limits below.
    "socket_connect_timeout": REDIS_CONNECT_TIMEOUT_SECONDS,
    "socket_timeout": REDIS_TIMEOUT_SECONDS,
    # A publish while Redis is down tries once more at once, then gives up: the document
    # stays queued and the worker's sweep sends it when Redis is back.
    "max_retries": 1,
    "interval_start": 0,
}
# Nothing reads task results (a document's row carries its outcome), and a publish that
# registered for its result would wait ~20 s on a stopped Redis.
CELERY_TASK_IGNORE_RESULT = True
CELERY_RESULT_EXPIRES = 24 * 3600
CELERY_BROKER_CONNECTION_TIMEOUT = REDIS_CONNECT_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = REDIS_CONNECT_TIMEOUT_SECONDS
CELERY_REDIS_SOCKET_TIMEOUT = REDIS_TIMEOUT_SECONDS

# Models ship inside PyPI packages. EMBEDDING_MODEL is a key of ingestion.embedders.EMBEDDERS
# (use-multilingual, use-multilingual-onnx, e5-small, minilm); changing it means `manage.py
# reindex`. use-multilingual-onnx's file is put in LOCAL_MODELS_DIR by `make install`.
EMBEDDING_MODEL = env_str("EMBEDDING_MODEL", "use-multilingual")
# The local model: a name in router/local_models.py's catalogue, installed into LOCAL_MODELS_DIR
# by `manage.py install_local_model [NAME]` (`make install` installs this one). LOCAL_LLM_PATH,
# when set, is any GGUF file instead. The default is chosen by bench/local_models.py on this
# 2-core machine (docs/benchmarks.md): Qwen2.5-Coder-0.5B drafts an English answer within
# LOCAL_DRAFT_SECONDS, writes Chinese, and doubles quoting's F1; SmolLM2-135M writes no Chinese.
DEFAULT_LOCAL_LLM_MODEL = "qwen2.5-coder-0.5b"
LOCAL_LLM_MODEL = env_str("LOCAL_LLM_MODEL", DEFAULT_LOCAL_LLM_MODEL)
LOCAL_MODELS_DIR = env_path("LOCAL_MODELS_DIR", KB_DATA_DIR / "models")
LOCAL_LLM_PATH = env_str("LOCAL_LLM_PATH")
# Empty: the local model runs in each web process (llama.cpp). Set: the OpenAI-compatible
# endpoint of a model server on company machines (e.g. llama_cpp.server) writes instead; it
# stays the local route (no de-identification, never counted as cloud).
LOCAL_LLM_BASE_URL = env_str("LOCAL_LLM_BASE_URL")

# Cloud: offline mode when no key is set.
OPENAI_API_KEY = env_str("OPENAI_API_KEY")
OPENAI_BASE_URL = env_str("OPENAI_BASE_URL")
CLOUD_MODEL = env_str("CLOUD_MODEL", "gpt-4o-mini")
# The longest the cloud may stay silent (before its first byte, between two): a hung call or
# stream is cut then. Retries are router/cloud.py's alone, before any text was shown, and
# only while a whole attempt still fits in the request's latency budget (ROUTER_LATENCY_BUDGET_MS).
CLOUD_TIMEOUT_SECONDS = env_float("CLOUD_TIMEOUT_SECONDS", 10.0, minimum=0.1)
CLOUD_MAX_RETRIES = env_int("CLOUD_MAX_RETRIES", 1, minimum=0)
# Prices in USD per million tokens, for the cost shown per request and the daily budget.
CLOUD_PRICE_INPUT_PER_MTOK = env_float("CLOUD_PRICE_INPUT_PER_MTOK", 0.15, minimum=0)
CLOUD_PRICE_OUTPUT_PER_MTOK = env_float("CLOUD_PRICE_OUTPUT_PER_MTOK", 0.60, minimum=0)
LOCAL_LLM_CONTEXT = env_int("LOCAL_LLM_CONTEXT", 4096, minimum=512)
LOCAL_LLM_THREADS = env_int("LOCAL_LLM_THREADS", 2, minimum=1)
# A local answer opens with the best cited passages at once; the model's draft below them
# streams sentence by sentence, each checked against the passages, and ends by this time.
LOCAL_DRAFT_SECONDS = env_float("LOCAL_DRAFT_SECONDS", 6.0, minimum=0.5)
# Per web process, the local model writes one draft at a time: this many requests may wait
# for it, each this long; beyond either, the answer quotes the passages without a draft
# (recorded as `local_busy`) instead of queueing.
LOCAL_LLM_QUEUE = env_int("LOCAL_LLM_QUEUE", 4, minimum=0)
LOCAL_LLM_QUEUE_WAIT_SECONDS = env_float("LOCAL_LLM_QUEUE_WAIT_SECONDS", 2.0, minimum=0.1)
# The web tier (gunicorn gthread, kb_assistant/gunicorn_conf.py): threads per worker process,
# and how many of them may stream answers at once; past that a question is refused at once
# with 503 and Retry-After (kb_assistant/shedding.py) instead of waiting in gunicorn's line.
WEB_THREADS = env_int("WEB_THREADS", 16, minimum=2)
WEB_ANSWERS_IN_FLIGHT = env_int("WEB_ANSWERS_IN_FLIGHT", WEB_THREADS - 4, minimum=1)
WEB_RETRY_AFTER_SECONDS = env_int("WEB_RETRY_AFTER_SECONDS", 2, minimum=1)

# De-identification (router/pii/company.py): the company's ID formats, regular expressions
# separated by spaces (empty: the common EMP-12345 / CUST-001234 shapes), and its own names,
# which may reach the cloud. Admins add more of both in the admin, applied from the next request.
PII_COMPANY_ID_PATTERNS = env_list("PII_COMPANY_ID_PATTERNS", [], separator=None)
PII_OWN_ORGANISATIONS = env_list("PII_OWN_ORGANISATIONS", [])

# Router policy (see router/policy.py for how each is used).
ROUTER_RETRIEVE_TOP_K = env_int("ROUTER_RETRIEVE_TOP_K", 8, minimum=1)
ROUTER_CONDENSE_BUDGET_TOKENS = env_int("ROUTER_CONDENSE_BUDGET_TOKENS", 300, minimum=20)
ROUTER_COMPLEXITY_THRESHOLD = env_float("ROUTER_COMPLEXITY_THRESHOLD", 0.4, minimum=0)
ROUTER_MAX_CLOUD_CONTEXT_TOKENS = env_int("ROUTER_MAX_CLOUD_CONTEXT_TOKENS", 3000, minimum=100)
ROUTER_LATENCY_BUDGET_MS = env_int("ROUTER_LATENCY_BUDGET_MS", 30000, minimum=100)
ROUTER_DAILY_CLOUD_BUDGET_USD = env_float("ROUTER_DAILY_CLOUD_BUDGET_USD", 1.0, minimum=0)
ROUTER_BREAKER_FAILURES = env_int("ROUTER_BREAKER_FAILURES", 3, minimum=1)
ROUTER_BREAKER_COOLDOWN_SECONDS = env_float("ROUTER_BREAKER_COOLDOWN_SECONDS", 30.0, minimum=0.1)
ROUTER_ANSWER_MAX_TOKENS = env_int("ROUTER_ANSWER_MAX_TOKENS", 400, minimum=16)
# The OpenAI-compatible API refuses (429) a user whose daily cloud budget is spent, instead
# of quietly answering locally as the chat page does.
API_STRICT_BUDGET = env_bool("API_STRICT_BUDGET", True)
# API tokens expire this many days after they are made (revoke one earlier in the admin or
# with `manage.py revoke_api_token`).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
# Links and images in answers (chat page and /v1) stay live only to these hosts and their
# subdomains; any other is made inert, so an answer cannot send what it holds elsewhere.
KB_TRUSTED_LINK_HOSTS = env_hosts("KB_TRUSTED_LINK_HOSTS")

# Ingestion.
KB_UPLOAD_MAX_BYTES = env_int("KB_UPLOAD_MAX_MB", 50, minimum=1) * 1024 * 1024
KB_CHUNK_TOKENS = env_int("KB_CHUNK_TOKENS", 200, minimum=32)
KB_CHUNK_OVERLAP_TOKENS = env_int("KB_CHUNK_OVERLAP_TOKENS", 40, minimum=0)
KB_EMBED_BATCH_SIZE = env_int("KB_EMBED_BATCH_SIZE", 64, minimum=1)
# What one upload may cost a worker (ingestion/parse/base.py ParseLimits); each limit
# reached fails the document with a reason that names it.
KB_MAX_PDF_PAGES = env_int("KB_MAX_PDF_PAGES", 2000, minimum=1)
KB_MAX_SHEETS = env_int("KB_MAX_SHEETS", 50, minimum=1)
KB_MAX_CELLS = env_int("KB_MAX_CELLS", 200_000, minimum=1)
KB_MAX_SLIDES = env_int("KB_MAX_SLIDES", 500, minimum=1)
# OCR of scanned PDF pages and images with Debian's tesseract (installed by the set-up).
KB_OCR_ENABLED = env_bool("KB_OCR_ENABLED", True)
KB_OCR_LANGUAGES = env_str("KB_OCR_LANGUAGES", "chi_sim+eng")
KB_OCR_SECONDS_PER_PAGE = env_float("KB_OCR_SECONDS_PER_PAGE", 60.0, minimum=1.0)
KB_OCR_MAX_PAGES = env_int("KB_OCR_MAX_PAGES", 100, minimum=1)
# One ingestion task's own time limit (a long OCR batch included); past it the document
# ends `failed` with a reason and the worker goes on with the next one.
KB_INGEST_TIME_LIMIT_SECONDS = env_int("KB_INGEST_TIME_LIMIT_SECONDS", 1800, minimum=60)
KB_INGEST_HARD_TIME_LIMIT_SECONDS = KB_INGEST_TIME_LIMIT_SECONDS + 60  # the task's clean-up time
KB_INGEST_RETRY_BACKOFF_MAX_SECONDS = 300  # the longest wait before retrying (index down)
# Redis gives an unacknowledged task to another worker after the visibility timeout. It must
# outlast the longest a task stays unacknowledged while its worker lives (a run up to its
# hard limit, after a retry held until its ETA), or a live run would start twice (Celery's
# guide on the Redis visibility timeout). A task lost with its worker is found far sooner,
# by its lapsed claim (ingestion/claims.py).
CELERY_BROKER_TRANSPORT_OPTIONS["visibility_timeout"] = (
    KB_INGEST_HARD_TIME_LIMIT_SECONDS + KB_INGEST_RETRY_BACKOFF_MAX_SECONDS + 60
)
# A run renews its document's claim every third of KB_INGEST_LEASE_SECONDS. Each worker
# sweeps every KB_SWEEP_SECONDS (and when it starts): it queues again a document whose claim
# lapsed mid-run (its worker died), or that waited queued for KB_STALE_TASK_MINUTES with no
# task in the broker (Redis was down when it was uploaded). After KB_INGEST_MAX_RUNS
# interrupted runs the document fails instead, so a file that kills its worker cannot loop.
KB_INGEST_LEASE_SECONDS = env_float("KB_INGEST_LEASE_SECONDS", 60.0, minimum=1.0)
KB_SWEEP_SECONDS = env_float("KB_SWEEP_SECONDS", 30.0, minimum=0.5)
KB_STALE_TASK_MINUTES = env_float("KB_STALE_TASK_MINUTES", 2.0, minimum=0.01)
KB_INGEST_MAX_RUNS = env_int("KB_INGEST_MAX_RUNS", 3, minimum=1)

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"}},
    # A refused page (403) is an answer, not an error: logged in one line, without a traceback.
    "filters": {"no_denied_traceback": {"()": "kb_assistant.logs.DeniedWithoutTraceback"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["no_denied_traceback"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Vendor clients log every HTTP request at INFO, and model libraries every step of their
    # loading (each recognizer, each device); their failures reach us as exceptions.
    "loggers": {
        name: {"level": "WARNING"}
        for name in (
            "httpx",
            "httpx2",
            "openai",
            "chromadb",
            "urllib3",
            "presidio-analyzer",
            "presidio-anonymizer",
            "sentence_transformers",
            "transformers",
            "huggingface_hub",
            "jieba",
        )
    },
}

# Audit log: records older than this are removed by `manage.py audit_expire`, which leaves
# a signed checkpoint so the remaining chain still verifies.
AUDIT_RETENTION_DAYS = env_int("AUDIT_RETENTION_DAYS", 365, minimum=1)
