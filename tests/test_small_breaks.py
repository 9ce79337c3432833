"""Issue 9's smaller breaks, each with the test that failed before its fix."""

import logging
import os
import stat

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import translation

from accounts.models import Membership
from notifications import services as outbox
from notifications.channels import LoggingSMSBackend
from notifications.models import Notification
from roundtable.models import Issue
from tests.factories import make_user
from tests.roundtable_helpers import raise_issue
from tests.test_config_settings import _run_django


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


def submit(client, village, **extra):
    return client.post(
        reverse("roundtable:submit", kwargs={"code": village.code}),
        submit_data(**extra),
        headers={"accept-language": "en"},
    )


@pytest.mark.parametrize("code", ["---", "%", "\\", "中文码", "\u202e", "'; --"])
def test_track_lookup_with_no_code_characters_shows_a_form_error(client, db, code):
    url = reverse("roundtable:track_lookup")
    response = client.get(url, {"code": code}, headers={"accept-language": "en"})
    assert response.status_code == 200
    assert "Enter the tracking code" in response.content.decode()


def test_track_lookup_keeps_only_the_code_characters(client, db):
    response = client.get(reverse("roundtable:track_lookup"), {"code": "'; DROP TABLE x; --"})
    assert response.status_code == 302 and response["Location"] == "/track/DROPTABLEX/"
    assert client.get(response["Location"]).status_code == 404


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "路灯\x00坏了"),
        ("title", "路灯\r\nBcc: x@example.test"),
        ("title", "路灯\x1b[31m"),
        ("description", "坏了\x00两个月"),
        ("raiser_name", "李\x07四"),
    ],
)
def test_control_characters_refused_with_a_form_error(client, village, field, value):
    response = submit(client, village, **{field: value, "consent": "on"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "control characters" in page or "one line" in page
    assert Issue.objects.count() == 0


def test_line_breaks_allowed_in_a_description(client, village):
    assert submit(client, village, description="第一行\r\n第二行\t完").status_code == 302
    assert Issue.objects.get().description == "第一行\r\n第二行\t完"


def test_nul_in_a_title_on_the_cadre_pages_is_no_500(client, village, cadre):
    client.force_login(cadre)
    similar = client.get(
        reverse("roundtable:issue_similar", kwargs={"code": village.code}), {"title": "路灯\x00坏了"}
    )
    assert similar.status_code == 200
    new = client.post(
        reverse("roundtable:issue_new", kwargs={"code": village.code}),
        {**submit_data(title="路灯\x00坏了"), "channel": "phone"},
    )
    assert new.status_code == 200 and Issue.objects.count() == 0


def test_old_title_with_line_breaks_still_notifies_the_cadres(village, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    make_user(Membership.Role.CADRE, village=village, email="cadre@example.test")
    # Written before the forms refused it (or through the shell): the message must still go out.
    raise_issue(village, title="路灯\r\nBcc: victim@example.test")
    outbox.outbox_send_due()
    sent = [m for m in mail.outbox if "cadre@example.test" in m.to]
    assert len(sent) == 1
    assert "\n" not in sent[0].subject and "\r" not in sent[0].subject
    assert "路灯 Bcc: victim@example.test" in sent[0].subject
    assert sent[0].bcc == []
    assert Notification.objects.filter(status=Notification.Status.FAILED).count() == 0


def test_email_message_id_is_derived_from_the_outbox_row(village):
    cadre = make_user(Membership.Role.CADRE, village=village, email="cadre@example.test")
    raise_issue(village)
    outbox.outbox_send_due()
    row = Notification.objects.get(user=cadre, channel=Notification.Channel.EMAIL)
    (message,) = [m for m in mail.outbox if m.to == ["cadre@example.test"]]
    assert message.extra_headers["Message-ID"] == f"<notification.{row.pk}@tongxin.local>"


def test_submitted_page_shows_the_code_once(client, village):
    submit(client, village)
    code = Issue.objects.get().tracking_code
    first = client.get(reverse("roundtable:submitted"))
    assert code in first.content.decode()
    second = client.get(reverse("roundtable:submitted"))
    assert second.status_code == 302 and code not in second.content.decode()


def test_sms_log_masks_tracking_codes(caplog):
    with caplog.at_level(logging.INFO, logger="notifications"):
        LoggingSMSBackend().send(mobile="13912345678", text="【同心】您的事项 7KQ2MZ9XH4TB 已受理")
    assert "7KQ2MZ9XH4TB" not in caplog.text and "7KQ*******" in caplog.text
    assert "13912345678" not in caplog.text


def test_sqlite_database_created_readable_by_its_owner_only(tmp_path):
    path = tmp_path / "fresh.sqlite3"
    result = _run_django({"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{path}"}, "check")
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600


def test_existing_world_readable_sqlite_database_is_tightened(tmp_path):
    path = tmp_path / "old.sqlite3"
    path.touch(mode=0o644)
    os.chmod(path, 0o644)
    _run_django({"DJANGO_DEBUG": "1", "DATABASE_URL": f"sqlite:///{path}"}, "check")
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
