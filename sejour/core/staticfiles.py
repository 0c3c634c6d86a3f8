"""Subresource integrity of static files, computed from the bytes that are served.

The design system ships the integrity of its files as they are in its package, but the
hashed storage of production (ManifestStaticFilesStorage) rewrites the url() references in
CSS files when it collects them: the bytes served are no longer those of the package. So the
integrity of a file is computed here from the file the page's address points to, once per
content (a hashed name changes with its content; an unhashed one is read again when it
changes on disk).
"""

import base64
import hashlib
import logging
import os
from functools import lru_cache
from urllib.parse import unquote, urlsplit

from django.conf import settings
from django.contrib.staticfiles import finders
from django.contrib.staticfiles.storage import staticfiles_storage

logger = logging.getLogger(__name__)


def static_integrity(path: str) -> str:
    """The `integrity` value ("sha384-...") of the static file `path` as it is served.

    An empty string when the file cannot be found, which leaves the browser to report the
    missing file rather than the page to fail.
    """
    name = _served_name(staticfiles_storage.url(path))
    if name != path:
        # A hashed name: only the collected storage holds it, and its content never changes.
        return _digest_of_stored(name)
    # An unhashed name is served by the finders in development and in tests (the collected
    # copy, when there is one, holds the same bytes once collected again).
    found = finders.find(path)
    if isinstance(found, str):
        stat = os.stat(found)
        return _digest_of_file(found, stat.st_mtime_ns, stat.st_size)
    if staticfiles_storage.exists(path):
        return _digest_of_stored(path)
    logger.error("static file not found while computing its integrity", extra={"path": path})
    return ""


def _served_name(url: str) -> str:
    prefix = urlsplit(settings.STATIC_URL).path
    return unquote(urlsplit(url).path).removeprefix(prefix)


def _sha384(content: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(content).digest()).decode("ascii")


@lru_cache(maxsize=256)
def _digest_of_stored(name: str) -> str:
    try:
        with staticfiles_storage.open(name) as file:
            return _sha384(file.read())
    except OSError:
        logger.exception(
            "static file unreadable while computing its integrity", extra={"name": name}
        )
        return ""


@lru_cache(maxsize=256)
def _digest_of_file(path: str, mtime_ns: int, size: int) -> str:
    with open(path, "rb") as file:
        return _sha384(file.read())
