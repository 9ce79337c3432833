"""Run as a script with a stack's settings: ``add-photo`` raises a matter with a photo; ``snapshot`` prints,
as JSON, the row count of every table, two pages' HTML and the photo's bytes (their checksums)."""

import hashlib
import io
import json
import re
import sys

import django

django.setup()

from django.core.files.storage import default_storage  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from PIL import Image  # noqa: E402

from accounts.models import User  # noqa: E402
from roundtable import services  # noqa: E402
from roundtable.models import Issue  # noqa: E402
from villages.models import Village  # noqa: E402

CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def add_photo():
    out = io.BytesIO()
    Image.new("RGB", (80, 60), (30, 120, 200)).save(out, "JPEG")
    village = Village.objects.get(code="xindong")
    issue = services.issue_create(
        village=village,
        channel=Issue.Channel.WEB,
        title="桥边护栏松了",
        description="护栏松动，孩子上学经过很危险",
        category=Issue.Category.choices[0][0],
        photo=SimpleUploadedFile("rail.jpg", out.getvalue(), content_type="image/jpeg"),
    )
    print(json.dumps({"pk": issue.pk, "code": issue.tracking_code}))


def snapshot():
    counts = {}
    with connection.cursor() as cursor:
        for table in sorted(connection.introspection.table_names()):
            cursor.execute(f'SELECT count(*) FROM "{table}"')  # noqa: S608 (table names from the catalogue)
            counts[table] = cursor.fetchone()[0]
    issue = Issue.objects.exclude(photo="").order_by("-pk").first()
    client = Client()
    pages = {}
    for path in ("/v/xindong/", f"/track/{issue.tracking_code}/"):
        response = client.get(path)
        pages[path] = (response.status_code, CSRF.sub("", response.content.decode()))
    client.force_login(User.objects.get(email="cadre@xindong.demo"))
    photo = client.get(f"/work/v/xindong/issues/{issue.pk}/photo/")
    served = b"".join(photo.streaming_content) if photo.streaming else photo.content
    with default_storage.open(issue.photo.name, "rb") as fh:
        stored = fh.read()
    print(
        json.dumps(
            {
                "counts": counts,
                "pages": {
                    p: [s, hashlib.sha256(h.encode()).hexdigest(), len(h)] for p, (s, h) in pages.items()
                },
                "photo": [
                    photo.status_code,
                    hashlib.sha256(served).hexdigest(),
                    hashlib.sha256(stored).hexdigest(),
                ],
            }
        )
    )


if __name__ == "__main__":
    {"add-photo": add_photo, "snapshot": snapshot}[sys.argv[1]]()
