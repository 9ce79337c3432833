"""HTTP plumbing: no personal data kept in a browser's or a proxy's cache."""

from django.utils.cache import add_never_cache_headers, patch_cache_control

# Pages that show a resident's own matter or take their details, and the admin.
PERSONAL_PREFIXES = ("/track/", "/submit/", "/admin/")


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
        return response
