"""User-written descriptions: a small Markdown subset, always sanitized before it is shown.

Markdown (markdown-it-py, raw HTML switched off) gives paragraphs, line breaks, bold,
italics, lists and links; nh3 then keeps only those tags, only ``href`` on links, and only
http(s), tel: and mailto: addresses. Two layers, so a bug in one is not a hole.
"""

from __future__ import annotations

import html
import re
from functools import lru_cache

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = {"http", "https", "tel", "mailto"}

_markdown = MarkdownIt("zero", {"html": False, "breaks": True}).enable(
    ["emphasis", "list", "link", "newline"]
)


def sanitize(html: str) -> str:
    """Keep the allowed tags and safe links only."""
    return str(
        nh3.clean(
            html,
            tags=ALLOWED_TAGS,
            attributes=ALLOWED_ATTRIBUTES,
            url_schemes=URL_SCHEMES,
            link_rel="nofollow noopener",
        )
    )


def web_link(url: str | None) -> str:
    """An address fit for ``href``: http(s) only, else empty (a stored javascript: or
    data: address, from an import or an old record, never becomes a link)."""
    value = (url or "").strip()
    return value if value.lower().startswith(("https://", "http://")) else ""


_LOOKS_LIKE_HTML = re.compile(
    r"<\s*/?\s*(br|p|div|span|b|i|u|a|ul|ol|li|strong|em|h[1-6]|script|style)\b", re.IGNORECASE
)
_BLOCK_EDGE = re.compile(r"<\s*(?:br|/?(?:p|div|li|ul|ol|h[1-6]|tr))\b[^>]*>", re.IGNORECASE)


def html_to_text(text: str) -> str:
    """HTML from another system (calendar or directory descriptions) as plain text: a
    line break where a block or line ends, script and style left out, at most one blank
    line in a row."""
    if not _LOOKS_LIKE_HTML.search(text):  # "a < b" and "<3" are plain text
        return text.strip()
    plain = html.unescape(str(nh3.clean(_BLOCK_EDGE.sub("\n", text), tags=set())))
    lines = [line.strip() for line in plain.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def strip_tags(text: str) -> str:
    """User text as it is stored: no HTML tags at all (script and style with their
    content), entities turned back into the characters people typed ("Mat & prat")."""
    if "<" not in text:
        return text
    return html.unescape(str(nh3.clean(text, tags=set())))


@lru_cache(maxsize=4096)
def render_description(text: str) -> Markup:
    """A description as safe HTML."""
    return Markup(sanitize(_markdown.render(text or "")))  # noqa: S704 - sanitized just above
