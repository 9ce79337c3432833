"""Whole public pages kept for anonymous visitors, dropped at once when what they show changes (issue 13).

A view wrapped in ``public_page`` answers an anonymous GET (or HEAD) from the cache when it may: no query
string (or only the view's listed parameters), no message waiting to be shown, not an htmx request. The
copy is kept per address, language and text size (the ``tongxin_text`` cookie), for ``PAGE_SECONDS``.

Validity: each copy is kept with the version stamps of what it shows (``TOWNSHIP``, ``village_scope``),
as they were read before the page was rendered; one ``get_many`` reads the copy and the current stamps,
and the copy is served only while they are equal. The services that change what these pages show call
``village_changed`` / ``township_changed``, which give the stamps new values now and again when the
transaction commits (a page rendered meanwhile read the old data under the old stamp). Edits made
elsewhere (the admin) show within ``PAGE_SECONDS``.

Per-response parts are never kept: while a page is rendered for the cache, the CSRF token (through the
``slots`` context processor) and each registered ``fresh`` value (the resident form's time stamp) are
random placeholders, which every response, a hit or the miss that stored it, replaces with fresh values.
The placeholders are drawn anew for each rendering, so no text stored by a visitor can contain one.

An unreachable cache answers like a miss (core.cache): the page is rendered as if there were no cache.
"""

import hashlib
import logging
import secrets
from contextvars import ContextVar
from functools import wraps
from urllib.parse import parse_qsl

from django.core.cache import cache
from django.http import HttpResponse
from django.middleware.csrf import get_token

from core import stamped

logger = logging.getLogger(__name__)

PAGE_SECONDS = 60
STAMP_SECONDS = 24 * 3600
TEXT_COOKIE = "tongxin_text"
TOWNSHIP = "township"
CSRF_SLOT = "csrf"
# A listed query parameter longer than this is not kept (each value would be a copy of its own).
PARAM_MAX_LENGTH = 12

# name -> callable giving the fresh value of a per-response part (register_fresh).
_FRESH = {}
# While a page is rendered for the cache: {slot name: its placeholder}; None otherwise.
_rendering: ContextVar[dict | None] = ContextVar("pagecache_rendering", default=None)


def village_scope(code: str) -> str:
    return f"village:{code}"


def register_fresh(name: str, make) -> None:
    """Declares a per-response part: ``fresh(name)`` gives ``make()`` on every response, never a kept one.
    Its value must read the same escaped as not (it is put in place of a placeholder after rendering)."""
    _FRESH[name] = make


def fresh(name: str) -> str:
    """The value of the per-response part ``name``; while a page is rendered for the cache, a placeholder."""
    slots = _rendering.get()
    if slots is None:
        return _FRESH[name]()
    return _placeholder(slots, name)


def _placeholder(slots: dict, name: str) -> str:
    if name not in slots:
        slots[name] = f"txslot{secrets.token_hex(16)}"
    return slots[name]


def slots(request) -> dict:
    """Context processor: while a page is rendered for the cache, ``{% csrf_token %}`` writes a
    placeholder (Django's own ``csrf`` processor runs before this one, so this value wins)."""
    current = _rendering.get()
    if current is None:
        return {}
    return {"csrf_token": _placeholder(current, CSRF_SLOT)}


# --- the stamps -----------------------------------------------------------------------------------


def _stamp_key(scope: str) -> str:
    return f"pagestamp:{scope}"


def village_stamp(code: str) -> str:
    """The stamp renewed whenever something the village's public pages show changes (``village_changed``):
    values kept under it (``core.stamped.read``) are dropped with the village's pages."""
    return _stamp_key(village_scope(code))


def pages_changed(*scopes: str) -> None:
    """The kept pages that show ``scopes`` are stale: now, and again when the transaction commits."""
    stamped.renew(*[_stamp_key(s) for s in scopes], timeout=STAMP_SECONDS)


def village_changed(code: str) -> None:
    """Something a village's public pages show changed (its matters, notice board, registry, groups)."""
    pages_changed(village_scope(code))


def township_changed() -> None:
    """Something every public page may show changed (the township, its briefings, the list of villages)."""
    pages_changed(TOWNSHIP)


# --- serving --------------------------------------------------------------------------------------


