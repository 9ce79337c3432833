"""Request plumbing for running behind nginx on several nodes: the client's address and a request id."""

import ipaddress
import re
import uuid

from django.conf import settings

from core.logging import request_id_var

_REQUEST_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def address_in(address: str, networks) -> bool:
    """True when ``address`` is one of ``networks`` (addresses or CIDR ranges, as strings)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for net in networks:
        try:
            if ip in ipaddress.ip_network(net.strip(), strict=False):
                return True
        except ValueError:
            continue
    return False


class ProxiedClientMiddleware:
    """Behind a trusted proxy, REMOTE_ADDR becomes the client's address read from X-Forwarded-For.

    Only a request arriving from one of ``TRUSTED_PROXIES`` is believed, and only the addresses those
    proxies appended: X-Forwarded-For is read from the right, skipping trusted proxies, and the first other
    address is the client (anything further left was written by the client and may be forged). The rate
    limits, allauth and the logs all read REMOTE_ADDR, so they see the resident rather than nginx.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        remote = request.META.get("REMOTE_ADDR", "")
        forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
        if forwarded and address_in(remote, settings.TRUSTED_PROXIES):
            for hop in reversed([h.strip() for h in forwarded.split(",") if h.strip()]):
                try:
                    ipaddress.ip_address(hop)
                except ValueError:
                    break  # garbage: stop believing the header here, keep the last good hop
                remote = hop
                if not address_in(hop, settings.TRUSTED_PROXIES):
                    break
            request.META["REMOTE_ADDR"] = remote
        return self.get_response(request)


class RequestIdMiddleware:
    """Tags the request, its log lines and its response with one id (nginx's $request_id when present)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        given = request.META.get("HTTP_X_REQUEST_ID", "")
        request_id = given if _REQUEST_ID.match(given) else uuid.uuid4().hex
        request.request_id = request_id
        # Left set after the response: Django logs a 4xx/5xx ("Not Found: ...") after the middleware has
        # returned, and that line must carry the id too. The next request in this thread sets its own.
        request_id_var.set(request_id)
        response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
