"""The large-text switch (适老化): a plain form post that sets a cookie and goes back where it came from."""

import pytest

pytestmark = pytest.mark.django_db


def switch(client, **data):
    return client.post("/text-size/", data)


def test_large_text_is_remembered_in_a_cookie_and_goes_back(client):
    response = switch(client, size="large", next="/v/xindong/submit/?from=poster")
    assert response.status_code == 302
    assert response["Location"] == "/v/xindong/submit/?from=poster"
    cookie = response.cookies["tongxin_text"]
    assert cookie.value == "large"
    assert cookie["max-age"] >= 365 * 24 * 3600
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    page = client.get("/track/")
    assert b'<html lang="zh-CN" class="text-large">' in page.content
    assert "标准字号" in page.content.decode()


def test_standard_text_forgets_the_cookie(client):
    client.cookies["tongxin_text"] = "large"
    response = switch(client, size="normal", next="/track/")
    assert response["Location"] == "/track/"
    assert response.cookies["tongxin_text"]["max-age"] == 0
    page = client.get("/track/").content.decode()
    assert "text-large" not in page
    assert "大字" in page


ELSEWHERE = ["https://evil.example/", "//evil.example/x", "javascript:alert(1)", "", "http:\\\\evil.example/"]


@pytest.mark.parametrize("target", ELSEWHERE)
def test_next_elsewhere_goes_home(client, target):
    response = switch(client, size="large", next=target)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_unknown_size_is_standard_and_get_is_refused(client):
    client.cookies["tongxin_text"] = "large"
    assert switch(client, size="<script>", next="/track/").cookies["tongxin_text"]["max-age"] == 0
    assert client.get("/text-size/?size=large").status_code == 405


def test_a_forged_cookie_changes_nothing(client):
    client.cookies["tongxin_text"] = '"><script>x</script>'
    page = client.get("/track/").content.decode()
    assert "text-large" not in page and "<script>x" not in page
