"""The Content-Security-Policy watcher of the browser tests (testsupport/browser.py) sees
what the policy blocks, so that the other browser tests prove their pages need no inline
script, inline style or eval. Each test here asserts on the watcher and then clears it:
the violations are the ones it provoked on purpose."""

import json

import pytest
from playwright.sync_api import Browser, Dialog, Page, Route, expect

from accounts.models import ApiToken, User
from accounts.services import staff_member_upsert
from lib.demo_accounts import DEMO_PASSWORD
from tests.browser.test_lifecycle_journey import reporter_page, staff_page
from testsupport.browser import CSP_MARK, CspWatcher
from tickets.tests.factories import make_ticket

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

INJECT_SCRIPT = """() => {
  const script = document.createElement("script");
  script.textContent = "window.injected = true;";
  document.head.append(script);
}"""

INJECT_STYLE = """() => {
  const box = document.createElement("div");
  box.innerHTML = '<p id="styled" style="color: rgb(1, 2, 3)">x</p>';
  document.body.append(box);
}"""


def test_the_watcher_reports_an_inline_script_the_policy_blocks(
    browser: Browser, live_server, csp_violations: CspWatcher
) -> None:
    # Given the landing page in a context the test opened itself, free of violations
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/")
    csp_violations.flush()
    assert csp_violations.messages == []
    # When something adds an inline script to it
    with page.expect_console_message(lambda message: CSP_MARK in message.text):
        page.evaluate(INJECT_SCRIPT)
    # Then the browser did not run it, and the watcher holds the violation
    assert page.evaluate("window.injected") is None
    assert any("script-src" in message for message in csp_violations.messages)
    csp_violations.clear()
    context.close()


def test_the_watcher_reports_an_inline_style_on_the_page_fixture(
    page, live_server, csp_violations: CspWatcher
) -> None:
    # Given the staff sign-in page opened through pytest-playwright's own page fixture
    page.goto(f"{live_server.url}/masuk/")
    # When markup with a style attribute is added
    with page.expect_console_message(lambda message: CSP_MARK in message.text):
        page.evaluate(INJECT_STYLE)
    # Then the style was not applied, and the watcher holds the violation
    color = page.evaluate("getComputedStyle(document.getElementById('styled')).color")
    assert color != "rgb(1, 2, 3)"
    assert any("style-src" in message for message in csp_violations.messages)
    csp_violations.clear()


def _without_duplicate_keys(route: Route) -> None:
    # The OpenAPI document currently lists the binary downloads' "200" answer twice
    # (api/tickets.py's openapi_extra beside the generated one), and Swagger UI refuses
    # such a document. Re-serialising keeps the last one, as Python and most parsers do,
    # so this test can show the page drawn whole under the policy.
    fetched = route.fetch()
    route.fulfill(response=fetched, body=json.dumps(json.loads(fetched.body())))


def test_the_api_docs_page_draws_under_its_policy(
    page: Page, live_server, reference: None, csp_violations: CspWatcher
) -> None:
    # Given the API docs page (Swagger UI from our static files)
    page.route("**/api/v1/openapi.json", _without_duplicate_keys)
    page.goto(f"{live_server.url}/api/v1/docs")
    # When an operation is opened and the authorisation dialog shown
    expect(page.locator(".opblock").first).to_be_visible()
    page.locator(".opblock-summary").first.click()
    page.get_by_role("button", name="Authorize").first.click()
    expect(page.get_by_text("Available authorizations")).to_be_visible()
    # Then its icons (data: images, the one widening of the policy) drew without a
    # violation: the watcher fails this test at teardown otherwise
    csp_violations.flush()
    assert csp_violations.messages == []


# --- What moved out of inline handlers still behaves the same --------------------------


def test_revoking_a_token_still_asks_first(
    browser: Browser, live_server, reference: None, csp_violations: CspWatcher
) -> None:
    # Given a signed-in staff member with one API token
    staff_member_upsert(
        username="agen1",
        full_name="Agen Satu",
        email="agen1@lkpp.example",
        assignments=[("agent", 119, None, "")],
        password=DEMO_PASSWORD,
    )
    context, page = staff_page(browser, live_server.url, "agen1")
    page.goto(f"{live_server.url}/akun/token/")
    page.get_by_label("Nama token").fill("Skrip rekap")
    page.get_by_role("button", name="Buat token").click()
    expect(page.locator("#token-baru")).to_be_visible()
    token = ApiToken.objects.get(user__username="agen1")
    questions: list[str] = []

    def decline(dialog: Dialog) -> None:
        questions.append(dialog.message)
        dialog.dismiss()

    # When they click Cabut and answer Batal to the browser's question
    page.once("dialog", decline)
    page.get_by_role("button", name="Cabut").click()
    # Then the question was asked and the token stays active
    expect(page.get_by_role("button", name="Cabut")).to_be_visible()
    assert questions == ["Cabut token ini? Aplikasi yang memakainya tidak bisa masuk lagi."]
    token.refresh_from_db()
    assert token.is_active
    # When they click again and answer OK, then it is revoked
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Cabut").click()
    expect(page.get_by_text("Token Skrip rekap dicabut.")).to_be_visible()
    token.refresh_from_db()
    assert not token.is_active
    context.close()


def test_the_print_button_still_prints(
    browser: Browser, live_server, reference: None, csp_violations: CspWatcher
) -> None:
    # Given a reporter on the print view of their ticket, with printing observed
    context, page = reporter_page(browser, live_server.url)
    ticket = make_ticket(User.objects.get(source_user_id="penyedia1"))
    page.goto(f"{live_server.url}/tiket/{ticket.number}/cetak/")
    page.evaluate("() => { window.print = () => { window.printed = (window.printed || 0) + 1; }; }")
    # When they click Cetak (the click handler runs within the click)
    page.get_by_role("button", name="Cetak").click()
    # Then the browser's print ran once
    assert page.evaluate("window.printed") == 1
    context.close()


def test_django_admin_pages_draw_under_the_policy(
    browser: Browser, live_server, admin_user: User, csp_violations: CspWatcher
) -> None:
    # Given the administrator signed in to Django admin
    admin_user.set_password(DEMO_PASSWORD)
    admin_user.save()
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{live_server.url}/admin/")
    page.locator("#id_username").fill(admin_user.username)
    page.locator("#id_password").fill(DEMO_PASSWORD)
    page.locator("input[type=submit]").click()
    expect(page.locator("#content-main")).to_be_visible()
    # When they open every list and add form linked from the index, and their own account
    links = page.locator("#content-main a[href^='/admin/']").evaluate_all(
        "links => [...new Set(links.map(link => link.getAttribute('href')))]"
    )
    assert len(links) > 20
    for href in [*links, f"/admin/accounts/user/{admin_user.pk}/change/"]:
        page.goto(f"{live_server.url}{href}")
        expect(page.locator("#content")).to_be_visible()
    # Then Django's admin needed no inline script or style (the watcher fails the test
    # at teardown otherwise)
    csp_violations.flush()
    assert csp_violations.messages == []
    context.close()
