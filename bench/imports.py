"""Measure import throughput on a generated 10,000-row spreadsheet; write docs/performance.md.

Run: make bench-imports  (or .venv/bin/python bench/imports.py --rows 10000)
Builds throwaway SQLite databases, writes a semicolon-separated CSV the way Norwegian
Excel saves it (UTF-8 with BOM, Norwegian headers and values), then in one run times:
reading and parsing only, the first import (every row created), and the same import again
(every row unchanged), three times on fresh databases, and reports the medians. The ratios
are what to compare across machines.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.pages import write_section  # noqa: E402
from bench.search import machine  # noqa: E402
from directory import create_app  # noqa: E402
from directory.extensions import db  # noqa: E402
from importers.models import ImportSource, SourceKind  # noqa: E402
from importers.pipeline import run_import  # noqa: E402
from importers.spreadsheet import read_csv  # noqa: E402
from tests.conftest import reset_database, seed_reference_data  # noqa: E402
from tests.factories import make_organization  # noqa: E402
from tests.importers.sheets import write_sheet  # noqa: E402

MUNICIPALITY = "4601"  # Bergen
TARGET = 2000  # rows per second on SQLite


def measure(folder: Path, data: bytes) -> tuple[float, float, float, tuple[int, int, int]]:
    """Seconds to read only, to import into a fresh database, and to import again."""
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/b.db",
            "SEARCH_INDEX_DIR": f"{folder}/search",
            "SEARCH_AUTO_REBUILD": False,
        }
    )
    reset_database(app)
    seed_reference_data(app, with_demo=False)
    with app.app_context(), app.test_request_context():
        session = db.session()
        org = make_organization(session, MUNICIPALITY, name="Frivilligsentralen")
        source = ImportSource(
            name="bench",
            kind=SourceKind.CSV,
            municipality_number=MUNICIPALITY,
            organization_id=org.id,
            trusted=True,
        )
        session.add(source)
        session.commit()

        start = time.perf_counter()
        parsed = sum(1 for _ in read_csv(data))
        read_s = time.perf_counter() - start

        start = time.perf_counter()
        first = run_import(session, source, read_csv(data))
        session.commit()
        first_s = time.perf_counter() - start

        start = time.perf_counter()
        second = run_import(session, source, read_csv(data))
        session.commit()
        second_s = time.perf_counter() - start
        counts = (parsed, first.run.created, second.run.unchanged)
        if first.run.failed or parsed != first.run.created:
            raise SystemExit(f"the benchmark sheet did not import cleanly: {first.summary()}")
        db.session.remove()
        db.engine.dispose()
    return read_s, first_s, second_s, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs, each on a fresh database")
    parser.add_argument("--no-write", action="store_true", help="print, do not write the doc")
    args = parser.parse_args()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        sheet = Path(tmp) / "aktiviteter.csv"
        write_sheet(sheet, args.rows)
        data = sheet.read_bytes()
        for n in range(args.repeat):
            folder = Path(tmp) / f"run{n}"
            folder.mkdir()
            results.append(measure(folder, data))
    read_s = statistics.median(r[0] for r in results)
    first_all = sorted(r[1] for r in results)
    first_s = statistics.median(first_all)
    second_s = statistics.median(r[2] for r in results)
    parsed, created, unchanged = results[0][3]
    rows = args.rows
    first_rate, second_rate, read_rate = rows / first_s, rows / second_s, rows / read_s
    status = "met" if first_rate >= TARGET else f"missed by {TARGET / first_rate:.1f}×"
    spread = ", ".join(f"{rows / s:,.0f}" for s in first_all)
    section = [
        "## Import (`bench/imports.py`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {machine()}, SQLite, one process: "
        f"a generated {rows:,}-row semicolon CSV with Norwegian headers and values "
        f"({parsed:,} records read; the first import created {created:,}, failed 0; the "
        f"second found {unchanged:,} unchanged). Medians of {args.repeat} runs, each on a "
        "fresh database.",
        "",
        "| measure | rows/s | time | ratio to reading only |",
        "| --- | --- | --- | --- |",
        f"| read and parse only | {read_rate:,.0f} | {read_s:.2f} s | 1.0× |",
        f"| first import (all created) | {first_rate:,.0f} | {first_s:.2f} s | "
        f"{first_s / read_s:.1f}× |",
        f"| same import again (all unchanged) | {second_rate:,.0f} | {second_s:.2f} s | "
        f"{second_s / read_s:.1f}× |",
        "",
        f"First import, every run: {spread} rows/s. "
        f"Target ≥ {TARGET:,} rows/s on SQLite for the first import: {status}.",
        "",
    ]
    print("\n".join(section))
    if not args.no_write:
        write_section(ROOT / "docs" / "performance.md", "## Import", "\n".join(section))


if __name__ == "__main__":
    main()
