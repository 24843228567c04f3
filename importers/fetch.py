"""Fetching a feed over HTTP(S) with limits: conditional GET, size cap, one overall timeout.

Every failure becomes a ``FileError`` with one line a coordinator can act on, never a
traceback. By default only public addresses are fetched: the URL comes from a coordinator,
and a server that fetches whatever it is told could otherwise be pointed at its own
internal network (``allow_private=True`` lifts that, for tests and intranet feeds).
"""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import requests
from urllib3.exceptions import NameResolutionError, ReadTimeoutError

from directory.i18n import _
from importers.records import FileError

USER_AGENT = "Lokaltilbud/0.1 (importer of public activity listings; python-requests)"
MAX_REDIRECTS = 5
CHUNK_BYTES = 64 * 1024


@dataclass
class Fetched:
    """What a GET gave: the body (None when 304 Not Modified) and its validators."""

    content: bytes | None
    etag: str | None
    last_modified: str | None
    status: int


def fetch(
    url: str,
    *,
    etag: str | None = None,
    last_modified: str | None = None,
    timeout: float = 20,
    max_bytes: int = 20_000_000,
    session: requests.Session | None = None,
    allow_private: bool = False,
) -> Fetched:
    """GET an http(s) URL within ``timeout`` seconds and ``max_bytes``, or raise FileError.

    ``etag``/``last_modified`` from an earlier fetch make it conditional: an unchanged feed
    answers 304 and ``content`` is None. Redirects are followed (at most five), each hop
    checked like the first.
    """
    headers = {"User-Agent": USER_AGENT, "Accept": "*/*"}
    if etag:
        headers["If-None-Match"] = etag
    if last_modified:
        headers["If-Modified-Since"] = last_modified
    deadline = time.monotonic() + timeout
    own_session = session is None
    http = session or requests.Session()
    try:
        current = url
        for _hop in range(MAX_REDIRECTS + 1):
            _check_url(current, allow_private)
            remaining = max(deadline - time.monotonic(), 0.001)
            with _get(http, current, headers, remaining, timeout) as response:
                if response.is_redirect:
                    current = urljoin(current, response.headers["location"])
                    continue
                return _read(response, current, etag, last_modified, deadline, timeout, max_bytes)
        raise FileError(
            _("%(url)s sender oss videre for mange ganger. Sjekk adressen.", url=_shown(url))
        )
    finally:
        if own_session:
            http.close()


def _get(
    http: requests.Session, url: str, headers: dict[str, str], remaining: float, timeout: float
) -> requests.Response:
    try:
        return http.get(url, headers=headers, timeout=remaining, stream=True, allow_redirects=False)
    except requests.RequestException as error:
        raise _connection_error(url, error, timeout) from None


def _read(
    response: requests.Response,
    url: str,
    etag: str | None,
    last_modified: str | None,
    deadline: float,
    timeout: float,
    max_bytes: int,
) -> Fetched:
    new_etag = response.headers.get("ETag") or etag
    new_modified = response.headers.get("Last-Modified") or last_modified
    if response.status_code == requests.codes.not_modified:
        return Fetched(None, new_etag, new_modified, response.status_code)
    if response.status_code >= 400:
        raise FileError(_status_message(url, response.status_code))
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise _too_large(url, max_bytes)
    body = bytearray()
    try:
        # Counted after decompression, so a small gzip bomb cannot fill the memory.
        for chunk in response.iter_content(CHUNK_BYTES):
            body.extend(chunk)
            if len(body) > max_bytes:
                raise _too_large(url, max_bytes)
            if time.monotonic() > deadline:
                raise _timed_out(url, timeout)
    except requests.RequestException as error:
        raise _connection_error(url, error, timeout) from None
    return Fetched(bytes(body), new_etag, new_modified, response.status_code)


def _check_url(url: str, allow_private: bool) -> None:
    """Refuse anything but http(s) with a host, and (by default) internal addresses."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        parts, port = None, None
    if parts is None or parts.scheme not in ("http", "https") or not parts.hostname:
        raise FileError(
            _(
                "«%(url)s» er ikke en nettadresse. Skriv en adresse som begynner med "
                "https:// (eller http://).",
                url=url,
            )
        )
    if allow_private:
        return
    host = parts.hostname
    try:
        found = socket.getaddrinfo(host, port or 443, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        raise _not_found(url, host or url) from None
    for info in found:
        address = ipaddress.ip_address(str(info[4][0]).partition("%")[0])
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
            address = address.ipv4_mapped
        if not address.is_global:
            raise FileError(
                _(
                    "%(url)s peker til en intern adresse (%(address)s). Lokaltilbud henter "
                    "bare fra offentlige nettadresser.",
                    url=_shown(url),
                    address=str(address),
                )
            )


def _connection_error(url: str, error: requests.RequestException, timeout: float) -> FileError:
    if isinstance(error, requests.Timeout):
        return _timed_out(url, timeout)
    cause = error.args[0] if error.args else None
    if isinstance(cause, ReadTimeoutError):  # a stalled body arrives as ConnectionError
        return _timed_out(url, timeout)
    if isinstance(getattr(cause, "reason", None), NameResolutionError):
        return _not_found(url, urlsplit(url).hostname or url)
    if isinstance(error, requests.exceptions.SSLError):
        reason = _("den sikre forbindelsen (HTTPS) kunne ikke bekreftes")
    elif isinstance(error, requests.exceptions.ChunkedEncodingError):
        reason = _("forbindelsen ble brutt underveis")
    elif isinstance(error, requests.exceptions.ContentDecodingError):
        reason = _("svaret var skadet og kunne ikke pakkes ut")
    elif isinstance(error, requests.ConnectionError):
        reason = _("serveren svarer ikke")
    else:
        reason = _("forespørselen mislyktes")
    return FileError(
        _("Fikk ikke kontakt med %(url)s: %(reason)s.", url=_shown(url), reason=reason)
    )


def _timed_out(url: str, timeout: float) -> FileError:
    seconds = f"{timeout:g}".replace(".", ",")
    return FileError(
        _(
            "Fikk ikke kontakt med %(url)s: tidsavbrudd etter %(seconds)s sekunder.",
            url=_shown(url),
            seconds=seconds,
        )
    )


def _not_found(url: str, host: str) -> FileError:
    return FileError(
        _(
            "Fikk ikke kontakt med %(url)s: fant ikke serveren %(host)s. Sjekk at adressen er "
            "skrevet riktig.",
            url=_shown(url),
            host=host,
        )
    )


def _too_large(url: str, max_bytes: int) -> FileError:
    return FileError(
        _(
            "%(url)s er for stor: vi henter høyst %(size)s. Del opp filen eller bruk en "
            "adresse som gir mindre om gangen.",
            url=_shown(url),
            size=_size(max_bytes),
        )
    )


def _status_message(url: str, status: int) -> str:
    shown = _shown(url)
    if status in (401, 403):
        return _(
            "%(url)s svarte %(status)s: adressen krever innlogging eller er stengt for oss.",
            url=shown,
            status=status,
        )
    if status in (404, 410):
        return _(
            "%(url)s svarte %(status)s: fant ikke siden. Sjekk at adressen er riktig.",
            url=shown,
            status=status,
        )
    return _("%(url)s svarte %(status)s.", url=shown, status=status)


def _shown(url: str) -> str:
    """The URL without any user name or password in it, for messages."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def _size(count: int) -> str:
    if count >= 1_000_000:
        return f"{count / 1_000_000:g} MB".replace(".", ",")
    if count >= 1000:
        return f"{count / 1000:g} kB".replace(".", ",")
    return f"{count} byte"
