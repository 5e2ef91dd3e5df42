"""Build tests/data/criteria_gold/{dev,test}[/classes]/ID.json (contract 1 v2) from the annotations.

Run: .venv/bin/python tests/data/criteria_gold/_src/build.py
"""

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from gold_dsl import collapse  # noqa: E402

from trialscout.criteria import validate_criteria  # noqa: E402


def _fill(node, text):
    """`other` rules without their own text take the criterion text (also inside a cohort)."""
    if isinstance(node, dict) and node.get("type") == "other":
        return node if "text" in node else dict(node, text=text)
    if isinstance(node, dict) and "type" not in node:
        return {
            k: ([_fill(x, text) for x in v] if k != "not" else _fill(v, text))
            for k, v in node.items()
        }
    return node


def criterion(e: dict, text: str) -> dict:
    c = {"kind": e["kind"], "text": text, "applies_to": None}
    c["rules"] = [_fill(r, text) for r in e["rules"]]
    c["logic"] = e["logic"] or "all"
    if e["cohort"] is not None:
        c["applies_to"] = _group(_fill(e["cohort"], text))
    return c


def _group(node):
    """A cohort written as an inline tree of rules -> contract 1 v2's group: rules + logic."""
    if "type" in node:
        return node
    rules: list[dict] = []

    def walk(n):
        if "type" in n:
            rules.append(n)
            return len(rules) - 1
        if "not" in n:
            return {"not": walk(n["not"])}
        op = "all" if "all" in n else "any"
        return {op: [walk(x) for x in n[op]]}

    return {"rules": rules, "logic": walk(node)}


def build(folder: Path, gold: dict) -> None:
    for trial_id, entries in gold.items():
        raw = collapse((folder / f"{trial_id}.txt").read_text(encoding="utf-8"))
        cursor, criteria = 0, []
        for e in entries:
            s = raw.find(e["start"], cursor)
            end = raw.find(e["end"], s) if s >= 0 else -1
            if s < 0 or end < 0:
                raise SystemExit(f"{trial_id}: cannot find {e['start']!r} .. {e['end']!r}")
            criteria.append(criterion(e, raw[s : end + len(e["end"])]))
            cursor = s + 1
        doc = {"nct_id": trial_id, "criteria": criteria}
        validate_criteria(doc)
        out = folder / f"{trial_id}.json"
        out.write_text(json.dumps(doc, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
        n_rules = sum(len(c["rules"]) for c in criteria)
        print(
            f"{out.relative_to(HERE.parent.resolve())}: {len(criteria)} criteria, {n_rules} rules"
        )


if __name__ == "__main__":
    import classes_annotations
    import dev_annotations
    import testhalf_annotations

    build(HERE.parent / "dev", dev_annotations.GOLD)
    build(HERE.parent / "test", testhalf_annotations.GOLD)
    build(HERE.parent / "dev" / "classes", classes_annotations.DEV)
    build(HERE.parent / "test" / "classes", classes_annotations.TEST)
