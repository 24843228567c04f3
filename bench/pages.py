"""Measure the weight and render time of municipality pages; write docs/performance.md.

Run: .venv/bin/python bench/pages.py
Builds a throwaway SQLite database with 50 offers in one municipality and 5 in another,
then renders both pages side by side in one run (the ratio is what to compare across
machines; absolute times on a noisy machine are indicative only).
"""

from __future__ import annotations

import datetime as dt
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask.testing import FlaskClient  # noqa: E402

from directory import create_app  # noqa: E402
from directory.extensions import db  # noqa: E402
from tests.conftest import reset_database, seed_reference_data  # noqa: E402
from tests.factories import make_listing  # noqa: E402
from tests.test_weight import CATEGORIES  # noqa: E402

BIG, SMALL = "5612", "5610"  # Kautokeino and Karasjok carry no demo listings
RUNS = 60


def timed(client: FlaskClient, path: str) -> tuple[list[float], int]:
    times, size = [], 0
    for _ in range(RUNS):
        start = time.perf_counter()
        response = client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        size = len(response.data)
    return times, size


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app({"APP_ENV": "testing", "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp}/b.db"})
        reset_database(app)
        seed_reference_data(app, with_demo=False)
        with app.app_context():
            for n in range(50):
                make_listing(
                    db.session(),
                    municipality=BIG,
                    title=f"Tilbud nummer {n} med et vanlig navn",
                    category=CATEGORIES[n % 10],
                    languages=("nb", "en", "uk", "ar"),
                )
            for n in range(5):
                make_listing(
                    db.session(), municipality=SMALL, title=f"Tilbud {n}", category=CATEGORIES[n]
                )
            db.session.commit()
        client = app.test_client()
        css = (ROOT / "static" / "style.css").stat().st_size
        big_times, big_size = timed(client, f"/nb/municipality/{BIG}")
        small_times, _ = timed(client, f"/nb/municipality/{SMALL}")

    def p95(values: list[float]) -> float:
        return statistics.quantiles(values, n=20)[18]

    rows = [
        (
            "municipality page, 50 offers: HTML + CSS",
            f"{(big_size + css) / 1024:.1f} KB",
            "≤ 60 KB",
        ),
        (
            "municipality page, 50 offers: render p50 / p95",
            f"{statistics.median(big_times):.1f} / {p95(big_times):.1f} ms",
            "",
        ),
        (
            "municipality page, 5 offers: render p50 / p95",
            f"{statistics.median(small_times):.1f} / {p95(small_times):.1f} ms",
            "",
        ),
        (
            "ratio 50-offer / 5-offer page (p50)",
            f"{statistics.median(big_times) / statistics.median(small_times):.2f}",
            "",
        ),
    ]
    section = [
        "## Municipality pages (`bench/pages.py`)",
        "",
        f"Measured {dt.date.today().isoformat()} on {platform.machine()}, "
        f"{platform.python_implementation()} {platform.python_version()}, SQLite, "
        f"{RUNS} requests each through the Flask test client.",
        "",
        "| measure | value | target |",
        "| --- | --- | --- |",
        *[f"| {a} | {b} | {c} |" for a, b, c in rows],
        "",
    ]
    write_section(ROOT / "docs" / "performance.md", "## Municipality pages", "\n".join(section))
    print("\n".join(section))


def write_section(path: Path, heading: str, text: str) -> None:
    """Replace one section of the performance document, keeping the others."""
    existing = path.read_text(encoding="utf-8") if path.exists() else "# Performance\n\n"
    parts = existing.split("\n## ")
    kept = [parts[0].rstrip() + "\n"] + [
        "## " + p.rstrip() + "\n" for p in parts[1:] if not ("## " + p).startswith(heading)
    ]
    path.write_text("\n".join([*kept, text]), encoding="utf-8")


if __name__ == "__main__":
    main()
