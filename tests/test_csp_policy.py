"""The Content-Security-Policy of every page (django-csp, issue 13): scripts and styles
from our own static files only, no inline code, no eval."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from accounts.models import User

ROOT = Path(settings.BASE_DIR)


def policy(response) -> dict[str, list[str]]:
    """The response's Content-Security-Policy as {directive: [sources]}."""
    header = response["Content-Security-Policy"]
    parts = [part.split() for part in header.split(";") if part.strip()]
    return {part[0]: part[1:] for part in parts}


@pytest.mark.parametrize("path", ["/", "/masuk/"])
def test_pages_allow_only_our_own_scripts_and_styles(client: Client, db: None, path: str) -> None:
    # When an anonymous visitor opens a page
    response = client.get(path)
    # Then the policy allows scripts and styles from this site only: no inline, no eval
    assert response.status_code == 200
    csp = policy(response)
    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]
    assert csp["style-src"] == ["'self'"]
    assert csp["img-src"] == ["'self'"]
    assert csp["object-src"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert csp["form-action"] == ["'self'"]
    assert csp["frame-ancestors"] == ["'none'"]


def test_signed_in_pages_carry_the_same_policy(client: Client, alice: User) -> None:
    # Given a signed-in reporter, when the dashboard opens, then the policy is the same
    client.force_login(alice)
    csp = policy(client.get("/dashboard/"))
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]


def test_only_the_api_docs_page_allows_data_images(client: Client, db: None) -> None:
    # When the API docs page (Swagger UI from our static files) opens
    response = client.get("/api/v1/docs")
    # Then it may draw data: images, and is otherwise as strict as every page
    assert response.status_code == 200
    csp = policy(response)
    assert csp["img-src"] == ["'self'", "data:"]
    assert csp["script-src"] == ["'self'"] and csp["style-src"] == ["'self'"]
    # And the pages keep the strict img-src
    assert policy(client.get("/"))["img-src"] == ["'self'"]


# The pages' templates (not the e-mails', which mail clients read, nor the simulator's,
# which plays other sites): every script and style comes from a static file.
INLINE = [
    (re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> block"),
    (re.compile(r"\sstyle\s*=", re.I), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "event handler attribute"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
    (re.compile(r"\shx-(on|vars)\b|(\bhx-vals\s*=\s*['\"]\s*js:)", re.I), "htmx eval"),
]


def page_templates() -> list[Path]:
    found = list((ROOT / "templates").rglob("*.html"))
    for folder in ROOT.glob("*/templates"):
        if folder.parent.name != "simulator":
            found += folder.rglob("*.html")
    return [path for path in found if "email" not in path.relative_to(ROOT).parts]


def test_page_templates_hold_no_inline_script_or_style() -> None:
    # Given every page template of the app
    templates = page_templates()
    assert len(templates) > 20
    # Then none holds inline code or style that the policy would block
    findings = [
        f"{path.relative_to(ROOT)}: {what}"
        for path in templates
        for pattern, what in INLINE
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert findings == []


def test_the_inline_check_recognises_what_the_policy_blocks() -> None:
    # The patterns above catch each kind of inline code (so the scan can fail)
    samples = [
        "<script>alert(1)</script>",
        "<style>p{}</style>",
        '<p style="color:red">',
        '<form onsubmit="return x()">',
        '<a href="javascript:void(0)">',
        "<div hx-vals='js:{a: 1}'>",
        '<div hx-on:click="x()">',
    ]
    for sample in samples:
        assert any(pattern.search(sample) for pattern, _ in INLINE), sample
    external = '<script src="/static/js/app.js" defer>'
    assert not any(pattern.search(external) for pattern, _ in INLINE)


def test_htmx_runs_without_eval_or_its_inline_indicator_style(client: Client, db: None) -> None:
    # When any page opens, then htmx is configured before it loads to use neither
    html = client.get("/").content.decode()
    assert (
        """<meta name="htmx-config" content='{"allowEval":false,"includeIndicatorStyles":false}'>"""
        in html
    )
    # And the indicator rules htmx would have injected are in our stylesheet
    assert ".htmx-request .htmx-indicator" in (ROOT / "static/css/app.css").read_text()
