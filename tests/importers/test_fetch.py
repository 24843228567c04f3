"""fetch(): conditional GET, size and time limits, plain Norwegian errors, http(s) only."""

from __future__ import annotations

import contextlib
import gzip
import socket
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from importers.fetch import USER_AGENT, fetch
from importers.records import FileError

SLOW_SECONDS = 1.5


class Handler(BaseHTTPRequestHandler):
    """A few fixed routes that behave like well- and badly-behaved feed servers."""

    def do_GET(self) -> None:
        route = getattr(self, "route_" + self.path.strip("/").replace("-", "_"), None)
        if route is None:
            self.send_error(404)
            return
        # The client may give up first, as the timeout tests intend.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            route()

    def route_feed(self) -> None:
        if self.headers.get("If-None-Match") == '"v1"':
            self.send_response(304)
            self.send_header("ETag", '"v1"')
            self.end_headers()
            return
        self._send(
            b"BEGIN:VCALENDAR", ETag='"v1"', **{"Last-Modified": "Tue, 01 Dec 2026 10:00:00 GMT"}
        )

    def route_since(self) -> None:
        if self.headers.get("If-Modified-Since") == "Tue, 01 Dec 2026 10:00:00 GMT":
            self.send_response(304)
            self.end_headers()
            return
        self._send(b"new")

    def route_agent(self) -> None:
        self._send(self.headers.get("User-Agent", "").encode())

    def route_big(self) -> None:
        self._send(b"x" * 5000)

    def route_big_unannounced(self) -> None:
        # No Content-Length: only counting while reading can stop it.
        self.protocol_version = "HTTP/1.0"
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"x" * 5000)

    def route_bomb(self) -> None:
        self._send(gzip.compress(b"\0" * 100_000), **{"Content-Encoding": "gzip"})

    def route_slow(self) -> None:
        time.sleep(SLOW_SECONDS)
        self._send(b"late")

    def route_stall(self) -> None:
        self.send_response(200)
        self.send_header("Content-Length", "100")
        self.end_headers()
        self.wfile.write(b"half")
        self.wfile.flush()
        time.sleep(SLOW_SECONDS)

    def route_broken(self) -> None:
        self.send_error(500)

    def route_moved(self) -> None:
        self.send_response(302)
        self.send_header("Location", "/feed")
        self.end_headers()

    def route_to_file(self) -> None:
        self.send_response(302)
        self.send_header("Location", "file:///etc/passwd")
        self.end_headers()

    def _send(self, body: bytes, **headers: str) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    """A local HTTP server in a thread; yields its base URL."""
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_etag_makes_the_second_fetch_conditional(server: str) -> None:
    first = fetch(server + "/feed", allow_private=True)
    assert first.status == 200
    assert first.content == b"BEGIN:VCALENDAR"
    assert first.etag == '"v1"'
    assert first.last_modified == "Tue, 01 Dec 2026 10:00:00 GMT"

    again = fetch(server + "/feed", etag=first.etag, allow_private=True)
    assert again.status == 304
    assert again.content is None
    assert again.etag == '"v1"'


def test_last_modified_is_sent_as_if_modified_since(server: str) -> None:
    stamp = "Tue, 01 Dec 2026 10:00:00 GMT"
    fetched = fetch(server + "/since", last_modified=stamp, allow_private=True)
    assert (fetched.status, fetched.content, fetched.last_modified) == (304, None, stamp)
    assert fetch(server + "/since", allow_private=True).content == b"new"


def test_user_agent_names_lokaltilbud(server: str) -> None:
    fetched = fetch(server + "/agent", allow_private=True)
    assert fetched.content == USER_AGENT.encode()
    assert b"Lokaltilbud" in (fetched.content or b"")


def test_announced_size_over_the_limit_is_refused(server: str) -> None:
    with pytest.raises(FileError, match=r"er for stor: vi henter høyst 1 kB"):
        fetch(server + "/big", max_bytes=1000, allow_private=True)
    assert fetch(server + "/big", max_bytes=5000, allow_private=True).content == b"x" * 5000


def test_unannounced_size_is_stopped_while_reading(server: str) -> None:
    with pytest.raises(FileError, match="er for stor"):
        fetch(server + "/big-unannounced", max_bytes=1000, allow_private=True)


def test_size_limit_counts_the_unpacked_body(server: str) -> None:
    with pytest.raises(FileError, match="er for stor"):
        fetch(server + "/bomb", max_bytes=10_000, allow_private=True)


def test_slow_server_times_out_with_a_plain_message(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(FileError) as caught:
        fetch(server + "/slow", timeout=0.3, allow_private=True)
    assert str(caught.value) == (
        f"Fikk ikke kontakt med {server}/slow: tidsavbrudd etter 0,3 sekunder."
    )
    assert time.monotonic() - started < SLOW_SECONDS


def test_body_that_stalls_halfway_times_out(server: str) -> None:
    with pytest.raises(FileError, match=r"/stall: tidsavbrudd etter 0,3 sekunder\.$"):
        fetch(server + "/stall", timeout=0.3, allow_private=True)


def test_http_errors_say_the_status(server: str) -> None:
    with pytest.raises(FileError) as caught:
        fetch(server + "/nowhere", allow_private=True)
    assert str(caught.value).startswith(f"{server}/nowhere svarte 404")
    with pytest.raises(FileError, match=r"/broken svarte 500\.$"):
        fetch(server + "/broken", allow_private=True)


def test_refused_connection_is_a_file_error() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    with pytest.raises(FileError, match=r"^Fikk ikke kontakt med http://127\.0\.0\.1:\d+/x: "):
        fetch(f"http://127.0.0.1:{port}/x", timeout=2, allow_private=True)


def test_redirects_are_followed_and_each_hop_checked(server: str) -> None:
    assert fetch(server + "/moved", allow_private=True).content == b"BEGIN:VCALENDAR"
    with pytest.raises(FileError, match="er ikke en nettadresse"):
        fetch(server + "/to-file", allow_private=True)


@pytest.mark.parametrize(
    "url", ["ftp://example.org/feed.json", "file:///etc/passwd", "example.org/feed", "https://"]
)
def test_only_http_and_https_urls(url: str) -> None:
    with pytest.raises(FileError, match="Skriv en adresse som begynner med https://"):
        fetch(url)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "10.0.0.7", "169.254.169.254", "[::1]"])
def test_internal_addresses_are_refused_by_default(host: str) -> None:
    with pytest.raises(FileError, match="peker til en intern adresse"):
        fetch(f"http://{host}/feed")


def test_messages_do_not_show_passwords() -> None:
    with pytest.raises(FileError) as caught:
        fetch("http://user:secret@127.0.0.1/feed")
    assert "secret" not in str(caught.value)
    assert "http://127.0.0.1/feed" in str(caught.value)
