"""The SPSE/SiRUP/Inaproc simulator, driven over real HTTP like a browser would."""

import http.cookiejar
import urllib.error
import urllib.parse
import urllib.request
from datetime import date
from html.parser import HTMLParser

import jwt
import pytest

from accounts.models import User
from accounts.sso import verify_handoff_token
from lib.devkeys import dev_kid
from reference.models import Lpse


class FormParser(HTMLParser):
    """Collects forms (action, method, fields) and links of a page."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[dict] = []
        self.links: dict[str, str] = {}
        self._href: str | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form":
            self.forms.append(
                {
                    "id": attributes.get("id"),
                    "action": attributes.get("action") or "",
                    "method": (attributes.get("method") or "get").lower(),
                    "fields": {},
                }
            )
        elif tag == "input" and self.forms and attributes.get("type") == "hidden":
            self.forms[-1]["fields"][attributes["name"]] = attributes.get("value", "")
        elif tag == "a":
            self._href = attributes.get("href")
            self._text = []

    def handle_data(self, data):
        if self._href is not None:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "a" and self._href is not None:
            self.links[" ".join("".join(self._text).split())] = self._href
            self._href = None


class Browser:
    """A cookie-keeping HTTP client that never follows the hand-off to the app."""

    def __init__(self, base_url: str) -> None:
        self.base_url = base_url
        self.cookies = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(self.cookies)
        )
        self.url = ""
        self.html = ""

    def open(self, url: str, data: dict | None = None) -> str:
        url = urllib.parse.urljoin(self.url or self.base_url + "/", url)
        body = urllib.parse.urlencode(data).encode() if data is not None else None
        with self.opener.open(url, body, timeout=10) as response:
            self.url = response.geturl()
            self.html = response.read().decode()
        return self.html

    def page(self) -> FormParser:
        parser = FormParser()
        parser.feed(self.html)
        return parser

    def submit_form(self, **fields: str) -> str:
        """Submit the page's last form (the login form, or the only one) with `fields`."""
        form = self.page().forms[-1]
        return self.open(form["action"], {**form["fields"], **fields})

    def follow(self, link_text: str) -> str:
        return self.open(self.page().links[link_text])


@pytest.fixture
def browser(standalone_simulator):
    return Browser(standalone_simulator)


def handoff_form(browser: Browser) -> dict:
    form = next(form for form in browser.page().forms if form["id"] == "handoff")
    assert form["method"] == "post"
    return form


def test_the_index_lists_the_simulated_sites_and_demo_accounts(browser):
    # when the index is opened
    html = browser.open("/")

    # then both SPSE instances, SiRUP and the demo accounts are listed
    assert "LPSE Lembaga Kebijakan Pengadaan Barang/Jasa Pemerintah" in html
    assert "LPSE Kota Surabaya" in html
    assert "SiRUP" in html
    assert "penyedia1" in html
    assert "demo1234" in html


def test_spse_login_with_a_bad_password_shows_the_error(browser):
    # given the SPSE login page of LPSE 119
    browser.open("/spse/119/")
    browser.follow("Login")

    # when a wrong password is submitted
    html = browser.submit_form(user_id="ppk1", password="salah", jenis="non_penyedia")

    # then the generic error is shown and the user stays on the login page
    assert "User ID atau password salah" in html
    assert browser.url.endswith("/spse/119/login/")


def test_spse_login_with_the_wrong_penyedia_choice_shows_the_same_error(browser):
    # given the SPSE login page
    browser.open("/spse/119/login/")

    # when penyedia1 signs in as Non-Penyedia
    html = browser.submit_form(user_id="penyedia1", password="demo1234", jenis="non_penyedia")

    # then the same error as for a wrong password is shown
    assert "User ID atau password salah" in html


# The key table (accounts.SsoKey) is consulted when verifying.
@pytest.mark.django_db
def test_penyedia_reaches_beranda_and_is_handed_over_with_a_valid_spse_token(browser):
    # given penyedia1 signing in as Penyedia at LPSE 119
    browser.open("/spse/119/login/")
    html = browser.submit_form(user_id="penyedia1", password="demo1234", jenis="penyedia")
    assert browser.url.endswith("/spse/119/beranda/")
    assert "Hendra Wijaya" in html
    assert "Pelaku Usaha" in html

    # when they go to Inaproc and choose LPSE Support's Masuk Production
    html = browser.follow("Aplikasi E-Procurement Lainnya")
    assert "LPSE Support" in html
    browser.follow("Masuk Production")

    # then the hand-off page auto-posts a token to the app that the app accepts
    form = handoff_form(browser)
    assert form["action"] == "http://127.0.0.1:1/sso/spse/"
    assert "Lanjutkan" in browser.html
    assert ".submit()" in browser.html
    claims = verify_handoff_token(source="spse", token=form["fields"]["token"])
    assert (claims.user_id, claims.kd_lpse, claims.role) == ("penyedia1", 119, "pelaku_usaha")
    assert claims.name == "Hendra Wijaya"
    assert (claims.expires_at - claims.issued_at).total_seconds() == 120


# The key table (accounts.SsoKey) is consulted when verifying.
@pytest.mark.django_db
def test_ppk1_at_lpse_10_is_handed_over_with_kd_lpse_10(browser):
    # given ppk1 signing in as Non-Penyedia at LPSE 10 (another person than ppk1 at 119)
    browser.open("/spse/10/login/")
    html = browser.submit_form(user_id="ppk1", password="demo1234", jenis="non_penyedia")
    assert "Siti Rahmawati" in html

    # when they go through Inaproc to LPSE Support
    browser.follow("Aplikasi E-Procurement Lainnya")
    browser.follow("Masuk Production")

    # then the token names LPSE 10
    token = handoff_form(browser)["fields"]["token"]
    claims = verify_handoff_token(source="spse", token=token)
    assert (claims.user_id, claims.kd_lpse, claims.role) == ("ppk1", 10, "ppk")
    assert claims.name == "Siti Rahmawati"
    # signed with LPSE 10's own key, named by kid, and addressed to LPSE Support
    assert jwt.get_unverified_header(token)["kid"] == dev_kid("spse", 10, date.today().year)
    assert jwt.decode(token, options={"verify_signature": False})["aud"] == "lpse-support"


