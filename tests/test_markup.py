"""Descriptions: a small Markdown subset in, only safe HTML out."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from directory.markup import html_to_text, render_description
from tests.factories import make_listing


def test_the_markdown_subset() -> None:
    html = str(
        render_description("Hei **alle**\nlinje to\n\n- kaffe\n- te\n\n[Ring oss](tel:+4712345678)")
    )
    assert "<strong>alle</strong>" in html
    assert "<br" in html
    assert "<li>kaffe</li>" in html
    assert '<a href="tel:+4712345678" rel="nofollow noopener">Ring oss</a>' in html


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        '<img src=x onerror="alert(1)">',
        "[klikk](javascript:alert(1))",
        '<a href="https://example.org" onclick="alert(1)">lenke</a>',
        "[data](data:text/html;base64,PHNjcmlwdD4=)",
        '<svg onload="alert(1)"></svg>',
        "<iframe src=//example.org></iframe>",
    ],
)
def test_scripts_and_event_handlers_never_survive(payload: str) -> None:
    tags = Tags()
    tags.feed(str(render_description(payload)))
    assert {tag for tag, _ in tags.seen} <= {"p", "br", "strong", "em", "ul", "ol", "li", "a"}
    for _tag, attrs in tags.seen:
        assert all(not name.startswith("on") for name, _ in attrs)
        hrefs = [value or "" for name, value in attrs if name == "href"]
        assert all(h.startswith(("http:", "https:", "tel:", "mailto:")) for h in hrefs)


class Tags(HTMLParser):
    """Every element with its attributes: what a browser would act on."""

    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, attrs))


def test_a_listing_page_shows_the_description_safely(
    db_session: Session, client: FlaskClient
) -> None:
    listing = make_listing(
        db_session,
        title="Leksehjelp",
        description="Ta med **bøkene**.\n\n<script>alert(1)</script>",
    )
    page = client.get(f"/nb/offer/{listing.id}").get_data(as_text=True)
    assert "<strong>bøkene</strong>" in page
    assert "<script>alert(1)" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_only_web_addresses_become_links() -> None:
    from directory.markup import web_link

    assert web_link("https://example.org/x") == "https://example.org/x"
    assert web_link(" HTTP://example.org ") == "HTTP://example.org"
    assert web_link("javascript:alert(1)") == ""
    assert web_link("data:text/html,<script>") == ""
    assert web_link(None) == ""


def test_stored_text_keeps_no_tags_but_keeps_the_characters_people_typed() -> None:
    from directory.markup import strip_tags

    assert strip_tags("Mat & prat <b onclick=x>fet</b><script>alert(1)</script> a < b") == (
        "Mat & prat fet a < b"
    )


@pytest.mark.parametrize(
    ("html", "text"),
    [
        ("<p>Hei</p><p>Nytt avsnitt</p>", "Hei\n\nNytt avsnitt"),
        ("Linje 1<br>Linje 2<br/>", "Linje 1\nLinje 2"),
        ("<p>Hei</p><script>alert(1)</script><style>p{}</style>", "Hei"),
        ("<ul><li>kaffe</li><li>te &amp; kake</li></ul>", "kaffe\n\nte & kake"),
        ("<div>a</div>\n\n\n\n<div>b</div>", "a\n\nb"),
        ("Barn < 12 år betaler ikke <3", "Barn < 12 år betaler ikke <3"),  # not HTML
    ],
)
def test_html_from_other_systems_as_plain_text(html: str, text: str) -> None:
    assert html_to_text(html) == text
