"""Self-check of testsupport.browser: Debian's Chromium drives a live Django server."""

import pytest
from playwright.sync_api import Page
from pytest_django.live_server_helper import LiveServer

pytestmark = pytest.mark.browser


def test_home_page_in_chromium(live_server: LiveServer, page: Page) -> None:
    response = page.goto(live_server.url + "/")

    assert response is not None
    assert response.status == 200
    assert "LPSE Support" in page.title()
    assert page.locator("html").get_attribute("lang") == "id"


def test_context_is_indonesian(page: Page) -> None:
    page.goto("data:text/html,<title>x</title>")

    assert page.evaluate("navigator.language") == "id-ID"
    assert page.evaluate("Intl.DateTimeFormat().resolvedOptions().timeZone") == "Asia/Jakarta"
    assert "Chrome/" in page.evaluate("navigator.userAgent")
