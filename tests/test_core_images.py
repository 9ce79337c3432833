"""Photos: header read first, decompression bombs refused before decoding, big camera photos kept small."""

import io
import os
import stat

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image, ImageFile

from core import images
from core.images import image_reencode
from roundtable.models import Issue


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def submit_data(**extra):
    data = {
        "title": "路灯坏了",
        "description": "村口路灯坏了两个月",
        "category": "public_service",
        "group": "",
        "raiser_name": "",
        "raiser_mobile": "",
        "website": "",
    }
    data.update(extra)
    return data


def post_photo(client, village, name, content):
    return client.post(
        reverse("roundtable:submit", kwargs={"code": village.code}),
        {**submit_data(), "photo": SimpleUploadedFile(name, content)},
        headers={"accept-language": "en"},
    )


def png_bomb(side=13000) -> bytes:
    """A bilevel PNG of side×side pixels: a few kB on disk, gigabytes once decoded to RGB."""
    out = io.BytesIO()
    Image.new("1", (side, side)).save(out, format="PNG")
    return out.getvalue()


def jpeg_claiming(width: int, height: int) -> bytes:
    """A tiny JPEG whose header claims width×height pixels (the frame header rewritten)."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), "red").save(out, format="JPEG")
    data = bytearray(out.getvalue())
    sof = data.find(b"\xff\xc0")
    data[sof + 5 : sof + 7] = height.to_bytes(2, "big")
    data[sof + 7 : sof + 9] = width.to_bytes(2, "big")
    return bytes(data)


def camera_jpeg(size=(4000, 3000), noise=0.2) -> bytes:
    """A camera-like JPEG of about 12–16 MB: a gradient with sensor noise, quality 95, GPS in EXIF."""
    grain = Image.frombytes("RGB", size, os.urandom(size[0] * size[1] * 3))
    picture = Image.blend(Image.linear_gradient("L").resize(size).convert("RGB"), grain, noise)
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    exif[0x8825] = {1: "N", 2: (24.0, 57.0, 30.0), 3: "E", 4: (118.0, 35.0, 10.0)}
    out = io.BytesIO()
    picture.save(out, format="JPEG", quality=95, subsampling=0, exif=exif)
    return out.getvalue()


@pytest.fixture
def no_decoding(monkeypatch):
    """Fails the test if any file is decoded (Pillow's open reads the header; ImageFile.load decodes)."""
    loads = []

    def refuse(self, *args, **kwargs):
        loads.append(self.size)
        raise AssertionError(f"decoded a {self.size} picture")

    monkeypatch.setattr(ImageFile.ImageFile, "load", refuse)
    return loads


def test_bomb_png_refused_without_decoding(client, village, no_decoding, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    bomb = png_bomb()
    assert len(bomb) < 600_000
    response = post_photo(client, village, "bomb.png", bomb)
    assert response.status_code == 200
    assert "too many pixels" in response.content.decode()
    assert no_decoding == []
    assert Issue.objects.count() == 0
    assert not any(tmp_path.rglob("*.*"))


def test_png_over_40_mpx_refused_before_decoding(no_decoding):
    with pytest.raises(ValidationError, match="too many pixels"):
        image_reencode(SimpleUploadedFile("big.png", png_bomb(side=6400)))  # 41 Mpx
    assert no_decoding == []


def test_jpeg_over_100_mpx_refused_before_decoding(no_decoding):
    with pytest.raises(ValidationError, match="too many pixels"):
        image_reencode(SimpleUploadedFile("huge.jpg", jpeg_claiming(12000, 9000)))  # 108 Mpx
    assert no_decoding == []


def test_photo_over_20_mb_refused_before_opening(monkeypatch):
    def never(*args, **kwargs):
        raise AssertionError("opened a file that is too large")

    monkeypatch.setattr(Image, "open", never)
    with pytest.raises(ValidationError, match="larger than 20 MB"):
        image_reencode(SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * (20 * 1024 * 1024 + 1)))


def test_50_mpx_jpeg_accepted_decoded_in_draft_mode(monkeypatch):
    out = io.BytesIO()
    Image.linear_gradient("L").resize((8660, 5780)).save(out, format="JPEG", quality=80)  # 50 Mpx
    decoded = []
    original_load = ImageFile.ImageFile.load

    def spy(self):
        decoded.append(self.size[0] * self.size[1] * len(self.getbands()))
        return original_load(self)

    monkeypatch.setattr(ImageFile.ImageFile, "load", spy)
    photo = image_reencode(SimpleUploadedFile("p.jpg", out.getvalue()))
    assert max(decoded) <= 8660 * 5780 // 4 + 8660  # decoded at half scale or less
    assert max(decoded) < images.MAX_DECODED_BYTES
    assert max(Image.open(photo).size) == images.MAX_SIDE


def test_long_thin_jpeg_decoded_reduced():
    out = io.BytesIO()
    Image.new("L", (40000, 600), 128).save(out, format="JPEG")
    photo = image_reencode(SimpleUploadedFile("pano.jpg", out.getvalue()))
    assert Image.open(photo).size == (2400, 36)


def test_camera_jpeg_of_12_mb_accepted_and_stored_under_1_mb(client, village, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    raw = camera_jpeg()
    assert 12 * 1024 * 1024 <= len(raw) <= 20 * 1024 * 1024
    response = post_photo(client, village, "IMG_0001.JPG", raw)
    assert response.status_code == 302
    issue = Issue.objects.get()
    stored = issue.photo.path
    assert os.path.getsize(stored) < 1024 * 1024
    with Image.open(stored) as picture:
        assert picture.format == "JPEG" and max(picture.size) == 2400
        assert len(picture.getexif()) == 0
    assert stat.S_IMODE(os.stat(stored).st_mode) == 0o600


@pytest.mark.skipif(not images.HEIF_SUPPORTED, reason="no pillow-heif wheel on this platform")
def test_heic_photo_accepted_as_jpeg():
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "green").save(out, format="HEIF")
    photo = image_reencode(SimpleUploadedFile("IMG_0002.HEIC", out.getvalue()))
    assert photo.name == "photo.jpg" and Image.open(photo).size == (640, 480)


def test_heic_without_reader_refused_with_a_clear_message(monkeypatch):
    heic = b"\x00\x00\x00\x1cftypheic" + b"\x00" * 64
    monkeypatch.setattr(images, "HEIF_SUPPORTED", False)
    with pytest.raises(ValidationError, match="HEIC photos cannot be read here"):
        image_reencode(SimpleUploadedFile("IMG_0003.HEIC", heic))


def test_screenshot_png_with_transparency_stays_png():
    out = io.BytesIO()
    Image.new("RGBA", (300, 200), (0, 0, 0, 0)).save(out, format="PNG")
    photo = image_reencode(SimpleUploadedFile("shot.png", out.getvalue()))
    assert photo.name == "photo.png" and Image.open(photo).mode == "RGBA"


def test_upload_past_the_kept_bytes_is_counted_not_written(settings, rf):
    from core.uploads import CappedTemporaryFileUploadHandler

    settings.FILE_UPLOAD_KEEP_BYTES = 1000
    handler = CappedTemporaryFileUploadHandler(rf.post("/"))
    handler.new_file("photo", "big.jpg", "image/jpeg", 5000)
    for start in range(0, 5000, 700):
        handler.receive_data_chunk(b"x" * 700, start)
    upload = handler.file_complete(5600)
    assert upload.size == 5600
    assert os.path.getsize(upload.temporary_file_path()) == 1000
    upload.close()


# --- a form error keeps the uploaded photo (issue 12) ----------------------------------------------


def test_form_error_keeps_the_uploaded_photo(client, village, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    url = reverse("roundtable:submit", kwargs={"code": village.code})
    photo = SimpleUploadedFile("p.jpg", camera_jpeg(size=(800, 600)), content_type="image/jpeg")
    first = client.post(url, {**submit_data(title=""), "photo": photo}, headers={"accept-language": "en"})
    assert first.status_code == 200 and Issue.objects.count() == 0
    page = first.content.decode()
    assert "Your photo is kept" in page
    token = page.split('name="photo_pending" value="')[1].split('"')[0]
    second = client.post(url, {**submit_data(), "photo_pending": token})
    assert second.status_code == 302
    issue = Issue.objects.get()
    with Image.open(issue.photo.path) as stored:
        assert stored.size == (800, 600)


def test_forged_pending_photo_token_is_ignored(client, village, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    (tmp_path / "issues").mkdir()
    (tmp_path / "issues" / "someone-else.jpg").write_bytes(camera_jpeg(size=(80, 60)))
    url = reverse("roundtable:submit", kwargs={"code": village.code})
    for token in ("issues/someone-else.jpg", "pending/../issues/someone-else.jpg:1abc:sig"):
        client.post(url, {**submit_data(), "photo_pending": token})
    assert Issue.objects.count() == 2
    assert not any(issue.photo for issue in Issue.objects.all())


def test_stale_pending_photos_are_purged(settings, tmp_path):
    import datetime

    from django.utils import timezone

    from core.pending import pending_load, pending_purge, pending_save

    settings.MEDIA_ROOT = tmp_path
    token = pending_save(SimpleUploadedFile("photo.jpg", b"jpeg bytes"))
    assert pending_load(token).read() == b"jpeg bytes"
    assert pending_purge() == 0
    assert pending_purge(now=timezone.now() + datetime.timedelta(days=2)) == 1
    assert pending_load(token) is None
