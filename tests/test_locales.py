"""Every public page in every shipped locale: no interface text left in Norwegian."""

from __future__ import annotations

import gettext
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.plurals import get_plural
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from flask_babel import force_locale

from directory.i18n import DEFAULT_LOCALE, UI_LOCALES, ngettext

LOCALES = Path(__file__).resolve().parent.parent / "locales"
PLACEHOLDER = re.compile(r"%\(\w+\)[sd]|%%")
CHECKED_ATTRIBUTES = ("title", "aria-label", "placeholder", "alt", "content")


class VisibleText(HTMLParser):
    """Text nodes and labelling attributes, skipping content marked with another language."""

    VOID = {
        "area",
        "base",
        "br",
        "col",
        "embed",
        "hr",
        "img",
        "input",
        "link",
        "meta",
        "source",
        "track",
        "wbr",
    }

    def __init__(self, locale: str) -> None:
        super().__init__()
        self.locale = locale
        self.stack: list[tuple[str, bool]] = []  # (tag, skipped)
        self.nodes: list[str] = []

    def skipping(self) -> bool:
        return any(skipped for _, skipped in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        lang = values.get("lang")
        other = (lang is not None and lang != self.locale and tag != "html") or tag in {
            "script",
            "style",
        }
        if not self.skipping() and not other:
            # <meta name=description> is for the page's language; hreflang links name others.
            self.nodes += [str(values[a]) for a in CHECKED_ATTRIBUTES if values.get(a)]
        if tag not in self.VOID:
            self.stack.append((tag, other))

    def handle_endtag(self, tag: str) -> None:
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.skipping() and data.strip():
            self.nodes.append(" ".join(data.split()))


def leftovers(html: str, locale: str, catalog: list[tuple[str, str]]) -> list[str]:
    """Source-language interface strings still on the page."""
    parser = VisibleText(locale)
    parser.feed(html)
    nodes = set(parser.nodes)
    text = " ".join(parser.nodes)
    found = []
    for source, translation in catalog:
        if source == translation:
            continue
        if source in nodes:
            found.append(source)
            continue
        for chunk in PLACEHOLDER.split(source):
            chunk = " ".join(chunk.split()).strip(" .,:;–-()«»?")
            if len(chunk.split()) >= 3 and chunk in text and chunk not in translation:
                found.append(source)
                break
    return found


def catalog_of(locale: str) -> list[tuple[str, str]]:
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        messages = read_po(handle, locale=locale)
    pairs = []
    for message in messages:
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple) else (message.id,)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        pairs += [(i, strings[0]) for i in ids if " ".join(i.split()) == i]
    return pairs


def page_paths(client: FlaskClient) -> list[str]:
    """One URL of every public page type (details found from the Bergen page)."""
    paths = [
        "/{l}/",
        "/{l}/municipalities?q=os",
        "/{l}/municipalities?q=nowhere",
        "/{l}/municipality/4601/bergen",
        "/{l}/municipality/4601/bergen?free=1&time=evening",
        "/{l}/municipality/4601/bergen?category=language",
        "/{l}/municipality/5612/kautokeino",
        "/{l}/municipality/4601/events",
        "/{l}/county/46",
        "/{l}/search?q=leksehjelp",
        "/{l}/search?q=qqqzzz&municipality=4626",
        "/{l}/search?near=Bergen&sort=distance",
        "/{l}/does-not-exist",
        "/{l}/account/login",
        "/{l}/account/register",
        "/{l}/account/reset",
        "/{l}/account/confirm/not-a-token",
    ]
    bergen = client.get("/nb/municipality/4601/bergen").get_data(as_text=True)
    offer = re.search(r'href="/nb(/offer/\d+)', bergen)
    event = re.search(r'href="/nb(/event/\d+)', bergen)
    assert offer
    assert event
    detail = client.get("/nb" + offer.group(1)).get_data(as_text=True)
    organization = re.search(r'href="/nb(/organization/\d+)', detail)
    report = re.search(r'href="/nb(/report/offer/\d+)', detail)
    assert organization
    assert report
    paths += ["/{l}" + m.group(1) for m in (offer, event, organization, report)]
    return paths


@pytest.mark.parametrize("locale", [code for code in UI_LOCALES if code != DEFAULT_LOCALE])
def test_every_page_type_is_fully_translated(client: FlaskClient, locale: str) -> None:
    catalog = catalog_of(locale)
    problems = {}
    for path in page_paths(client):
        url = path.format(l=locale)
        response = client.get(url)
        assert response.status_code in {200, 400, 404}, url
        html = response.get_data(as_text=True)
        assert f'<html lang="{locale}"' in html
        if found := leftovers(html, locale, catalog):
            problems[url] = found
    assert problems == {}


def test_the_leftover_check_finds_norwegian() -> None:
    catalog = catalog_of("uk")
    html = '<html lang="uk"><p>Hopp til innholdet</p><p lang="nb">Gratis</p></html>'
    assert leftovers(html, "uk", catalog) == ["Hopp til innholdet"]


@pytest.mark.parametrize(("locale", "forms"), [("ar", 6), ("uk", 3), ("ru", 3)])
def test_plural_forms_follow_each_language(app: Flask, locale: str, forms: int) -> None:
    plural = get_plural(locale)
    assert plural.num_plurals == forms
    choose = gettext.c2py(plural.plural_expr)
    with (LOCALES / locale / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        message = read_po(handle, locale=locale)[("%(num)d treff", "%(num)d treff")]
    assert message is not None
    seen = set()
    with app.test_request_context(), force_locale(locale):
        for n in (0, 1, 2, 3, 5, 11, 21, 22, 25, 100, 101, 102):
            text = ngettext("%(num)d treff", "%(num)d treff", n)
            assert text == message.string[choose(n)] % {"num": n}
            seen.add(choose(n))
    assert len(seen) == forms
