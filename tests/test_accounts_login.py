"""Accounts: e-mail login, closed sign-up, throttling, session rotation, password reset."""

import pytest
from django.urls import reverse

from accounts.models import User
from tests.factories import UserFactory

PASSWORD = "pw-for-tests-123"


def test_login_with_email_rotates_session(client, db):
    user = UserFactory(email="cadre@example.test")
    client.get(reverse("account_login"))
    session = client.session
    session["probe"] = 1
    session.save()
    before = client.cookies["sessionid"].value
    response = client.post(reverse("account_login"), {"login": "cadre@example.test", "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == reverse("workspace:home")
    assert client.cookies["sessionid"].value != before
    assert int(client.session["_auth_user_id"]) == user.pk


def test_signup_is_closed(client, db):
    response = client.post(
        reverse("account_signup"),
        {"email": "new@example.test", "password1": "a-Long-pass-123", "password2": "a-Long-pass-123"},
    )
    assert not User.objects.filter(email="new@example.test").exists()
    assert response.status_code in (200, 403)


def test_login_throttled_after_repeated_failures(client, db):
    UserFactory(email="target@example.test")
    for _ in range(5):
        client.post(reverse("account_login"), {"login": "target@example.test", "password": "wrong"})
    response = client.post(reverse("account_login"), {"login": "target@example.test", "password": PASSWORD})
    # Throttled: even the right password is refused for now.
    assert "_auth_user_id" not in client.session
    assert response.status_code in (200, 429)


def test_wrong_password_gets_translated_error(client, db):
    UserFactory(email="target@example.test")
    response = client.post(
        reverse("account_login"),
        {"login": "target@example.test", "password": "wrong"},
        HTTP_ACCEPT_LANGUAGE="zh-hans",
    )
    assert response.status_code == 200
    assert "电子邮件" in response.content.decode() or "密码" in response.content.decode()


def test_password_reset_sends_mail(client, db, mailoutbox):
    UserFactory(email="forgot@example.test")
    response = client.post(reverse("account_reset_password"), {"email": "forgot@example.test"})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["forgot@example.test"]


@pytest.mark.parametrize("path", ["/admin/", "/work/"])
def test_staff_pages_need_login(client, db, path):
    assert client.get(path).status_code == 302
