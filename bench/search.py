"""Search at national scale: whoosh (our engine) beside SQLite FTS5 and tantivy, one run.

Run: .venv/bin/python bench/search.py --corpus 'reports/*.txt' [--listings 100000]

Builds a throwaway SQLite database with generated listings over all 357 municipalities
(text from the Norwegian prose given as --corpus, two translations each), then measures
in one run: the full index rebuild (docs/s); 200 fixed queries through our engine
(single words, two words, phrases, typos, filtered by municipality, distance-sorted),
with facet counts as the site computes them; the same queries on SQLite FTS5 and on
tantivy over the same texts, as ratios; how soon an edit is searchable after commit;
HTTP /search through gunicorn with 2 workers; peak RSS per worker. The figures go into
docs/performance.md with the date and machine. Absolute times on a noisy machine are
indicative; the ratios, taken side by side in one run, are what to compare.
"""

from __future__ import annotations

import argparse
import datetime as dt
import glob
import os
import platform
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from geopy.distance import geodesic  # noqa: E402
from sqlalchemy import select  # noqa: E402

from bench.corpus import Generated, TextSource, generate  # noqa: E402
from directory import create_app  # noqa: E402
from directory.extensions import db  # noqa: E402
from directory.listings.models import Listing  # noqa: E402
from directory.places.models import Municipality  # noqa: E402
from directory.search.engine import Origin, SearchEngine, SearchRequest  # noqa: E402
from directory.search.service import search_index  # noqa: E402
from directory.search.vocabulary import vocabulary  # noqa: E402
from directory.text import fold  # noqa: E402
from tests.conftest import reset_database, seed_reference_data  # noqa: E402

PERFORMANCE_MD = ROOT / "docs" / "performance.md"
SECTION = "## Search (`bench/search.py`)"
RADIUS_KM = 30.0
LIMIT = 20
STOP = {"og", "i", "på", "det", "som", "er", "en", "til", "av", "for", "med", "at", "de", "har"}


@dataclass(frozen=True)
class BenchQuery:
    """One fixed query: its kind, the text, and optionally a municipality or a point."""

    kind: str
    text: str
    municipality: str = ""
    near: tuple[float, float] | None = None


