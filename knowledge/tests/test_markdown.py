"""Articles' Markdown is rendered and then sanitized: nothing that runs survives."""

from html.parser import HTMLParser

import pytest
from hypothesis import given
from hypothesis import strategies as st

from knowledge.markdown import render_markdown, sanitize_html

DANGEROUS_SCHEMES = ("javascript:", "data:", "vbscript:")


class _Collector(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def tags_of(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _Collector()
    parser.feed(html)
    parser.close()
    return parser.tags


def assert_harmless(html: str) -> None:
    assert "<script" not in html.lower()
    for tag, attrs in tags_of(html):
        assert tag not in ("script", "style", "iframe", "object", "embed", "svg", "form")
        for name, value in attrs:
            assert not name.startswith("on"), (tag, name)
            assert name not in ("style", "class", "srcdoc", "formaction")
            if name in ("href", "src"):
                squashed = "".join(
                    ch for ch in (value or "") if ch.isprintable() and not ch.isspace()
                )
                assert not squashed.lower().startswith(DANGEROUS_SCHEMES), (tag, value)


@pytest.mark.parametrize(
    "text",
    [
        "<script>alert(1)</script>",
        "<scr<script>ipt>alert(1)</script>",
        '<img src="x" onerror="alert(1)">',
        '<a href="https://lkpp.go.id" onclick="alert(1)">x</a>',
        "[klik](javascript:alert(1))",
        "[klik](JaVaScRiPt:alert(1))",
        "[klik](jav&#x09;ascript:alert(1))",
        "[klik](  javascript:alert(1))",
        "[klik](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
        "![gambar](data:image/png;base64,iVBORw0KGgo=)",
        "![gambar](javascript:alert(1))",
        '<div style="background:url(javascript:alert(1))">x</div>',
        "<iframe src=https://evil.example></iframe>",
        "<svg onload=alert(1)></svg>",
        "[a](<javascript:alert(1)>)",
        "<a href='javascript:alert(1)'>x</a>",
    ],
)
def test_it_strips_what_could_run(text: str):
    html = render_markdown(text)
    assert_harmless(html)


def test_raw_html_is_text_not_markup():
    html = render_markdown('<b onmouseover="x()">tebal</b> <script>alert(1)</script>')
    assert "<b" not in html
    assert "&lt;script&gt;" in html


def test_the_sanitizer_alone_strips_html_from_anywhere():
    html = sanitize_html(
        '<p onclick="x()" style="color:red" class="c">a</p><script>alert(1)</script>'
        '<a href="javascript:alert(1)">b</a><img src="data:image/png;base64,AA" alt="i">'
    )
    assert html == '<p>a</p><a>b</a><img alt="i">'


def test_tables_code_and_lists_are_kept():
    html = render_markdown(
        "| Berkas | Batas |\n|---|---|\n| PDF | 50 MB |\n\n"
        "```\nrm -rf /tmp/x <script>\n```\n\n- satu\n- dua\n\n`kode` **tebal** *miring*"
    )
    assert "<table>" in html and "<th>Berkas</th>" in html and "<td>50 MB</td>" in html
    assert "<pre><code>rm -rf /tmp/x &lt;script&gt;\n</code></pre>" in html
    assert "<ul>" in html and "<li>satu</li>" in html
    assert (
        "<code>kode</code>" in html
        and "<strong>tebal</strong>" in html
        and "<em>miring</em>" in html
    )


def test_links_keep_safe_schemes_and_external_ones_get_rel():
    html = render_markdown(
        "[luar](https://lkpp.go.id/) [dalam](/bantuan/lupa-sandi/) "
        "[surel](mailto:helpdesk@lkpp.go.id)"
    )
    assert '<a href="https://lkpp.go.id/" rel="noopener nofollow">luar</a>' in html
    assert '<a href="/bantuan/lupa-sandi/">dalam</a>' in html
    assert '<a href="mailto:helpdesk@lkpp.go.id">surel</a>' in html


def test_headings_move_one_level_down():
    # The page's own <h1> is the article's title.
    assert render_markdown("# Bagian\n\n###### Kecil") == "<h2>Bagian</h2>\n<h6>Kecil</h6>\n"


_html_bits = st.sampled_from(
    [
        "<script>", "</script>", "<scr", "ipt>", "javascript:", "java\tscript:",
        "jav&#x09;ascript:",
        "&#106;avascript:", "data:text/html,", " onerror=", " onclick=", "<img src=", "<a href=",
        "[x](", "![y](", ")", "<", ">", '"', "'", "`", "```\n", "\n", "|", "---", "<svg", "<iframe",
        "style=", "&lt;", "vbscript:", "<!--", "-->", "<![CDATA[", "]]>", "*", "#",
    ]
)  # fmt: skip


@given(st.lists(st.one_of(_html_bits, st.text(max_size=8)), max_size=40).map("".join))
def test_nothing_that_runs_survives_any_input(text: str):
    assert_harmless(render_markdown(text))
    assert_harmless(sanitize_html(text))


# --- Images: only the article's own ------------------------------------------------------

OWN = "/bantuan/gambar/7/"


def test_an_image_shows_only_from_the_articles_own_addresses():
    html = render_markdown(
        f"![tombol]({OWN}) ![lain](/bantuan/gambar/8/) ![luar](https://evil.example/x.png) "
        "![data](data:image/png;base64,iVBORw0KGgo=) ![rel](//evil.example/x.png)",
        image_urls={OWN},
    )
    assert [tag for tag, _attrs in tags_of(html)] == ["p", "img"]
    assert f'<img src="{OWN}" alt="tombol">' in html
    for dropped in ("/bantuan/gambar/8/", "evil.example", "data:"):
        assert dropped not in html
    assert "lain" in html and "luar" in html


def test_without_image_addresses_no_image_shows():
    html = render_markdown(f"![tombol]({OWN}) ![x](https://lkpp.go.id/logo.png)")
    assert "<img" not in html
    assert html == "<p>tombol x</p>\n"


def test_the_sanitizer_drops_an_img_src_that_is_not_the_articles():
    html = sanitize_html(
        f'<img src="{OWN}" alt="a" onerror="x()"><img src="https://evil.example/x.png" alt="b">'
        f'<img src="data:image/png;base64,AA" alt="c"><img src="{OWN}?x=1" alt="d">',
        image_urls={OWN},
    )
    assert html == f'<img src="{OWN}" alt="a"><img alt="b"><img alt="c"><img alt="d">'


def test_alt_text_is_escaped_when_the_image_is_dropped():
    html = render_markdown("![<script>alert(1)</script>](https://evil.example/x.png)")
    assert_harmless(html)
    assert "&lt;script&gt;" in html


@given(st.lists(st.one_of(_html_bits, st.text(max_size=8)), max_size=40).map("".join))
def test_nothing_that_runs_survives_with_image_addresses(text: str):
    assert_harmless(render_markdown(text + f"![x]({OWN})", image_urls={OWN}))
