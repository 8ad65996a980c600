"""The Jinja2 environment for every page and report.

Templates come from each app's ``jinja2/`` folder and from ``oversight/jinja2/``; the GOV.UK
Frontend macros are imported as ``govuk_frontend_jinja/components/<name>/macro.html``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.staticfiles.storage import staticfiles_storage
from django.middleware.csrf import get_token
from django.urls import reverse
from jinja2 import ChoiceLoader, Environment, PackageLoader, PrefixLoader

from oversight import formatting


def _url(name: str, *args: Any, **kwargs: Any) -> str:
    return reverse(name, args=args or None, kwargs=kwargs or None)


def environment(**options: Any) -> Environment:
    """Build the environment Django's Jinja2 backend uses."""
    base_loader = options.pop("loader", None)
    options.setdefault("autoescape", True)
    env = Environment(**options)
    loaders = [PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja")})]
    if base_loader is not None:
        loaders.insert(0, base_loader)
    env.loader = ChoiceLoader([env.loader, *loaders]) if env.loader else ChoiceLoader(loaders)
    env.globals.update(
        {
            "static": staticfiles_storage.url,
            "url": _url,
            "csrf_token": get_token,
        }
    )
    env.filters.update(formatting.FILTERS)
    return env
