"""Criteria parser accuracy against the hand-annotated gold set (contract 1 v2), per half.

Gold: tests/data/criteria_gold/{dev,test}/ (whole trials) and {dev,test}/classes/ (excerpts of
real records chosen for the sentence classes of issue 11: logic, lists, cohorts, windows,
qualifiers, ranges). Scored per half, on trials and excerpts together and on each part alone:

* Rule F1 per type: negations are pushed to the leaves first (bench/criteria_logic.py), so
  "no A or B" scores the same however the tree writes it. Rules are matched one-to-one per file
  and kind, independent of how the text was split. Strict (v2): names, present, windows (in
  weeks / months), qualifier, except, lab op / value(s) / unit, score sets must agree. Lenient
  (v1-like, for comparison with the figures before v2): windows, qualifier and except ignored.
  `other` counts once per criterion (the criterion has text not understood, in its tree or as
  a note), matched to a parsed criterion with the same text: how a parser cuts the residue into
  clauses is arbitrary, so the number of `other` leaves is not scored.
* Tree agreement: share of gold criteria whose canonical logic tree (flattened, sorted,
  de-duplicated, signatures of strict rules) equals that of the parsed criterion with the same
  text (a criterion the parser split differently counts as disagreement).
* applies_to agreement: the same over the canonical cohort (None = everyone).

Run: nice .venv/bin/python bench/criteria_accuracy.py   (writes bench/results/criteria.json)
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from criteria_logic import cohort, criterion_tree, effective_rules, signature  # noqa: E402
from trialscout.criteria import parse_criteria  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "criteria_gold"
TYPES = ["age", "sex", "lab", "score", "condition", "therapy", "life_expectancy", "other"]
# Test half, v1 gold and parser v1 (docs/benchmarks/criteria.md, run 2026-11-22).
PREVIOUS_TEST_F1 = {"overall": 0.772, "age": 0.824, "sex": 0.667, "lab": 0.824, "score": 1.0}
PREVIOUS_TEST_F1 |= {"condition": 0.756, "therapy": 0.765, "life_expectancy": 1.0, "other": 0.723}
STRUCTURE_KEYS = ("criteria", "paired", "tree_ok", "cohort_ok", "cohort_gold", "cohort_gold_ok")
STRUCTURE_KEYS += ("cohort_spurious",)
_MARKER = re.compile(r"(?:(?<=\s)|^)(?:[-*•]|\d{1,2}[.)]|\(\d{1,2}\))(?=\s)")


def norm_text(text: str) -> str:
    text = re.sub(r"\\([<>\[\]*_~=+.()#|{}!`-])", r"\1", text).lower()
    text = _MARKER.sub(" ", text)
    return " ".join(text.split()).strip(" .;,:")


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(a.split()), set(b.split())
    return len(sa & sb) / max(1, len(sa | sb))


def similar(a: str, b: str) -> bool:
    return a == b or _jaccard(a, b) >= 0.8


def _rules(doc: dict, strict: bool) -> list[tuple[str, str, str, tuple]]:
    out = []
    for c in doc["criteria"]:
        text = norm_text(c["text"])
        rules = effective_rules(c)
        for r in rules:
            if r["type"] != "other":
                out.append((c["kind"], text, r["type"], signature(r, strict)))
        if any(r["type"] == "other" for r in rules):  # one per criterion: clause cuts vary
            out.append((c["kind"], text, "other", ("other",)))
    return out


def score_rules(gold: dict, pred: dict, counts: dict, strict: bool) -> None:
    pool = _rules(pred, strict)
    used = [False] * len(pool)
    for kind, text, typ, sig in _rules(gold, strict):
        counts[typ]["gold"] += 1
        for i, (pk, pt, ptyp, psig) in enumerate(pool):
            if used[i] or pk != kind or ptyp != typ or psig != sig:
                continue
            if typ == "other" and not similar(text, pt):
                continue
            used[i] = True
            counts[typ]["tp"] += 1
            break
    for _kind, _text, typ, _sig in pool:
        counts[typ]["pred"] += 1


def pair(gold: dict, pred: dict) -> list[tuple[dict, dict | None]]:
    """Each gold criterion with the parsed criterion of the same kind and (near) same text."""
    pool = [(c, norm_text(c["text"])) for c in pred["criteria"]]
    out = []
    for g in gold["criteria"]:
        gt = norm_text(g["text"])
        same = [c for c, t in pool if c["kind"] == g["kind"] and t == gt]
        near = [c for c, t in pool if c["kind"] == g["kind"] and _jaccard(t, gt) >= 0.8]
        out.append((g, (same or near or [None])[0]))
    return out


def score_structure(gold: dict, pred: dict, st: dict) -> None:
    for g, p in pair(gold, pred):
        st["criteria"] += 1
        st["paired"] += p is not None
        gc = cohort(g)
        st["cohort_gold"] += gc is not None
        if p is None:
            continue
        st["tree_ok"] += criterion_tree(g) == criterion_tree(p)
        pc = cohort(p)
        st["cohort_ok"] += gc == pc
        st["cohort_gold_ok"] += gc is not None and gc == pc
        st["cohort_spurious"] += gc is None and pc is not None


def prf(tp: int, gold: int, pred: int) -> dict:
    p = tp / pred if pred else (1.0 if not gold else 0.0)
    r = tp / gold if gold else (1.0 if not pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(f, 3), "gold": gold,
            "predicted": pred, "tp": tp}  # fmt: skip


def _files(half: str, part: str) -> list[Path]:
    folder = GOLD / half / "classes" if part == "classes" else GOLD / half
    return sorted(folder.glob("*.json"))


def evaluate(files: list[Path]) -> dict:
    strict: dict = defaultdict(lambda: {"tp": 0, "gold": 0, "pred": 0})
    lenient: dict = defaultdict(lambda: {"tp": 0, "gold": 0, "pred": 0})
    st = dict.fromkeys(STRUCTURE_KEYS, 0)
    for path in files:
        gold = json.loads(path.read_text(encoding="utf-8"))
        pred = parse_criteria(path.with_suffix(".txt").read_text(encoding="utf-8"), gold["nct_id"])
        score_rules(gold, pred, strict, True)
        score_rules(gold, pred, lenient, False)
        score_structure(gold, pred, st)
    out = {t: prf(**strict[t]) for t in TYPES}
    out["overall"] = prf(**{k: sum(strict[t][k] for t in TYPES) for k in ("tp", "gold", "pred")})
    out["overall_lenient"] = prf(
        **{k: sum(lenient[t][k] for t in TYPES) for k in ("tp", "gold", "pred")}
    )
    n = max(1, st["criteria"])
    out["structure"] = st | {
        "tree_agreement": round(st["tree_ok"] / n, 3),
        "applies_to_agreement": round(st["cohort_ok"] / n, 3),
        "files": len(files),
    }
    return out


def _print_half(half: str, res: dict) -> None:
    prev = half == "test"
    print(f"\n== {half} half: {res['all']['structure']['files']} files ==")
    head = f"{'rule type':<17}{'P':>7}{'R':>7}{'F1':>7}{'gold':>6}{'pred':>6}"
    print(head + (f"{'prev F1':>9}" if prev else "") + f"{'trials F1':>11}{'classes F1':>12}")
    for t in [*TYPES, "overall", "overall_lenient"]:
        m = res["all"][t]
        line = f"{t:<17}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}"
        line += f"{m['gold']:>6}{m['predicted']:>6}"
        if prev:
            line += f"{PREVIOUS_TEST_F1.get(t, float('nan')):>9.3f}"
        line += f"{res['trials'][t]['f1']:>11.3f}{res['classes'][t]['f1']:>12.3f}"
        print(line)
    for part in ("all", "trials", "classes"):
        s = res[part]["structure"]
        print(
            f"{part:<8} criteria {s['criteria']:>4}, paired by text {s['paired']:>4}; "
            f"tree agreement {s['tree_agreement']:.3f}; applies_to agreement "
            f"{s['applies_to_agreement']:.3f} (gold cohorts {s['cohort_gold']}, right "
            f"{s['cohort_gold_ok']}, spurious {s['cohort_spurious']})"
        )


def main() -> int:
    out = {}
    for half in ("dev", "test"):
        trials, classes = _files(half, "trials"), _files(half, "classes")
        out[half] = {
            "all": evaluate(trials + classes),
            "trials": evaluate(trials),
            "classes": evaluate(classes),
        }
        _print_half(half, out[half])
    print("\nprev F1: test half, v1 gold and parser v1 (2026-11-22), trials only.")
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "criteria.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
