"""Personal data (PIPL): encrypted at rest, keyed hashes, key rotation, masked admin with a logged reveal,
consent wording version, a person's export and erasure, the retention task, no-store caching."""

import datetime
import io
import json

import pytest
from cryptography.fernet import Fernet
from django.conf import settings as django_settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.core.management import call_command
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation
from openpyxl import load_workbook

from accounts.models import Membership, User
from core import crypto
from notifications.models import Notification
from roundtable import consent, services
from roundtable.forms import ResidentIssueForm
from roundtable.models import Issue, Stage, TimelineEntry
from roundtable.tasks import purge_personal_data
from talent.models import Talent
from tests.factories import make_user
from tests.factories_notifications import MemberFactory, RoundtableFactory
from tests.factories_registries import TalentFactory, valid_id_number
from tests.roundtable_helpers import raise_issue
from tests.test_config_settings import _run_django

MOBILE = "13912345678"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


@pytest.fixture
def keys(settings):
    """Fresh keys for the test, forgotten again afterwards."""
    settings.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    crypto.reset_keys()
    yield settings
    crypto.reset_keys()


def raw(table: str, column: str, pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM {table} WHERE id = %s", [pk])  # noqa: S608 - test names only
        return cursor.fetchone()[0]


def raised_by(village, mobile=MOBILE, **extra):
    return raise_issue(village, raiser_name="李四", raiser_mobile=mobile, consent=True, **extra)


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser(email="admin@example.test", password="x")


# --- at rest -------------------------------------------------------------------------------------


def test_encrypted_columns_hold_no_plain_digits(village, keys):
    issue = raised_by(village)
    talent = TalentFactory(village=village, mobile="13812345678", id_number=valid_id_number())
    user = make_user(Membership.Role.CADRE, village=village, mobile="13700001111")
    member = MemberFactory(roundtable=RoundtableFactory(village=village), mobile="13600002222")
    stored = {
        "issue": raw("roundtable_issue", "raiser_mobile", issue.pk),
        "talent mobile": raw("talent_talent", "mobile", talent.pk),
        "talent id": raw("talent_talent", "id_number", talent.pk),
        "user": raw("accounts_user", "mobile", user.pk),
        "member": raw("roundtable_roundtablemember", "mobile", member.pk),
    }
    for what, value in stored.items():
        assert value.startswith(crypto.TOKEN_PREFIX), what
        assert not any(run in value for run in ("1391234", "1381234", "3505041985", "1370000", "1360000")), (
            what
        )
    # and the ORM reads them back whole
    assert Issue.objects.get(pk=issue.pk).raiser_mobile == MOBILE
    assert Talent.objects.get(pk=talent.pk).id_number == talent.id_number
    assert raw("roundtable_issue", "raiser_mobile_hash", issue.pk) == crypto.blind_index(MOBILE)


def test_notification_addresses_encrypted(village, keys):
    issue = raised_by(village)
    row = Notification.objects.filter(issue=issue, channel=Notification.Channel.SMS).get()
    assert row.address == MOBILE
    assert MOBILE not in raw("notifications_notification", "address", row.pk)
    assert MOBILE[3:] not in raw("notifications_notification", "dedup_key", row.pk)


def test_keyed_hash_finds_a_matter_by_mobile_with_spaces(village, keys):
    issue = raised_by(village)
    raise_issue(village)
    assert list(Issue.objects.filter(raiser_mobile_hash=crypto.blind_index("139 1234 5678"))) == [issue]


def test_keyed_hash_depends_on_the_hash_key(settings):
    before = crypto.blind_index(MOBILE)
    settings.PERSONAL_DATA_HASH_KEY = "another key"
    assert crypto.blind_index(MOBILE) != before


# --- key rotation --------------------------------------------------------------------------------


def test_key_rotation_reads_old_values_and_rewrites_them_under_the_new_key(village, keys):
    old = keys.PERSONAL_DATA_KEYS[0]
    issue = raised_by(village)
    talent = TalentFactory(village=village)
    new = Fernet.generate_key().decode()
    keys.PERSONAL_DATA_KEYS = [new, old]
    crypto.reset_keys()
    assert Issue.objects.get(pk=issue.pk).raiser_mobile == MOBILE  # old key still reads
    call_command("personal_data_rotate", stdout=io.StringIO())
    token = raw("roundtable_issue", "raiser_mobile", issue.pk)
    assert Fernet(new.encode()).decrypt(token.encode()).decode() == MOBILE
    keys.PERSONAL_DATA_KEYS = [new]
    crypto.reset_keys()
    assert Issue.objects.get(pk=issue.pk).raiser_mobile == MOBILE
    assert Talent.objects.get(pk=talent.pk).mobile == talent.mobile


def test_value_under_a_dropped_key_is_refused_loudly(village, keys):
    issue = raised_by(village)
    keys.PERSONAL_DATA_KEYS = [Fernet.generate_key().decode()]
    crypto.reset_keys()
    with pytest.raises(crypto.PersonalDataKeyError, match="cannot be decrypted"):
        Issue.objects.get(pk=issue.pk)


def test_rotation_recomputes_hashes_under_a_new_hash_key(village, keys):
    issue = raised_by(village)
    keys.PERSONAL_DATA_HASH_KEY = "rotated hash key"
    call_command("personal_data_rotate", stdout=io.StringIO())
    assert Issue.objects.filter(raiser_mobile_hash=crypto.blind_index(MOBILE)).get() == issue


def test_production_refuses_to_start_without_data_keys():
    result = _run_django(
        {
            "DJANGO_DEBUG": "0",
            "DJANGO_SECRET_KEY": "x9" * 40 + "-unique-Key-for-a-test",
            "DJANGO_ALLOWED_HOSTS": "example.test",
            "TONGXIN_DATA_KEYS": "",
            "TONGXIN_DATA_HASH_KEY": "",
        },
        "check",
    )
    assert result.returncode != 0
    assert "TONGXIN_DATA_KEYS" in result.stderr


# --- consent -------------------------------------------------------------------------------------


def test_consent_stored_with_its_wording_version(client, village):
    response = client.post(
        reverse("roundtable:submit", kwargs={"code": village.code}),
        {
            "title": "路灯坏了",
            "description": "村口路灯坏了两个月",
            "category": "public_service",
            "raiser_name": "李四",
            "raiser_mobile": MOBILE,
            "consent": "on",
        },
    )
    assert response.status_code == 302
    issue = Issue.objects.get()
    assert issue.consent_version == consent.CURRENT and issue.consent_at is not None
    assert ResidentIssueForm.base_fields["consent"].label == consent.WORDINGS[consent.CURRENT]


def test_no_consent_version_without_personal_data(village):
    assert raise_issue(village).consent_version == ""


# --- admin: masked, revealed on request ----------------------------------------------------------


def test_admin_shows_numbers_masked(client, village, admin_user):
    issue = raised_by(village)
    talent = TalentFactory(village=village)
    client.force_login(admin_user)
    page = client.get(reverse("admin:roundtable_issue_change", args=[issue.pk])).content.decode()
    assert "139****5678" in page and MOBILE not in page
    page = client.get(reverse("admin:talent_talent_change", args=[talent.pk])).content.decode()
    assert talent.id_number not in page and talent.mobile not in page
    assert talent.id_number[-4:] in page


def test_admin_search_finds_by_whole_mobile(client, village, admin_user):
    issue = raised_by(village)
    raise_issue(village, title="别的事")
    client.force_login(admin_user)
    page = client.get(reverse("admin:roundtable_issue_changelist"), {"q": MOBILE}).content.decode()
    assert issue.title in page and "别的事" not in page


def test_reveal_needs_the_permission(client, village):
    issue = raised_by(village)
    staff = make_user(is_staff=True)
    staff.user_permissions.add(*Permission.objects.filter(codename__in=["view_issue", "change_issue"]))
    client.force_login(staff)
    url = reverse("admin:roundtable_issue_reveal", args=[issue.pk])
    assert client.post(url, {"reason": "curious"}).status_code == 403
    assert not LogEntry.objects.exists()


def test_reveal_shows_whole_number_and_is_logged(client, village, admin_user):
    issue = raised_by(village)
    client.force_login(admin_user)
    url = reverse("admin:roundtable_issue_reveal", args=[issue.pk])
    assert MOBILE not in client.get(url).content.decode()  # the GET only asks for a reason
    response = client.post(url, {"reason": "居民来电核实"})
    assert MOBILE in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    entry = LogEntry.objects.get()
    assert entry.user == admin_user and "居民来电核实" in entry.change_message


def test_reveal_without_reason_shows_nothing(client, village, admin_user):
    issue = raised_by(village)
    client.force_login(admin_user)
    response = client.post(reverse("admin:roundtable_issue_reveal", args=[issue.pk]), {"reason": " "})
    assert MOBILE not in response.content.decode()
    assert not LogEntry.objects.exists()


# --- a person's export and erasure ---------------------------------------------------------------


def person_post(client, action, number=MOBILE, **extra):
    return client.post(
        reverse("personal_data_request"),
        {"number": number, "reason": "本人书面申请", "action": action, **extra},
    )


def test_person_export_json_and_xlsx(client, village, admin_user):
    issue = raised_by(village)
    raise_issue(village, title="别人的事", raiser_mobile="13800000000", consent=True)
    client.force_login(admin_user)
    response = person_post(client, "json")
    assert "no-store" in response["Cache-Control"]
    data = json.loads(response.content)
    assert [m["title"] for m in data["matters"]] == [issue.title]
    assert data["matters"][0]["mobile"] == MOBILE and data["matters"][0]["consent_version"] == consent.CURRENT
    response = person_post(client, "xlsx")
    sheet = load_workbook(io.BytesIO(response.content))["matters"]
    assert issue.title in [c.value for c in sheet[2]]


def test_person_request_needs_the_permission(client, village):
    raised_by(village)
    client.force_login(make_user(is_staff=True))
    assert person_post(client, "json").status_code == 403


def test_person_erasure_keeps_matters_and_logs_it(client, village, admin_user):
    issue = raised_by(village)
    talent = TalentFactory(village=village, mobile=MOBILE)
    pending = Notification.objects.filter(issue=issue, channel=Notification.Channel.SMS).get()
    client.force_login(admin_user)
    assert person_post(client, "erase").status_code == 200  # not confirmed: nothing happens
    assert Issue.objects.get(pk=issue.pk).raiser_mobile == MOBILE
    person_post(client, "erase", confirm="yes")
    issue.refresh_from_db()
    assert (
        issue.title
        and issue.raiser_name == ""
        and issue.raiser_mobile == ""
        and issue.raiser_mobile_hash == ""
    )
    assert issue.personal_data_erased_at is not None
    entry = issue.timeline.get(kind=TimelineEntry.Kind.ERASED)
    assert entry.actor == admin_user and entry.note == "本人书面申请" and not entry.is_public
    talent.refresh_from_db()
    assert talent.mobile == "" and talent.id_number == "" and talent.name
    pending.refresh_from_db()
    assert pending.address == "" and pending.status == Notification.Status.CANCELLED


# --- retention -----------------------------------------------------------------------------------


def close_at(issue, when):
    Issue.objects.filter(pk=issue.pk).update(stage=Stage.CLOSED, stage_entered_at=when)


def test_retention_task_removes_closed_matters_details_after_the_period(village, settings):
    settings.PERSONAL_DATA_RETENTION_DAYS = 365
    now = timezone.now()
    old = raised_by(village)
    close_at(old, now - datetime.timedelta(days=366))
    recent = raised_by(village, mobile="13700000000")
    close_at(recent, now - datetime.timedelta(days=300))
    still_open = raised_by(village, mobile="13600000000")
    Issue.objects.filter(pk=still_open.pk).update(stage_entered_at=now - datetime.timedelta(days=900))
    assert purge_personal_data() == 1
    assert purge_personal_data() == 0
    old.refresh_from_db()
    assert old.raiser_mobile == "" and old.raiser_name == "" and old.title
    assert old.timeline.filter(kind=TimelineEntry.Kind.ERASED, actor=None).exists()
    assert Issue.objects.get(pk=recent.pk).raiser_mobile == "13700000000"
    assert Issue.objects.get(pk=still_open.pk).raiser_mobile == "13600000000"


def test_retention_task_is_on_the_beat_schedule():
    tasks = {entry["task"] for entry in django_settings.CELERY_BEAT_SCHEDULE.values()}
    assert "roundtable.purge_personal_data" in tasks


def test_erasing_twice_writes_one_timeline_entry(village):
    issue = raised_by(village)
    services.issue_erase_personal_data(issue=issue, reason="x")
    services.issue_erase_personal_data(issue=issue, reason="x")
    assert issue.timeline.filter(kind=TimelineEntry.Kind.ERASED).count() == 1


# --- caching -------------------------------------------------------------------------------------


def test_talent_pages_and_exports_are_not_stored(client, village):
    TalentFactory(village=village)
    client.force_login(make_user(Membership.Role.CADRE, village=village))
    for url in (
        reverse("talent:village_list", kwargs={"code": village.code}),
        reverse("talent:village_export", kwargs={"code": village.code, "fmt": "xlsx"}),
        reverse("talent:village_export", kwargs={"code": village.code, "fmt": "csv"}),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "no-store" in response["Cache-Control"], url


def test_tracking_page_is_not_stored(client, village):
    issue = raised_by(village)
    response = client.get(reverse("roundtable:track", kwargs={"code": issue.tracking_code}))
    assert "no-store" in response["Cache-Control"]
