"""A run killed midway (a real SIGKILL of a real process) leaves nothing half-written, and
the next run ends with exactly the right records."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from directory import create_app
from directory.extensions import db
from tests.conftest import reset_database, seed_reference_data
from tests.factories import make_organization
from tests.importers.sheets import write_sheet

ROOT = Path(__file__).resolve().parents[2]
ROWS = 3000
BERGEN = "4601"


@pytest.fixture
def database(tmp_path: Path) -> tuple[Path, int]:
    """A file database of its own (the subprocess cannot see the test's transaction)."""
    path = tmp_path / "import.sqlite3"
    app = create_app(
        {
            "APP_ENV": "testing",
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SEARCH_INDEX_DIR": str(tmp_path / "search"),
            "SEARCH_AUTO_REBUILD": False,
        }
    )
    reset_database(app)
    seed_reference_data(app, with_demo=False)
    with app.app_context():
        organization = make_organization(db.session(), BERGEN, name="Frivilligsentralen")
        db.session.commit()
        organization_id = organization.id
        db.session.remove()
        db.engine.dispose()
    return path, organization_id


def flask_import(path: Path, sheet: Path, organization_id: int) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "APP_ENV": "development",
        "DATABASE_URL": f"sqlite:///{path}",
        "SEARCH_INDEX_DIR": str(path.parent / "search"),
    }
    command = [
        str(Path(sys.executable).parent / "flask"),
        "--app",
        "wsgi",
        "import",
        "file",
        str(sheet),
        "--kind",
        "csv",
        "--municipality",
        BERGEN,
        "--organization",
        str(organization_id),
        "--source",
        "frivilligsentralen",
    ]
    return subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def counts(path: Path) -> tuple[int, int, list[str]]:
    with sqlite3.connect(path) as connection:
        listings, distinct = connection.execute(
            "SELECT count(*), count(DISTINCT external_id) FROM listing"
            " WHERE origin = 'import:frivilligsentralen'"
        ).fetchone()
        runs = [row[0] for row in connection.execute("SELECT status FROM import_run ORDER BY id")]
    return listings, distinct, runs


def test_a_killed_run_leaves_nothing_and_the_rerun_is_exact(
    database: tuple[Path, int], tmp_path: Path
) -> None:
    path, organization_id = database
    sheet = tmp_path / "aktiviteter.csv"
    write_sheet(sheet, ROWS)

    process = flask_import(path, sheet, organization_id)
    assert process.stderr is not None
    deadline = time.monotonic() + 120
    for line in process.stderr:  # progress: "… 500 records"
        if "500 records" in line or time.monotonic() > deadline:
            break
    process.send_signal(signal.SIGKILL)
    process.communicate(timeout=30)  # reap it and close its pipes
    assert process.returncode == -signal.SIGKILL
    listings, _distinct, runs = counts(path)
    assert listings == 0  # nothing half-written …
    assert runs == ["running"]  # … and the interrupted run is on record

    finished = flask_import(path, sheet, organization_id)
    out, err = finished.communicate(timeout=600)
    assert finished.returncode == 0, err
    assert f"{ROWS} created" in out
    assert counts(path)[:2] == (ROWS, ROWS)

    again = flask_import(path, sheet, organization_id)
    out, err = again.communicate(timeout=600)
    assert again.returncode == 0, err
    assert f"0 created, 0 updated, {ROWS} unchanged" in out
    assert counts(path) == (ROWS, ROWS, ["running", "finished", "finished"])
