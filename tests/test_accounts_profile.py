"""Accounts: the profile page keeps what was typed and checks the mobile number."""

from django.urls import reverse

from tests.factories import UserFactory

PASSWORD = "pw-for-tests-123"


def test_profile_updates_and_validates_mobile(client, db):
    user = UserFactory()
    client.force_login(user)
    bad = client.post(reverse("profile"), {"display_name": "张三", "mobile": "12345", "language": "en"})
    assert bad.status_code == 200
    user.refresh_from_db()
    assert user.mobile == ""
    ok = client.post(reverse("profile"), {"display_name": "张三", "mobile": "13812345678", "language": "en"})
    assert ok.status_code == 302
    user.refresh_from_db()
    assert (user.display_name, user.mobile, user.language) == ("张三", "13812345678", "en")
    assert ok.cookies["django_language"].value == "en"


def test_profile_requires_login(client, db):
    response = client.get(reverse("profile"))
    assert response.status_code == 302
