"""A naive DRF project over Nexus's tables: what one writes first, as `startproject` leaves it.

Nexus's models, a ModelViewSet per resource with nested ModelSerializers, page-number pagination
of 20, and nothing else: no select_related or prefetch_related (so N+1 queries), no cache, a
database connection per request. bench/web runs it on the server the topology's replicas use,
over the benchmark's database (DATABASE_URL), as the floor Nexus is measured against.
"""

import os

import environ

SECRET_KEY = os.environ.get("SECRET_KEY", "naive-baseline-not-secret")
DEBUG = False
ALLOWED_HOSTS = ["*"]
ROOT_URLCONF = "bench.baseline.urls"
WSGI_APPLICATION = "bench.baseline.wsgi.application"
USE_TZ = True

INSTALLED_APPS = [
    "django.contrib.contenttypes",
    "django.contrib.auth",
    "rest_framework",
    "bench.baseline.apps.Core",
    "bench.baseline.apps.Accounts",
    "bench.baseline.apps.Knowledge",
    "bench.baseline.apps.Challenges",
]
AUTH_USER_MODEL = "accounts.User"
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.middleware.common.CommonMiddleware",
]
DATABASES = {"default": environ.Env.db_url_config(os.environ["DATABASE_URL"])}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.AllowAny"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "UNAUTHENTICATED_USER": None,
}
