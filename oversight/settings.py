"""Django settings for Oversight.

Every setting a deployer may change is read from the environment here, once:

- ``DATABASE_URL``: the database (default: SQLite at ``./var/oversight.sqlite3``).
- ``OVERSIGHT_SECRET_KEY``: the secret key (a fixed development key is used if unset).
- ``OVERSIGHT_DEBUG``: ``1`` to turn on Django's debug pages.
- ``OVERSIGHT_ALLOWED_HOSTS``: comma-separated host names (default: localhost names).
- ``OVERSIGHT_DB_CONN_MAX_AGE``: seconds a server process keeps its database connection
  (default 0: one per request; a production server on PostgreSQL should set e.g. 600).
- ``OVERSIGHT_PAGE_CACHE_SECONDS``: longest time a public page is kept for visitors who are not
  signed in (default 60; 0 turns it off; see ``oversight/portal/page_cache.py``).
- ``OVERSIGHT_PAGE_CACHE_CHECK_SECONDS``: how often each server process checks whether the data
  behind public pages changed (default 1: public pages show a change within a second; 0
  checks on every request).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
VAR_DIR = Path(os.environ.get("OVERSIGHT_VAR_DIR", Path.cwd() / "var"))

SECRET_KEY = os.environ.get(
    "OVERSIGHT_SECRET_KEY", "development-only-key-set-OVERSIGHT_SECRET_KEY-in-production"
)
DEBUG = os.environ.get("OVERSIGHT_DEBUG", "") == "1"
ALLOWED_HOSTS = os.environ.get(
    "OVERSIGHT_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver"
).split(",")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "oversight.accounts",
    "oversight.plans",
    "oversight.data",
    "oversight.performance",
    "oversight.reports",
    "oversight.portal",
    "oversight.commentary",
    "oversight.staff",
    "oversight.returns",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Kept public pages are answered here, before sessions, CSRF and sign-in are looked at.
    "oversight.portal.page_cache.KeptPageMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "oversight.urls"
WSGI_APPLICATION = "oversight.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.jinja2.Jinja2",
        "DIRS": [BASE_DIR / "jinja2"],
        "APP_DIRS": True,
        "OPTIONS": {"environment": "oversight.jinja2env.environment"},
    },
    {
        # Django's own templates, for the admin only.
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'oversight.sqlite3'}"
    # A production server sets OVERSIGHT_DB_CONN_MAX_AGE so each worker keeps its connection
    # (checked before reuse) rather than opening one per request.
    config = dj_database_url.parse(
        url, conn_max_age=int(os.environ.get("OVERSIGHT_DB_CONN_MAX_AGE", "0")),
        conn_health_checks=True)
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config.setdefault("OPTIONS", {}).update(
            {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
                " PRAGMA foreign_keys=ON; PRAGMA busy_timeout=10000;",
                "transaction_mode": "IMMEDIATE",
            }
        )
        config.setdefault("TEST", {})["NAME"] = os.environ.get("OVERSIGHT_TEST_SQLITE")
    return config


DATABASES = {"default": _database()}
OVERSIGHT_PAGE_CACHE_SECONDS = int(os.environ.get("OVERSIGHT_PAGE_CACHE_SECONDS", "60"))
OVERSIGHT_PAGE_CACHE_CHECK_SECONDS = float(
    os.environ.get("OVERSIGHT_PAGE_CACHE_CHECK_SECONDS", "1"))
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Background work started from the web pages (an upload's import): django-tasks tasks, queued
# in the database and run by django-tasks-db's worker (``oversight serve`` runs one in a
# thread; ``oversight worker`` beside gunicorn). See ``oversight.staff.background``.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "/staff/login/"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = False
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = os.environ.get("OVERSIGHT_STATIC_ROOT")  # for collectstatic in production
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
