"""HTTP plumbing: no personal data kept in a browser's or a proxy's cache."""

from django.conf import settings
from django.utils.cache import add_never_cache_headers, patch_cache_control

# Pages that show a resident's own matter or take their details, and the admin.
PERSONAL_PREFIXES = ("/track/", "/submit/", "/admin/")
# Public pages the same for every visitor (the township's home, a village's page): a phone may keep them a
# minute (issue 13). Private only: each carries the visitor's own CSRF token (the language switch).
PUBLIC_VIEWS = frozenset({"home", "villages:detail"})
PUBLIC_MAX_AGE = 60


class NoStoreMiddleware:
    """``Cache-Control: no-store`` on every page and download a signed-in user gets, and on residents' pages.

    Staff pages and exports (talent lists with whole ID numbers, issue pages with raisers' numbers) carry
    personal data; so do a resident's tracking and submission pages. Static files never reach this.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        path = request.path
        if signed_in or path.startswith(PERSONAL_PREFIXES) or path.endswith("/submit/"):
            add_never_cache_headers(response)
            patch_cache_control(response, private=True)
        elif self._public(request, response):
            patch_cache_control(response, private=True, max_age=PUBLIC_MAX_AGE)
        return response

    @staticmethod
    def _public(request, response) -> bool:
        """A public page as every visitor sees it: a GET answered 200 to a browser that already holds its
        CSRF cookie (a first visit gets one: not kept), setting no cookie and changing no session (a message
        shown is consumed: not kept), that says nothing of caching itself."""
        match = getattr(request, "resolver_match", None)
        session = getattr(request, "session", None)
        return (
            not (session is not None and session.modified)
            and settings.CSRF_COOKIE_NAME in request.COOKIES
            and request.method in ("GET", "HEAD")
            and response.status_code == 200
            and not response.cookies
            and not response.has_header("Cache-Control")
            and match is not None
            and match.view_name in PUBLIC_VIEWS
        )
