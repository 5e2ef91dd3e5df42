"""Criteria parser accuracy against the hand-annotated gold set (dev and test halves separately).

Rules are compared per trial and per kind (inclusion/exclusion), independent of how the text was
split, so a splitting error and a rule error are not counted twice. A lab rule is right only if
analyte, comparator, value (within 1%) and unit all match; conditions and therapies compare their
canonical vocabulary name and `present`; `other` rules compare the criterion text.
Criterion splitting is scored separately (exact text after whitespace / list-marker cleanup).

Run: .venv/bin/python bench/criteria_accuracy.py   (writes bench/results/criteria.json)
"""

from __future__ import annotations

import json
import re
import sys
from collections import defaultdict
from pathlib import Path

from trialscout.criteria import parse_criteria, vocab

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "tests" / "data" / "criteria_gold"
TYPES = ["age", "sex", "lab", "score", "condition", "therapy", "life_expectancy", "other"]
_MARKER = re.compile(r"(?:(?<=\s)|^)(?:[-*•]|\d{1,2}[.)]|\(\d{1,2}\))(?=\s)")


def norm_text(text: str) -> str:
    text = re.sub(r"\\([<>\[\]*_~=+.()#|{}!`-])", r"\1", text).lower()
    text = _MARKER.sub(" ", text)
    return " ".join(text.split()).strip(" .;,:")


def _jaccard(a: str, b: str) -> float:
    sa, sb = set(a.split()), set(b.split())
    return len(sa & sb) / max(1, len(sa | sb))


def _name(kind: str, name: str) -> str:
    canon = (
        vocab.canonical_condition(name) if kind == "condition" else vocab.canonical_therapy(name)
    )
    return (canon or name).lower()


def _allowed(rule: dict) -> tuple | None:
    """Score rules on a closed scale compared as sets, whichever form they were written in."""
    if "allowed" in rule:
        return tuple(sorted(str(v) for v in rule["allowed"]))
    system = vocab.score_systems().get(rule["system"])
    if system is None or system.numeric:
        return None
    scale = [str(v) for v in system.values]
    v = str(rule["value"])
    if v not in scale:
        return None
    i = scale.index(v)
    pick = {">=": scale[i:], ">": scale[i + 1 :], "<=": scale[: i + 1], "<": scale[:i], "=": [v]}
    return tuple(sorted(pick.get(rule["op"], [])))


def _close(a: float, b: float, tol: float) -> bool:
    return abs(a - b) <= tol * max(abs(a), abs(b)) + 1e-9


def same(a: dict, b: dict) -> bool:
    t = a["type"]
    if t != b["type"]:
        return False
    if t == "lab":
        return (a["analyte"], a["op"], a["unit"]) == (b["analyte"], b["op"], b["unit"]) and _close(
            a["value"], b["value"], 0.01
        )
    if t == "age":
        return (a.get("min"), a.get("max")) == (b.get("min"), b.get("max"))
    if t == "sex":
        return sorted(a["allowed"]) == sorted(b["allowed"])
    if t == "score":
        if a["system"] != b["system"]:
            return False
        sa, sb = _allowed(a), _allowed(b)
        if sa is not None or sb is not None:
            return sa == sb
        return a["op"] == b["op"] and _close(a["value"], b["value"], 0.0)
    if t in ("condition", "therapy"):
        return _name(t, a["name"]) == _name(t, b["name"]) and a["present"] == b["present"]
    if t == "life_expectancy":
        return a["op"] == b["op"] and _close(a["value"], b["value"], 0.02)
    return (
        norm_text(a["text"]) == norm_text(b["text"])
        or _jaccard(norm_text(a["text"]), norm_text(b["text"])) >= 0.8
    )


def _rules(doc: dict) -> list[tuple[str, dict]]:
    return [(c["kind"], r) for c in doc["criteria"] for r in c["rules"]]


def score_rules(gold: dict, pred: dict, counts: dict) -> None:
    pool = _rules(pred)
    used = [False] * len(pool)
    for kind, g in _rules(gold):
        counts[g["type"]]["gold"] += 1
        for i, (pk, p) in enumerate(pool):
            if not used[i] and pk == kind and same(g, p):
                used[i] = True
                counts[g["type"]]["tp"] += 1
                break
    for _kind, p in pool:
        counts[p["type"]]["pred"] += 1


def score_split(gold: dict, pred: dict, counts: dict) -> None:
    g_texts = [(c["kind"], norm_text(c["text"])) for c in gold["criteria"]]
    p_texts = [(c["kind"], norm_text(c["text"])) for c in pred["criteria"]]
    counts["gold"] += len(g_texts)
    counts["pred"] += len(p_texts)
    remaining = {t: k for k, t in p_texts}
    for kind, text in g_texts:
        if text in remaining:
            counts["tp"] += 1
            counts["kind_ok"] += remaining.pop(text) == kind


def prf(tp: int, gold: int, pred: int) -> dict:
    p = tp / pred if pred else (1.0 if not gold else 0.0)
    r = tp / gold if gold else (1.0 if not pred else 0.0)
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {
        "precision": round(p, 3),
        "recall": round(r, 3),
        "f1": round(f, 3),
        "gold": gold,
        "predicted": pred,
        "tp": tp,
    }


def evaluate(half: str) -> tuple[dict, dict]:
    counts: dict = defaultdict(lambda: {"tp": 0, "gold": 0, "pred": 0})
    split = {"tp": 0, "gold": 0, "pred": 0, "kind_ok": 0}
    for gold_path in sorted((GOLD / half).glob("*.json")):
        gold = json.loads(gold_path.read_text(encoding="utf-8"))
        text = gold_path.with_suffix(".txt").read_text(encoding="utf-8")
        pred = parse_criteria(text, gold["nct_id"])
        score_rules(gold, pred, counts)
        score_split(gold, pred, split)
    result = {t: prf(**counts[t]) for t in TYPES}
    total = {k: sum(counts[t][k] for t in TYPES) for k in ("tp", "gold", "pred")}
    result["overall"] = prf(**total)
    computable = {
        k: sum(counts[t][k] for t in TYPES if t != "other") for k in ("tp", "gold", "pred")
    }
    result["overall_computable"] = prf(**computable)
    splitting = prf(split["tp"], split["gold"], split["pred"])
    splitting["kind_accuracy_on_matched"] = (
        round(split["kind_ok"] / split["tp"], 3) if split["tp"] else None
    )
    return result, splitting


def main() -> int:
    out, split_out = {}, {}
    for half in ("dev", "test"):
        out[half], split_out[half] = evaluate(half)
    for half in ("dev", "test"):
        n = len(list((GOLD / half).glob("*.json")))
        print(f"\n== {half} half ({n} trials) ==")
        print(f"{'rule type':<20}{'P':>7}{'R':>7}{'F1':>7}{'gold':>7}{'pred':>7}")
        for t, m in out[half].items():
            print(
                f"{t:<20}{m['precision']:>7.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}{m['gold']:>7}{m['predicted']:>7}"
            )
        s = split_out[half]
        print(
            f"criterion splitting: P {s['precision']:.3f} R {s['recall']:.3f} F1 {s['f1']:.3f} "
            f"(gold {s['gold']}, predicted {s['predicted']}); kind accuracy {s['kind_accuracy_on_matched']}"
        )
    results = ROOT / "bench" / "results"
    results.mkdir(parents=True, exist_ok=True)
    (results / "criteria.json").write_text(json.dumps(out, indent=2) + "\n", encoding="utf-8")
    (results / "criteria_splitting.json").write_text(
        json.dumps(split_out, indent=2) + "\n", encoding="utf-8"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