# The key table (accounts.SsoKey) is consulted when verifying.
@pytest.mark.django_db
def test_each_handoff_carries_a_fresh_token(browser):
    # given ppk1 signed in at LPSE 119
    browser.open("/spse/119/login/")
    browser.submit_form(user_id="ppk1", password="demo1234", jenis="non_penyedia")

    # when the hand-off page is opened twice
    browser.open("/handoff/?asal=spse-119")
    first = verify_handoff_token(source="spse", token=handoff_form(browser)["fields"]["token"])
    browser.open("/handoff/?asal=spse-119")
    second = verify_handoff_token(source="spse", token=handoff_form(browser)["fields"]["token"])

    # then each token has its own jti
    assert first.jti != second.jti


def test_sirup_login_with_a_bad_password_shows_the_error(browser):
    # given the SiRUP login page reached from its home page
    browser.open("/sirup/")
    browser.follow("Masuk")

    # when a wrong password is submitted
    html = browser.submit_form(username="pakpa1", password="salah")

    # then the error is shown
    assert "Username atau password salah" in html


# The key table (accounts.SsoKey) is consulted when verifying.
@pytest.mark.django_db
def test_pakpa_is_handed_over_with_a_valid_sirup_token(browser):
    # given pakpa1 signing in to SiRUP
    browser.open("/sirup/login/")
    html = browser.submit_form(username="pakpa1", password="demo1234")
    assert browser.url.endswith("/sirup/beranda/")
    assert "Ir. Bambang Hartono" in html
    assert "PA/KPA" in html

    # and Aplikasi Eproc Lainnya sits in the user menu (guide Gambar 8: "Pilih user")
    menu = html[html.index('<details class="usermenu">') : html.index("</details>")]
    assert "Ir. Bambang Hartono" in menu and "Aplikasi Eproc Lainnya" in menu

    # when they open Aplikasi Eproc Lainnya and LPSE SUPPORT's Masuk Production
    html = browser.follow("Aplikasi Eproc Lainnya")
    assert "LPSE SUPPORT" in html
    browser.follow("Masuk Production")

    # then an RS256 SiRUP token is posted to the app's SiRUP hand-off
    form = handoff_form(browser)
    assert form["action"] == "http://127.0.0.1:1/sso/sirup/"
    claims = verify_handoff_token(source="sirup", token=form["fields"]["token"])
    assert (claims.user_id, claims.kd_lpse, claims.role) == ("pakpa1", 0, "pa_kpa")


def test_the_handoff_needs_a_signed_in_user(browser):
    # when the hand-off is opened without signing in
    html = browser.open("/handoff/?asal=spse-119")

    # then the SPSE login is shown instead of a token
    assert browser.url.endswith("/spse/119/login/")
    assert 'name="token"' not in html


def test_logout_ends_the_simulated_session(browser):
    # given ppk1 signed in at LPSE 119
    browser.open("/spse/119/login/")
    browser.submit_form(user_id="ppk1", password="demo1234", jenis="non_penyedia")

    # when they log out
    browser.submit_form()

    # then Beranda asks for login again
    browser.open("/spse/119/beranda/")
    assert browser.url.endswith("/spse/119/login/")


def test_the_simulator_cookies_do_not_clash_with_the_app(browser):
    # given a session in the simulator
    browser.open("/spse/119/login/")
    browser.submit_form(user_id="ppk1", password="demo1234", jenis="non_penyedia")

    # then its cookies have their own names
    names = {cookie.name for cookie in browser.cookies}
    assert names == {"sim_session", "sim_csrftoken"}


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, req, fp, code, msg, headers, newurl):
        return None


def test_the_handoff_signs_the_reporter_in_to_the_live_app(simulator_server, transactional_db):
    # given LPSE 10 known to the app (the reference data has it) and ppk1 signed in to
    # its simulated SPSE
    Lpse.objects.get_or_create(
        kd_lpse=10, defaults={"name": "LPSE Kota Surabaya", "province": "Jawa Timur"}
    )
    browser = Browser(simulator_server)
    browser.open("/spse/10/login/")
    browser.submit_form(user_id="ppk1", password="demo1234", jenis="non_penyedia")
    browser.open("/handoff/?asal=spse-10")
    form = handoff_form(browser)

    # when the browser auto-posts the hand-off form to the app and follows its answer
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(
        urllib.request.ProxyHandler({}), urllib.request.HTTPCookieProcessor(jar), NoRedirect()
    )
    body = urllib.parse.urlencode(form["fields"]).encode()
    with pytest.raises(urllib.error.HTTPError) as posted:
        opener.open(form["action"], body, timeout=10)
    assert posted.value.code == 303
    continue_url = urllib.parse.urljoin(form["action"], posted.value.headers["Location"])
    with pytest.raises(urllib.error.HTTPError) as answer:
        opener.open(continue_url, timeout=10)

    # then the app signs ppk1 of LPSE 10 in and sends them to the dashboard
    assert continue_url.endswith("/sso/lanjut/")
    assert answer.value.code == 302
    assert answer.value.headers["Location"] == "/dashboard/"
    assert "lpsesupport_session" in {cookie.name for cookie in jar}
    assert User.objects.get(source="spse", source_lpse=10, source_user_id="ppk1").role == "ppk"
