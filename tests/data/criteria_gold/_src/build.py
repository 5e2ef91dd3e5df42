"""Build tests/data/criteria_gold/{dev,test}/ID.json (contract 1) from the hand annotations.

Run: .venv/bin/python tests/data/criteria_gold/_src/build.py
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
sys.path.insert(0, str(HERE))

from gold_dsl import collapse  # noqa: E402

from trialscout.criteria import validate_criteria  # noqa: E402


def build(half: str, gold: dict) -> None:
    for trial_id, entries in gold.items():
        raw = collapse((HERE.parent / half / f"{trial_id}.txt").read_text(encoding="utf-8"))
        cursor, criteria = 0, []
        for e in entries:
            s = raw.find(e["start"], cursor)
            end = raw.find(e["end"], s) if s >= 0 else -1
            if s < 0 or end < 0:
                raise SystemExit(f"{trial_id}: cannot find {e['start']!r} .. {e['end']!r}")
            text = raw[s : end + len(e["end"])]
            cursor = s + 1
            rules = [dict(r, text=text) if r["type"] == "other" else r for r in e["rules"]]
            c = {"kind": e["kind"], "text": text, "rules": rules}
            if e["logic"]:
                c["logic"] = e["logic"]
            criteria.append(c)
        doc = {"nct_id": trial_id, "criteria": criteria}
        validate_criteria(doc)
        out = HERE.parent / half / f"{trial_id}.json"
        out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        print(
            f"{half}/{trial_id}: {len(criteria)} criteria, {sum(len(c['rules']) for c in criteria)} rules"
        )


if __name__ == "__main__":
    import dev_annotations
    import testhalf_annotations

    build("dev", dev_annotations.GOLD)
    build("test", testhalf_annotations.GOLD)
