"""QR codes drawn on the server with segno (pinned in requirements.txt): nothing fetched from the network,
no script needed to show them."""

import io

import segno
from django.conf import settings


def site_url() -> str:
    """The portal's public address (``PUBLIC_SITE_URL``), for links that leave the screen (QR codes)."""
    return settings.PUBLIC_SITE_URL.rstrip("/")


def qr_svg(url: str) -> str:
    """An inline SVG of the QR code (dark modules only, scales to any size)."""
    out = io.BytesIO()
    segno.make(url, error="m").save(
        out, kind="svg", border=4, xmldecl=False, svgns=True, svgclass="qr", omitsize=True
    )
    return out.getvalue().decode()