def percentile(values: list[float], p: float) -> float:
    """The p-th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


def make_queries(source: TextSource, places: list[tuple[str, float, float]]) -> list[BenchQuery]:
    """200 fixed queries from the corpus vocabulary, the same for every engine."""
    rng = random.Random(11)
    common = [w for w in source.words if len(w) >= 4 and w not in STOP]
    long_words = [w for w in common if len(w) >= 7]
    big = ["0301", "4601", "5001", "1103", "3201", "4204", "3301", "1506"]

    def typo(word: str) -> str:
        i = rng.randrange(2, len(word) - 1)
        return word[:i] + word[i + 1] + word[i] + word[i + 2 :]

    queries = [BenchQuery("single", rng.choice(common)) for _ in range(50)]
    queries += [BenchQuery("two", f"{rng.choice(common)} {rng.choice(common)}") for _ in range(40)]
    for _ in range(30):
        sentence = WORDS.findall(rng.choice(source.sentences).lower())
        start = rng.randrange(0, max(1, len(sentence) - 2))
        queries.append(BenchQuery("phrase", " ".join(sentence[start : start + 2])))
    queries += [BenchQuery("fuzzy", typo(rng.choice(long_words))) for _ in range(30)]
    queries += [
        BenchQuery("municipality", rng.choice(common), municipality=rng.choice(big))
        for _ in range(30)
    ]
    by_number = {n: (lat, lon) for n, lat, lon in places}
    queries += [
        BenchQuery("distance", rng.choice(common), near=by_number[rng.choice(big)])
        for _ in range(20)
    ]
    return queries


WORDS = re.compile(r"\w+")


def time_queries(run: Callable[[BenchQuery], object], queries: list[BenchQuery]) -> list[float]:
    """Milliseconds per query."""
    times = []
    for query in queries:
        start = time.perf_counter()
        run(query)
        times.append((time.perf_counter() - start) * 1000)
    return times


# -- whoosh (our engine) ---------------------------------------------------------------


def whoosh_runner(app: object) -> Callable[[BenchQuery], object]:
    """Run a query through SearchEngine as the /search view does, facets included."""

    def run(query: BenchQuery) -> object:
        args = {"q": f'"{query.text}"' if query.kind == "phrase" else query.text}
        origin = None
        if query.municipality:
            args["municipality"] = query.municipality
        if query.near:
            origin = Origin(query.near[0], query.near[1], "", RADIUS_KM)
            args["sort"] = "distance"
        request = SearchRequest.from_args(args, origin)
        with app.test_request_context():  # type: ignore[attr-defined]
            return SearchEngine(search_index()).search(request, "nb", vocabulary(db.session()))

    return run


# -- SQLite FTS5 -----------------------------------------------------------------------


def fts5_build(path: Path, generated: Generated) -> tuple[sqlite3.Connection, float]:
    """An FTS5 table over the same texts, with a side table for filters and points."""
    connection = sqlite3.connect(path)
    connection.executescript(
        """
        CREATE VIRTUAL TABLE doc USING fts5(title, body, tokenize='unicode61 remove_diacritics 2');
        CREATE TABLE meta(id INTEGER PRIMARY KEY, municipality TEXT, lat REAL, lon REAL);
        CREATE INDEX meta_municipality ON meta(municipality);
        CREATE INDEX meta_lat ON meta(lat);
        """
    )
    start = time.perf_counter()
    connection.executemany(
        "INSERT INTO doc(rowid, title, body) VALUES (?, ?, ?)",
        ((g.id, g.title, g.body) for g in generated.listings),
    )
    connection.executemany(
        "INSERT INTO meta VALUES (?, ?, ?, ?)",
        ((g.id, g.municipality, g.latitude, g.longitude) for g in generated.listings),
    )
    connection.commit()
    return connection, time.perf_counter() - start


def fts5_expression(query: BenchQuery) -> str:
    """FTS5 syntax for a query; FTS5 has no typo tolerance, so a typo becomes a prefix."""
    words = WORDS.findall(fold(query.text))
    if query.kind == "phrase":
        return '"' + " ".join(words) + '"'
    if query.kind == "fuzzy":
        return f'"{words[0][:4]}"*'
    return " ".join(f'"{w}"' for w in words)


def fts5_runner(connection: sqlite3.Connection) -> Callable[[BenchQuery], object]:
    """Top 20 by bm25 and the total count, filtered and distance-sorted like ours."""

    def run(query: BenchQuery) -> object:
        expression = fts5_expression(query)
        if query.near:
            lat, lon = query.near
            dlat = RADIUS_KM / 111.0
            rows = connection.execute(
                "SELECT meta.id, lat, lon FROM doc JOIN meta ON meta.id = doc.rowid "
                "WHERE doc MATCH ? AND lat BETWEEN ? AND ?",
                (expression, lat - dlat, lat + dlat),
            ).fetchall()
            near = sorted(
                (d, i)
                for i, la, lo in rows
                if (d := geodesic((lat, lon), (la, lo)).km) <= RADIUS_KM
            )
            return len(near), near[:LIMIT]
        where, params = "doc MATCH ?", [expression]
        join = ""
        if query.municipality:
            join = " JOIN meta ON meta.id = doc.rowid"
            where += " AND meta.municipality = ?"
            params.append(query.municipality)
        total = connection.execute(f"SELECT count(*) FROM doc{join} WHERE {where}", params)  # noqa: S608
        top = connection.execute(
            f"SELECT doc.rowid FROM doc{join} WHERE {where} ORDER BY rank LIMIT {LIMIT}",  # noqa: S608
            params,
        )
        return total.fetchone(), top.fetchall()

    return run


# -- tantivy ---------------------------------------------------------------------------


def tantivy_build(path: Path, generated: Generated) -> tuple[object, float]:
    """A tantivy index over the same texts."""
    import tantivy

    builder = tantivy.SchemaBuilder()
    builder.add_text_field("title", stored=False)
    builder.add_text_field("body", stored=False)
    builder.add_integer_field("id", stored=True, indexed=True, fast=True)
    builder.add_text_field("municipality", tokenizer_name="raw")
    builder.add_float_field("lat", stored=True, indexed=True, fast=True)
    builder.add_float_field("lon", stored=True, fast=True)
    schema = builder.build()
    index = tantivy.Index(schema, path=str(path))
    start = time.perf_counter()
    writer = index.writer(heap_size=200_000_000)
    for g in generated.listings:
        writer.add_document(
            tantivy.Document(
                id=g.id,
                title=g.title,
                body=g.body,
                municipality=g.municipality,
                lat=g.latitude,
                lon=g.longitude,
            )
        )
    writer.commit()
    writer.wait_merging_threads()
    index.reload()
    return index, time.perf_counter() - start


def tantivy_runner(index: object) -> Callable[[BenchQuery], object]:
    """Top 20 and the count, filtered and distance-sorted like ours."""
    import tantivy

    searcher = index.searcher()  # type: ignore[attr-defined]
    schema = index.schema  # type: ignore[attr-defined]
    occur = tantivy.Occur

    def text_query(query: BenchQuery) -> object:
        words = WORDS.findall(query.text.lower())
        if query.kind == "phrase":
            return tantivy.Query.boolean_query(
                [
                    (occur.Should, tantivy.Query.phrase_query(schema, f, words))
                    for f in ("title", "body")
                ]
            )
        if query.kind == "fuzzy":
            return tantivy.Query.boolean_query(
                [
                    (occur.Should, tantivy.Query.fuzzy_term_query(schema, f, words[0], distance=1))
                    for f in ("title", "body")
                ]
            )
        return index.parse_query(  # type: ignore[attr-defined]
            " AND ".join(words), ["title", "body"]
        )

    def run(query: BenchQuery) -> object:
        q = text_query(query)
        if query.municipality:
            q = tantivy.Query.boolean_query(
                [
                    (occur.Must, q),
                    (
                        occur.Must,
                        tantivy.Query.term_query(schema, "municipality", query.municipality),
                    ),
                ]
            )
        if query.near:
            lat, lon = query.near
            dlat = RADIUS_KM / 111.0
            box = tantivy.Query.range_query(
                schema, "lat", tantivy.FieldType.Float, lat - dlat, lat + dlat
            )
            q = tantivy.Query.boolean_query([(occur.Must, q), (occur.Must, box)])
            result = searcher.search(q, limit=100_000)
            near = []
            for _score, address in result.hits:
                doc = searcher.doc(address)
                point = (doc["lat"][0], doc["lon"][0])
                if (d := geodesic((lat, lon), point).km) <= RADIUS_KM:
                    near.append((d, doc["id"][0]))
            near.sort()
            return len(near), near[:LIMIT]
        result = searcher.search(q, limit=LIMIT, count=True)
        return result.count, result.hits

    return run


# -- edit latency and HTTP -------------------------------------------------------------


def edit_latency(app: object, runs: int = 5) -> list[float]:
    """Milliseconds from commit of an edited title until the new word is found."""
    times = []
    with app.app_context():  # type: ignore[attr-defined]
        ids = list(db.session.scalars(select(Listing.id).order_by(Listing.id).limit(runs)))
    for n, listing_id in enumerate(ids):
        word = f"redigeringsprove{n}x"
        with app.test_request_context():  # type: ignore[attr-defined]
            listing = db.session.get(Listing, listing_id)
            if listing is None:
                raise SystemExit(f"listing {listing_id} vanished")
            listing.title = f"{listing.title} {word}"
            start = time.perf_counter()
            db.session.commit()
        # The teardown above applied the outbox (embedded default); search from a new request.
        with app.test_request_context():  # type: ignore[attr-defined]
            request = SearchRequest.from_args({"q": word})
            while not SearchEngine(search_index()).search(request, "nb").total:
                if time.perf_counter() - start > 30:
                    raise SystemExit("An edit was not searchable within 30 s")
                time.sleep(0.01)
        times.append((time.perf_counter() - start) * 1000)
    return times


def http_queries(base: str, queries: list[BenchQuery]) -> list[str]:
    """The /search URLs of the fixed queries."""
    urls = []
    for query in queries:
        args = {"q": f'"{query.text}"' if query.kind == "phrase" else query.text}
        if query.municipality:
            args["municipality"] = query.municipality
        if query.near:
            args.update(lat=str(query.near[0]), lon=str(query.near[1]), sort="distance")
        urls.append(f"{base}/nb/search?{urllib.parse.urlencode(args)}")
    return urls


def peak_rss_mb(pid: int) -> float:
    """Peak resident memory of a process (VmHWM), in MB."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return 0.0


