"""Rebuild the bundled demo data from ../shared/data (run by hand; output is committed).

Picks every liver-cancer / hepatitis record (the legacy-XML liver subset, plus any API v2 study
whose conditions or criteria mention liver disease or hepatitis B) and a spread of other real
API v2 studies so search, facets and distance have something to work with.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

SHARED = Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data")
OUT = Path("src/trialscout/data/demo")
LIVER = re.compile(r"hepat|liver|HBV|HBsAg|cirrho|Child-Pugh", re.I)
OTHER_V2 = 200


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    with gzip.open(OUT / "liver_legacy_xml.jsonl.gz", "wt", encoding="utf-8") as out:
        for path in sorted((SHARED / "ctgov/legacy_xml/liver_subset").glob("*.xml")):
            record = {
                "nct_id": path.stem,
                "source_path": f"liver_subset/{path.name}",
                "xml": path.read_text(encoding="utf-8"),
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    liver, other = [], []
    with gzip.open(SHARED / "ctgov/api_v2/all_v2_studies.jsonl.gz", "rt", encoding="utf-8") as f:
        for line in f:
            study = json.loads(line)
            proto = study["protocolSection"]
            text = json.dumps(proto.get("conditionsModule", {})) + json.dumps(
                proto.get("eligibilityModule", {})
            )
            (liver if LIVER.search(text) else other).append(line)
    step = max(1, len(other) // OTHER_V2)
    chosen = liver + other[::step][:OTHER_V2]
    with gzip.open(OUT / "ctgov_v2_studies.jsonl.gz", "wt", encoding="utf-8") as out:
        out.writelines(chosen)
    print(
        f"legacy liver XML: 92 files; API v2: {len(liver)} liver/hepatitis + "
        f"{len(chosen) - len(liver)} others"
    )


if __name__ == "__main__":
    main()
