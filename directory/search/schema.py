"""The index schema: lean keyword fields for filters, text fields per analyzer group.

Coordinates and the next date are per-document columns, not indexed as NUMERIC (which
would multiply the index size); the distance prefilter uses coarse grid cells instead.
"""

from __future__ import annotations

import math

from whoosh.columns import NumericColumn
from whoosh.fields import COLUMN, ID, KEYWORD, STORED, TEXT, Schema

from directory.search.analysis import GROUPS, analyzer_for, fold_analyzer

# Grid cells for the distance prefilter: 0.25° of latitude (~28 km) by 0.5° of longitude.
CELL_LAT = 0.25
CELL_LON = 0.5
KM_PER_DEGREE_LAT = 111.0

# Per-document value columns (read in bulk by the engine).
COLUMN_FIELDS = ("lat", "lon", "next_at")
FACET_FIELDS = ("kind", "category", "target", "language", "flag", "day", "time")

# Bumped whenever documents or analyzers change shape: an index of another version is
# rebuilt, never read with the wrong assumptions.
SCHEMA_VERSION = "2"

# Minutes since 1970 of the next occurrence; listings without one sort last.
NO_NEXT = 2**31 - 1


def build_schema() -> Schema:
    """The schema of one listing document."""
    fields = {
        "id": ID(stored=True, unique=True),
        "kind": ID(stored=True),
        "municipality": ID(stored=True),
        "county": ID,
        "category": KEYWORD(commas=True),
        "target": KEYWORD(commas=True),
        "language": KEYWORD(commas=True),
        "flag": KEYWORD(commas=True),
        "day": KEYWORD(commas=True),
        "time": KEYWORD(commas=True),
        "date": KEYWORD(commas=True),
        "cell": KEYWORD(commas=True),
        # Per-document columns, read in bulk for distance and date order.
        "lat": COLUMN(NumericColumn("f")),
        "lon": COLUMN(NumericColumn("f")),
        "next_at": COLUMN(NumericColumn("i", default=NO_NEXT)),
        "next": STORED,
        # Titles in every language (and the organization), folded: exact title words and
        # type-ahead prefixes score here, above matches in the running text.
        "words": TEXT(analyzer=fold_analyzer(), phrase=False),
        "names": TEXT(analyzer=fold_analyzer(), phrase=False),
    }
    # One text field per analyzer group, titles included: fewer fields means fewer
    # distinct terms, which is what whoosh's segment writing pays for.
    for group in GROUPS:
        fields[f"text_{group}"] = TEXT(analyzer=analyzer_for(group))
    return Schema(**fields)


def cell_of(latitude: float, longitude: float) -> str:
    """The grid cell of a point."""
    return f"{math.floor(latitude / CELL_LAT)}:{math.floor(longitude / CELL_LON)}"


def cells_near(latitude: float, longitude: float, radius_km: float) -> list[str]:
    """Every grid cell that intersects the bounding box of a circle."""
    dlat = radius_km / KM_PER_DEGREE_LAT
    cos_lat = max(math.cos(math.radians(min(abs(latitude) + dlat, 89.0))), 0.01)
    dlon = radius_km / (KM_PER_DEGREE_LAT * cos_lat)
    lat_range = range(
        math.floor((latitude - dlat) / CELL_LAT), math.floor((latitude + dlat) / CELL_LAT) + 1
    )
    lon_range = range(
        math.floor((longitude - dlon) / CELL_LON), math.floor((longitude + dlon) / CELL_LON) + 1
    )
    return [f"{a}:{b}" for a in lat_range for b in lon_range]