def _query_allowed(request, params: frozenset[str]) -> bool:
    query = request.META.get("QUERY_STRING", "")
    if not query:
        return True
    try:
        pairs = parse_qsl(query, keep_blank_values=True, strict_parsing=True)
    except ValueError:
        return False
    names = [name for name, _value in pairs]
    return (
        bool(pairs)
        and len(set(names)) == len(names)
        and set(names) <= params
        and all(len(value) <= PARAM_MAX_LENGTH for _name, value in pairs)
    )


def _cacheable(request, params: frozenset[str]) -> bool:
    if request.method not in ("GET", "HEAD") or request.headers.get("HX-Request"):
        return False
    if not _query_allowed(request, params):
        return False
    user = getattr(request, "user", None)
    if user is None or user.is_authenticated:
        return False
    # Counted without being consumed: a page showing a message is the visitor's own.
    storage = getattr(request, "_messages", None)
    return storage is not None and len(storage) == 0


def _page_key(request) -> str:
    text = "large" if request.COOKIES.get(TEXT_COOKIE) == "large" else "normal"
    where = "\n".join(
        (request.scheme, request.get_host(), request.path, request.META.get("QUERY_STRING", ""))
    )
    digest = hashlib.sha256(where.encode()).hexdigest()
    return f"page:{request.LANGUAGE_CODE}:{text}:{digest}"


def _keepable(request, response) -> bool:
    """A 200 page the same for every visitor: no cookie set, no session changed, no word on caching."""
    session = getattr(request, "session", None)
    return (
        response.status_code == 200
        and not response.streaming
        and not response.cookies
        and not response.has_header("Cache-Control")
        and not (session is not None and session.modified)
    )


def _filled(request, entry: dict) -> bytes | None:
    """The kept body with a fresh value in place of each placeholder (None: a part this process cannot
    make)."""
    body = entry["body"]
    for name, placeholder in entry["slots"].items():
        if name == CSRF_SLOT:
            value = get_token(request)
        elif name in _FRESH:
            value = _FRESH[name]()
        else:
            return None
        body = body.replace(placeholder.encode(), value.encode())
    return body


def _response(request, entry: dict) -> HttpResponse | None:
    body = _filled(request, entry)
    if body is None:
        return None
    response = HttpResponse(body, status=entry["status"])
    for name, value in entry["headers"]:
        response[name] = value
    return response


def public_page(scopes, *, params=()):
    """Keeps the view's page for anonymous visitors. ``scopes(*args, **kwargs)`` names the stamps of what
    the page shows (from the URL's arguments only: a kept page is served without touching the database);
    ``params`` lists the query parameters under which a page is still kept (one copy per query)."""
    allowed = frozenset(params)

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            if not _cacheable(request, allowed):
                return view(request, *args, **kwargs)
            key = _page_key(request)
            stamp_keys = [_stamp_key(s) for s in scopes(*args, **kwargs)]
            try:
                found = cache.get_many([key, *stamp_keys])
            except Exception:
                logger.warning("Page cache unavailable", exc_info=True)
                return view(request, *args, **kwargs)
            stamps = {k: found.get(k) for k in stamp_keys}
            entry = found.get(key)
            if entry is not None and entry.get("stamps") == stamps:
                response = _response(request, entry)
                if response is not None:
                    return response
            return _render(request, view, args, kwargs, key, stamps)

        return wrapped

    return decorator


def _render(request, view, args, kwargs, key, stamps):
    """Renders the page with placeholders, keeps it (under the stamps read before rendering) when it may
    be, and answers it with fresh values in place of the placeholders."""
    placeholders = {}
    token = _rendering.set(placeholders)
    try:
        response = view(request, *args, **kwargs)
        if hasattr(response, "render") and not response.is_rendered:
            response.render()
    finally:
        _rendering.reset(token)
    if response.streaming:
        return response
    entry = {
        "body": response.content,
        "status": response.status_code,
        "headers": list(response.items()),
        "slots": dict(placeholders),
        "stamps": stamps,
    }
    if _keepable(request, response):
        try:
            cache.set(key, entry, PAGE_SECONDS)
        except Exception:
            logger.warning("Page not kept (cache unavailable)", exc_info=True)
    body = _filled(request, entry)
    if body is None:  # a part registered by no one: cannot happen for a page this process rendered
        raise RuntimeError(f"Unregistered page part in {sorted(placeholders)}")
    response.content = body
    return response
