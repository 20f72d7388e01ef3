"""Articles' Markdown to safe HTML: markdown-it-py renders, nh3 sanitizes.

The Markdown is CommonMark with tables, and raw HTML is not Markdown here (it shows as
text). Whatever the renderer produces then passes nh3's allowlist, so that a bug or an
extension in the renderer can never put a script on the page:

- only the tags of ordinary text, lists, code, quotes, tables, links and images;
- links only to http, https, mailto or a relative address (no `javascript:`, no
  `data:`); no event handlers, no `style`, no classes;
- images only from the article's own image addresses (`knowledge:image`, served after
  the same access check as the article): any other `src` (a foreign host, `data:`, an
  image of another article) is dropped, the renderer showing the alt text instead;
- external links carry `rel="noopener nofollow"`;
- headings move one level down (`#` becomes `<h2>`): the page's `<h1>` is the title.

Pages show the result with `|safe` only because it comes from `render_markdown`.
"""

from collections.abc import Callable, Collection, Sequence
from html import escape

import nh3
from markdown_it import MarkdownIt
from markdown_it.renderer import RendererHTML
from markdown_it.token import Token
from markdown_it.utils import EnvType, OptionsDict

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "h2", "h3", "h4", "h5", "h6", "strong", "em", "del", "s",
        "code", "pre", "blockquote", "ul", "ol", "li", "a", "img",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title", "rel"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
EXTERNAL_REL = "noopener nofollow"


def _is_external(href: str) -> bool:
    return href.strip().lower().startswith(("http://", "https://", "//"))


# Render rules are bound to the renderer (markdown-it-py's `add_render_rule`).
def _link_open(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if _is_external(str(token.attrGet("href") or "")):
        token.attrSet("rel", EXTERNAL_REL)
    return renderer.renderToken(tokens, idx, options, env)


def _heading(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    level = min(int(token.tag[1]) + 1, 6)
    token.tag = f"h{level}"
    return renderer.renderToken(tokens, idx, options, env)


def _image(
    renderer: RendererHTML, tokens: Sequence[Token], idx: int, options: OptionsDict, env: EnvType
) -> str:
    token = tokens[idx]
    if str(token.attrGet("src") or "") in env.get("image_urls", ()):
        return renderer.image(tokens, idx, options, env)
    # Not one of the article's images: its alt text, as text.
    return escape(renderer.renderInlineAsText(token.children or [], options, env), quote=False)


def _parser() -> MarkdownIt:
    parser = MarkdownIt("commonmark", {"html": False}).enable("table")
    parser.add_render_rule("link_open", _link_open)
    parser.add_render_rule("heading_open", _heading)
    parser.add_render_rule("heading_close", _heading)
    parser.add_render_rule("image", _image)
    return parser


_PARSER = _parser()


def _attribute_filter(image_urls: Collection[str]) -> Callable[[str, str, str], str | None]:
    def attribute(tag: str, name: str, value: str) -> str | None:
        if tag == "a" and name == "rel":
            # Only the renderer writes rel, and only for external links: one value.
            return EXTERNAL_REL
        if tag == "img" and name == "src" and value not in image_urls:
            return None
        return value

    return attribute


def sanitize_html(html: str, *, image_urls: Collection[str] = ()) -> str:
    """HTML restricted to the allowlist above (also for HTML from anywhere else); an
    `<img>` keeps its `src` only when it is one of `image_urls` (the article's own)."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags={"script", "style"},
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        attribute_filter=_attribute_filter(frozenset(image_urls)),
        link_rel=None,
        url_schemes=set(URL_SCHEMES),
        strip_comments=True,
    )


def render_markdown(text: str, *, image_urls: Collection[str] = ()) -> str:
    """The article's Markdown as HTML that is safe to put on a page; `image_urls` are
    the addresses of the article's own images (`knowledge.images.article_image_urls`)."""
    urls = frozenset(image_urls)
    return sanitize_html(_PARSER.render(text, {"image_urls": urls}), image_urls=urls)
