"""Photos from phones, made safe to keep: header read first, bombs refused, decoded small, re-encoded.

A camera JPEG of 50 Mpx and 20 MB is fine; a 0.5 MB PNG of 13000×13000 pixels is not (decoded it needs
gigabytes). The checks below look only at the header before anything is decoded, JPEGs are decoded at
1/2, 1/4 or 1/8 scale (Pillow's draft mode), and the decoded size of anything else is bounded, so one
upload never needs more than about ``MAX_DECODED_BYTES`` of memory. Re-encoding drops EXIF and GPS data.
"""

import io
import math
import warnings

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import InMemoryUploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

try:  # HEIC/HEIF, what iPhones take by default; read where a pillow-heif wheel exists.
    import pillow_heif

    pillow_heif.register_heif_opener()
    HEIF_SUPPORTED = True
except ImportError:  # pragma: no cover - depends on the platform's wheels
    HEIF_SUPPORTED = False

MAX_PHOTO_BYTES = 20 * 1024 * 1024
# What no phone camera makes: lossless formats beyond 40 Mpx, anything beyond 100 Mpx.
MAX_LOSSLESS_PIXELS = 40_000_000
MAX_PIXELS = 100_000_000
# Memory of the decoded picture (width × height × bands) after draft mode.
MAX_DECODED_BYTES = 120_000_000
MAX_SIDE = 2400
LOSSLESS = {"PNG", "GIF"}
# GIF is no camera format (and may be animated): refused like any other file.
ACCEPTED = {"JPEG", "PNG", "WEBP", "HEIF"}

JPEG_QUALITY = 82


def _not_a_photo() -> ValidationError:
    return ValidationError(_("The file is not a photo (JPEG, PNG, WebP or HEIC)."), code="not_image")


def image_probe(upload) -> Image.Image:
    """Opens the upload reading its header only, and refuses what no phone camera makes.

    Nothing is decoded here: Pillow's ``open`` is lazy. Raises ValidationError with a translated message.
    """
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise ValidationError(
            _("The photo is larger than %(mb)d MB.") % {"mb": MAX_PHOTO_BYTES // (1024 * 1024)},
            code="too_large",
        )
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            # Our own limits below are the ones that count; Pillow's warning would only fill the log.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            image = Image.open(upload)
    except Image.DecompressionBombError as exc:
        raise _too_many_pixels() from exc
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        if not HEIF_SUPPORTED and _looks_like_heif(upload):
            raise ValidationError(
                _(
                    "HEIC photos cannot be read here. Set the camera to “Most compatible” (JPEG) "
                    "and try again."
                ),
                code="heif",
            ) from exc
        raise _not_a_photo() from exc
    kind = "HEIF" if image.format in ("HEIF", "HEIC", "AVIF") else image.format
    if kind not in ACCEPTED:
        raise _not_a_photo()
    width, height = image.size
    pixels = width * height
    if pixels <= 0:
        raise _not_a_photo()
    if pixels > MAX_PIXELS or (kind in LOSSLESS and pixels > MAX_LOSSLESS_PIXELS):
        raise _too_many_pixels()
    return image


def _too_many_pixels() -> ValidationError:
    return ValidationError(
        _("The picture has too many pixels for a photo. Please send a photo taken with a phone camera."),
        code="too_many_pixels",
    )


def _looks_like_heif(upload) -> bool:
    upload.seek(0)
    head = upload.read(16)
    return head[4:8] == b"ftyp" and head[8:12] in (b"heic", b"heix", b"mif1", b"msf1", b"hevc")


def _draft(image: Image.Image, max_side: int) -> None:
    """Asks the JPEG decoder for the smallest scale (1/2, 1/4, 1/8) that still covers ``max_side``."""
    if image.format != "JPEG":
        return
    width, height = image.size
    ratio = max_side / max(width, height)
    if ratio >= 1:
        return
    # The aspect ratio kept, as Image.thumbnail does: a long thin picture is reduced too.
    target = (max(1, math.ceil(width * ratio)), max(1, math.ceil(height * ratio)))
    image.draft("RGB" if image.mode not in ("L", "RGB") else image.mode, target)


def image_reencode(upload, *, max_side: int = MAX_SIDE, name: str = "photo") -> InMemoryUploadedFile:
    """Returns the upload as a fresh JPEG (or PNG for lossless pictures) of at most ``max_side`` pixels.

    EXIF, GPS and any other metadata are dropped; the orientation the EXIF data described is kept.
    Raises ValidationError (translated) for anything that is not a photo or that would need too much memory.
    """
    image = image_probe(upload)
    kind = image.format
    _draft(image, max_side)
    width, height = image.size
    if width * height * len(image.getbands()) > MAX_DECODED_BYTES:
        raise _too_many_pixels()
    try:
        image.load()
        orientation = image.getexif().get(0x0112)
        if orientation and orientation != 1:
            image = ImageOps.exif_transpose(image)
        image.thumbnail((max_side, max_side))
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _not_a_photo() from exc
    out = io.BytesIO()
    keep_png = kind in LOSSLESS and image.mode in ("1", "L", "LA", "P", "PA", "RGBA")
    if keep_png:
        if image.mode in ("P", "PA"):
            image = image.convert("RGBA")
        image.save(out, format="PNG", optimize=True)
        filename, content_type = f"{name}.png", "image/png"
    else:
        image.convert("RGB").save(out, format="JPEG", quality=JPEG_QUALITY, optimize=True)
        filename, content_type = f"{name}.jpg", "image/jpeg"
    size = out.getbuffer().nbytes
    out.seek(0)
    return InMemoryUploadedFile(out, name, filename, content_type, size, None)