def gunicorn_run(env: dict[str, str], queries: list[BenchQuery]) -> tuple[list[float], list[float]]:
    """Serve with gunicorn (2 workers); return per-request ms and each worker's peak RSS."""
    port = 5600 + os.getpid() % 300
    process = subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "--workers=2",
            f"--bind=127.0.0.1:{port}",
            "--log-level=warning",
            "wsgi:app",
        ],
        cwd=ROOT,
        env=env,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=2).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        urls = http_queries(base, queries)
        for url in urls * 2:  # warm both workers
            urllib.request.urlopen(url, timeout=30).read()  # noqa: S310
        times = []
        for url in urls * 2:
            start = time.perf_counter()
            with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310
                response.read()
                if response.status != 200:
                    raise SystemExit(f"{url} answered {response.status}")
            times.append((time.perf_counter() - start) * 1000)
        children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
        rss = [peak_rss_mb(int(pid)) for pid in children]
        return times, rss
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


# -- report ----------------------------------------------------------------------------


def machine() -> str:
    """A short description of this machine."""
    cpu = "unknown CPU"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return (
        f"{platform.machine()}, {os.cpu_count()} cores ({cpu}), CPython {platform.python_version()}"
    )


def write_report(lines: list[str]) -> None:
    """Replace the search section of docs/performance.md."""
    text = PERFORMANCE_MD.read_text(encoding="utf-8")
    head, _, rest = text.partition(SECTION)
    tail = ""
    if rest:
        following = rest.find("\n## ")
        tail = rest[following:] if following >= 0 else ""
    PERFORMANCE_MD.write_text(
        head.rstrip() + "\n\n" + "\n".join(lines).rstrip() + "\n" + tail, encoding="utf-8"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--corpus", required=True, help="glob of Norwegian plain-text files")
    parser.add_argument("--listings", type=int, default=100_000)
    parser.add_argument("--no-http", action="store_true", help="skip the gunicorn part")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    args = parser.parse_args()
    paths = [Path(p) for p in sorted(glob.glob(args.corpus))]
    if not paths:
        raise SystemExit(f"No files match {args.corpus!r}")
    source = TextSource.from_files(paths)
    print(
        f"corpus: {len(paths)} files, {len(source.words):,} words, "
        f"{len(source.sentences):,} sentences"
    )

    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        database = f"sqlite:///{folder}/bench.db"
        config = {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": database,
            "SEARCH_INDEX_DIR": str(folder / "index"),
            "SEARCH_AUTO_REBUILD": False,
        }
        app = create_app(config)
        reset_database(app)
        seed_reference_data(app, with_demo=False)
        with app.app_context():
            start = time.perf_counter()
            generated = generate(db.session(), args.listings, source)
            db.session.commit()
            print(f"generated {args.listings:,} listings in {time.perf_counter() - start:.0f} s")
            places = [
                (m.number, m.latitude, m.longitude)
                for m in db.session.scalars(select(Municipality))
            ]
            start = time.perf_counter()
            indexed = search_index().rebuild(db.session())
            build_s = time.perf_counter() - start
        print(
            f"whoosh rebuild: {indexed:,} docs in {build_s:.1f} s = {indexed / build_s:,.0f} docs/s"
        )
        index_mb = sum(f.stat().st_size for f in (folder / "index").rglob("*") if f.is_file()) / 1e6

        fts, fts_build_s = fts5_build(folder / "fts.db", generated)
        (folder / "tantivy").mkdir()
        tv, tv_build_s = tantivy_build(folder / "tantivy", generated)
        print(f"fts5 build {fts_build_s:.1f} s, tantivy build {tv_build_s:.1f} s")

        queries = make_queries(source, places)
        runners = {
            "whoosh": whoosh_runner(app),
            "fts5": fts5_runner(fts),
            "tantivy": tantivy_runner(tv),
        }
        # Two rounds, engines interleaved so that machine noise falls on all of them: the
        # first with our engine's caches empty (as after a start), the second repeated.
        results: dict[str, dict[str, list[float]]] = {}
        for round_name in ("first", "repeat"):
            for name, run in runners.items():
                key = f"{name} {round_name}"
                results[key] = {}
                for query, ms in zip(queries, time_queries(run, queries), strict=True):
                    results[key].setdefault(query.kind, []).append(ms)
                    results[key].setdefault("all", []).append(ms)
        edits = edit_latency(app)

        http_times: list[float] = []
        rss: list[float] = []
        if not args.no_http:
            env = {
                **os.environ,
                "APP_ENV": "production",
                "SECRET_KEY": "bench-only",
                "DATABASE_URL": database,
                "SEARCH_INDEX_DIR": str(folder / "index"),
            }
            http_times, rss = gunicorn_run(env, queries)

    lines = [
        SECTION,
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}, SQLite, "
        f"{indexed:,} generated listings over {len(places)} municipalities (Norwegian text "
        f"from {len(source.words):,} words of public reports, two translations each), "
        f"{len(queries)} fixed queries run twice per engine in interleaved rounds.",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        f"| whoosh full rebuild | {indexed / build_s:,.0f} docs/s ({build_s:.0f} s) "
        "| ≥ 3,000 docs/s |",
        f"| whoosh index on disk | {index_mb:,.0f} MB |  |",
        f"| SQLite FTS5 / tantivy build (texts only) | {args.listings / fts_build_s:,.0f} / "
        f"{args.listings / tv_build_s:,.0f} docs/s |  |",
        f"| edit searchable after commit (p50 / max of {len(edits)}) | "
        f"{statistics.median(edits):.0f} / {max(edits):.0f} ms | ≤ 1,000 ms |",
    ]
    if http_times:
        lines += [
            f"| HTTP /search through gunicorn, 2 workers: p50 / p95 "
            f"| {percentile(http_times, 50):.1f} / {percentile(http_times, 95):.1f} ms "
            "| p95 ≤ 50 ms |",
            f"| peak RSS per worker | {' / '.join(f'{r:.0f}' for r in rss)} MB | ≤ 300 MB |",
        ]

    def p95(key: str, kind: str = "all") -> float:
        return percentile(results[key][kind], 95)

    lines += [
        f"| engine p95 whoosh ÷ SQLite FTS5, repeated queries | "
        f"{p95('whoosh repeat') / p95('fts5 repeat'):.2f}× | ≤ 2× |",
        f"| engine p95 whoosh ÷ SQLite FTS5, first pass (empty caches) | "
        f"{p95('whoosh first') / p95('fts5 first'):.2f}× |  |",
        "",
        "Engine query times in ms, p50 / p95. Whoosh is our engine as `/search` calls it:",
        "filters, facet counts for every filter, suggestions and the top 20. FTS5 and tantivy",
        "return the count and the top 20. FTS5 has no typo tolerance: a typo query runs as a",
        "prefix of its first four letters there.",
        "",
        "| queries | n | whoosh, first | whoosh, repeat | FTS5 | tantivy "
        "| ÷ FTS5 (p95) | ÷ tantivy (p95) |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for kind in ["all", "single", "two", "phrase", "fuzzy", "municipality", "distance"]:
        cells = [
            f"{percentile(results[key][kind], 50):.1f} / {p95(key, kind):.1f}"
            for key in ("whoosh first", "whoosh repeat", "fts5 repeat", "tantivy repeat")
        ]
        ours = p95("whoosh repeat", kind)
        lines.append(
            f"| {kind} | {len(results['whoosh first'][kind])} | {' | '.join(cells)} "
            f"| {ours / max(p95('fts5 repeat', kind), 0.001):.2f} "
            f"| {ours / max(p95('tantivy repeat', kind), 0.001):.0f} |"
        )
    print("\n".join(lines))
    if not args.no_write:
        write_report(lines)


if __name__ == "__main__":
    main()
