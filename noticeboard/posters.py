"""QR codes for the village's notice board: generated here with segno, nothing fetched from the network."""

import io
from pathlib import Path

import segno
from django.urls import reverse
from PIL import Image, ImageDraw, ImageFont

from core.qr import qr_svg, site_url  # noqa: F401  (qr_svg is used by the poster views)

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
]


def submit_url(village) -> str:
    """The absolute, stable address printed on the poster: /v/<code>/submit/."""
    return site_url() + reverse("roundtable:submit", kwargs={"code": village.code})


def qr_png(url: str, *, scale: int = 10) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def _font(size: int):
    for path in FONT_CANDIDATES:
        if Path(path).exists():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def poster_png(*, village, title: str, call: str) -> bytes:
    """A 1240×1754 PNG (A4 at 150 dpi): the village's name, a short call and the QR code of its form."""
    width, height = 1240, 1754
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.rectangle([0, 0, width, 170], fill="#a11d21")
    draw.text((width // 2, 85), title, font=_font(72), fill="white", anchor="mm")
    draw.text((width // 2, 290), village.name, font=_font(96), fill="#222222", anchor="mm")
    y = 400
    for line in call.splitlines():
        draw.text((width // 2, y), line, font=_font(44), fill="#333333", anchor="mm")
        y += 64
    url = submit_url(village)
    qr = Image.open(io.BytesIO(qr_png(url, scale=20))).convert("RGB")
    qr.thumbnail((820, 820), Image.Resampling.NEAREST)
    image.paste(qr, ((width - qr.width) // 2, y + 40))
    draw.text((width // 2, y + 60 + qr.height + 40), url, font=_font(36), fill="#333333", anchor="mm")
    out = io.BytesIO()
    image.save(out, format="PNG", optimize=True)
    return out.getvalue()
