"""A generated, full-size CDT-like code set (about 800 codes) with a history.

    .venv/bin/python bench/codeset.py --csv codes.csv [--count 800]

As a module, `code_set_generate()` loads it into the current database through
the services: codes across every category of service, added in various
editions, some deleted, some revised by later editions. As a script, it writes
the final code set as a CSV for `manage.py import_codes`.
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cdtsite.settings.dev")

# Category slug, first and last number of its range.
RANGES = [
    ("diagnostic", 100, 999),
    ("preventive", 1000, 1999),
    ("restorative", 2000, 2999),
    ("endodontics", 3000, 3999),
    ("periodontics", 4000, 4999),
    ("prosthodontics-removable", 5000, 5899),
    ("maxillofacial-prosthetics", 5900, 5999),
    ("implant-services", 6000, 6199),
    ("prosthodontics-fixed", 6200, 6999),
    ("oral-and-maxillofacial-surgery", 7000, 7999),
    ("orthodontics", 8000, 8999),
    ("adjunctive-general-services", 9000, 9999),
]
WORDS = (
    "crown porcelain ceramic implant abutment radiograph image extraction surgical root canal "
    "molar premolar anterior denture partial complete bridge pontic retainer scaling planing "
    "sealant fluoride varnish evaluation periodic limited comprehensive ultrasound interpretation "
    "capture cone beam sedation anesthesia graft bone membrane orthodontic appliance bite guard"
).split()


def code_rows(count: int = 800, seed: int = 12) -> list[dict]:
    """The final state of each code: number, texts, category, years."""
    rng = random.Random(seed)
    per_range = count // len(RANGES)
    rows = []
    for slug, first, last in RANGES:
        for number in sorted(rng.sample(range(first, last + 1), per_range)):
            words = rng.sample(WORDS, 4)
            effective = rng.choice([None] * 6 + list(range(2005, 2027)))
            deleted = None
            if rng.random() < 0.06:
                deleted = rng.randint((effective or 2004) + 1, 2027)
            rows.append(
                {
                    "code": f"D{number:04d}",
                    "nomenclature": " ".join(words).capitalize(),
                    "descriptor": f"A procedure: {' '.join(rng.sample(WORDS, 12))}.",
                    "category": slug,
                    "status": "deleted" if deleted else "active",
                    "effective_year": effective or "",
                    "deleted_year": deleted or "",
                }
            )
    return rows


def code_set_generate(count: int = 800, seed: int = 12) -> list[str]:
    """Load the code set, then revise a sixth of it in CDT 2024 and CDT 2026 as
    yearly releases would; returns the code numbers."""
    from codes.services import CodeValues, codes_apply

    rows = code_rows(count, seed)
    codes_apply(
        entries=[
            CodeValues(row["code"], {k: v for k, v in row.items() if k != "code"}) for row in rows
        ]
    )
    rng = random.Random(seed + 1)
    for edition in (2024, 2026):
        revised = [r for r in rng.sample(rows, len(rows) // 6) if r["status"] == "active"]
        codes_apply(
            entries=[
                CodeValues(r["code"], {"nomenclature": f"{r['nomenclature']}, {edition} wording"})
                for r in revised
            ],
            edition=edition,
        )
    return [row["code"] for row in rows]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--csv", required=True, help="where to write the code set")
    parser.add_argument("--count", type=int, default=800)
    args = parser.parse_args()
    rows = code_rows(args.count)
    with open(args.csv, "w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    print(f"{len(rows)} codes written to {args.csv}")


if __name__ == "__main__":
    main()
