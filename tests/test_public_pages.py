"""Public pages: both languages, the 17 villages, the language switch, nothing from other hosts, 404s."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse


def public_paths():
    return ["/", "/v/xindong/", "/v/jinxi/", "/accounts/login/", "/accounts/password/reset/"]


@pytest.mark.parametrize("path", public_paths())
@pytest.mark.parametrize(("language", "marker"), [("zh-hans", 'lang="zh-CN"'), ("en", 'lang="en"')])
def test_public_page_in_both_languages(client, demo, path, language, marker):
    response = client.get(path, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    html = response.content.decode()
    assert marker in html
    if language == "en":
        assert "Villages" in html
    else:
        assert "村庄" in html


def test_home_lists_the_17_villages(client, demo):
    html = client.get("/").content.decode()
    for name in ["新东村", "洪四村", "建兴村", "广桥村"]:
        assert name in html
    assert html.count('class="card village-card"') == 17


def test_language_switch_sets_cookie(client, demo):
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    assert "Villages" in client.get("/").content.decode()
    assert 'lang="en"' in client.get("/").content.decode()


class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("src", "href", "action", "srcset", "poster", "data") and value:
                self.urls.append((tag, name, value))


@pytest.mark.parametrize("path", public_paths())
def test_public_page_loads_nothing_from_other_hosts(client, demo, path):
    parser = _Links()
    parser.feed(client.get(path).content.decode())
    assert parser.urls, "the page should reference its own CSS and JS"
    external = [u for u in parser.urls if "//" in u[2].split("?")[0][:8] or u[2].startswith("//")]
    assert external == []
    response = client.get(path)
    assert "default-src 'self'" in response["Content-Security-Policy"]


def test_static_files_are_served(client, demo):
    for asset in ["/static/css/tongxin.css", "/static/js/htmx.min.js", "/static/js/tongxin.js"]:
        response = client.get(asset)
        assert response.status_code == 200, asset


def test_unknown_village_is_404(client, demo):
    response = client.get("/v/nowhere/")
    assert response.status_code == 404
