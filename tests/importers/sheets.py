"""Generated spreadsheets as coordinators keep them (for the kill test and the benchmark)."""

from __future__ import annotations

import random
from pathlib import Path

KINDS = [
    ("Språkkafé", "Språkkafé"),
    ("Leksehjelp", "Leksehjelp"),
    ("Kvinnegruppe", "Kvinnegrupper og kvinnekafé"),
    ("Åpen barnehage", "Åpen barnehage"),
    ("Svømming", "Svømming"),
    ("Jobbklubb", "Arbeid og kvalifisering"),
    ("Turgruppe", "Turgrupper"),
    ("Norsktrening", "Norsktrening og samtalegrupper"),
]
PLACES = ["Biblioteket", "Frivilligsentralen", "Kulturhuset", "Bydelshuset", "Kirken"]
DAYS = [
    "mandager",
    "tirsdag",
    "onsdager",
    "torsdag og fredag",
    "hver dag",
    "første mandag i måneden",
    "lørdager",
]
TIMES = ["kl. 18.00", "18-20", "10:00–11:30", "17.30-19"]


def write_sheet(path: Path, rows: int, seed: int = 7) -> None:
    """A semicolon CSV in UTF-8 with BOM, as Norwegian Excel saves it."""
    rng = random.Random(seed)  # noqa: S311 - repeatable test data, not secrets
    lines = ["ID;Tittel;Kategori;Dag;Tid;Sted;Adresse;Gratis;Språk;Beskrivelse"]
    for n in range(rows):
        name, category = rng.choice(KINDS)
        place = rng.choice(PLACES)
        lines.append(
            ";".join(
                [
                    f"R{n:05d}",
                    f"{name} {n} på {place.lower()}",
                    category,
                    rng.choice(DAYS),
                    rng.choice(TIMES),
                    f"{place} {n % 40}",
                    f"Gata {n % 200}",
                    rng.choice(["Ja", "Nei", "ja"]),
                    rng.choice(["norsk", "norsk, ukrainsk", "norsk, arabisk, engelsk"]),
                    f"Velkommen til {name.lower()}. Ta med en venn.",
                ]
            )
        )
    path.write_bytes("\r\n".join(lines).encode("utf-8-sig"))
