"""Bench corpus builder: N varied ClinicalTrials.gov API v2 records made from the real ones.

Every record is an API v2 study whose parts come from different real records, so text is not
repeated verbatim at 100,000 or 500,000 records:
- topic (titles, conditions, keywords, summaries, interventions) from one of ~7,400 real
  records (the 590 API v2 studies and the legacy XML records of ../shared/data);
- eligibility (criteria text, sex, ages) from another real record (or a NIH-TrialBench
  criteria text, ~8,700 texts in all);
- sites from a third API v2 record (real facility, city and geo point), thinned or merged;
- status, phases, study type, results flag and dates from a fourth, dates shifted; a new ID.
Deterministic from the seed; streamed (memory does not grow with N). Output by suffix:
`.zip` like the registry's bulk download (one NCT*.json per study), else JSON Lines.

    python bench/corpus.py --n 100000 --seed 7 --out /tmp/corpus_100k.jsonl
"""

from __future__ import annotations

import argparse
import copy
import gzip
import json
import random
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

V2 = "ctgov/api_v2/all_v2_studies.jsonl.gz"
LEGACY = "ctgov/legacy_xml/allpublicxml_subset_2023.jsonl.gz"
TRIALBENCH = "nih_trialbench/trial_search_space.jsonl.gz"


@dataclass(slots=True)
class Pools:
    studies: list[dict]  # the real API v2 studies: skeletons, status/design, sites
    topics: list[dict]  # identification/description/conditions/arms parts
    eligibility: list[dict]  # eligibilityModule parts
    sites: list[list[dict]]  # location lists with at least one site


def _lines(path: Path) -> Iterator[dict]:
    with gzip.open(path, "rt") as f:
        for line in f:
            yield json.loads(line)


def _v2_topic(proto: dict) -> dict:
    keep = ("descriptionModule", "conditionsModule", "armsInterventionsModule")
    ident = proto.get("identificationModule", {})
    topic = {k: proto[k] for k in keep if k in proto}
    topic["titles"] = {
        k: ident[k] for k in ("briefTitle", "officialTitle", "acronym") if k in ident
    }
    return topic


def _legacy_parts(shared: Path, limit: int) -> Iterator[tuple[dict, dict]]:
    """(topic, eligibility) of legacy XML records, read through trialscout's own reader."""
    from trialscout.registry.sources import read_stream

    with gzip.open(shared / LEGACY, "rb") as f:
        for rec in read_stream("legacy.jsonl", f):
            t = rec.trial
            if t is None:
                continue
            if limit <= 0:
                return
            limit -= 1
            yield _trial_topic(t), _trial_eligibility(t)


def _trial_topic(t) -> dict:
    ivs = [
        {"type": iv.type or "OTHER", "name": iv.name, "otherNames": list(iv.other_names)}
        for iv in t.interventions
    ]
    desc = {"briefSummary": t.brief_summary or ""}
    if t.detailed_description:
        desc["detailedDescription"] = t.detailed_description
    titles = {"briefTitle": t.brief_title or t.trial_id}
    if t.official_title:
        titles["officialTitle"] = t.official_title
    return {
        "titles": titles,
        "descriptionModule": desc,
        "conditionsModule": {"conditions": list(t.conditions), "keywords": list(t.keywords)},
        "armsInterventionsModule": {"interventions": ivs},
    }


def _age(years: float | None) -> str | None:
    return None if years is None else f"{int(years)} Years"


def _trial_eligibility(t) -> dict:
    e = t.eligibility
    out = {"eligibilityCriteria": e.criteria or "", "sex": e.sex or "ALL"}
    for key, years in (("minimumAge", e.min_age_years), ("maximumAge", e.max_age_years)):
        if _age(years):
            out[key] = _age(years)
    if e.healthy_volunteers is not None:
        out["healthyVolunteers"] = e.healthy_volunteers
    return out


def load_pools(shared: Path, legacy_limit: int = 100_000) -> Pools:
    studies = list(_lines(shared / V2))
    topics = [_v2_topic(s["protocolSection"]) for s in studies]
    elig = [s["protocolSection"].get("eligibilityModule", {}) for s in studies]
    for topic, e in _legacy_parts(shared, legacy_limit):
        topics.append(topic)
        elig.append(e)
    bench = shared / TRIALBENCH
    if bench.exists():
        elig += [
            {"eligibilityCriteria": r["raw_criteria"]}
            for r in _lines(bench)
            if r.get("raw_criteria")
        ]
    sites = [
        locs
        for s in studies
        if (locs := s["protocolSection"].get("contactsLocationsModule", {}).get("locations"))
    ]
    return Pools(studies, topics, [e for e in elig if e.get("eligibilityCriteria")], sites)


def _shift(date: str | None, years: int) -> str | None:
    if not date or len(date) < 4 or not date[:4].isdigit():
        return date
    shifted = f"{int(date[:4]) + years:04d}{date[4:]}"
    return shifted.replace("-02-29", "-02-28")  # shifted out of a leap year


def _status(rng: random.Random, src: dict) -> dict:
    status = copy.deepcopy(src.get("statusModule", {}))
    years = rng.randrange(-6, 3)
    for key, value in status.items():
        if isinstance(value, dict) and "date" in value:
            value["date"] = _shift(value["date"], years)
        elif key.endswith("Date") and isinstance(value, str):
            status[key] = _shift(value, years)
    return status


def _sites(rng: random.Random, pools: Pools) -> list[dict]:
    locs = list(rng.choice(pools.sites))
    if rng.random() < 0.3:
        locs += rng.choice(pools.sites)
    if len(locs) > 3 and rng.random() < 0.5:
        locs = rng.sample(locs, rng.randint(1, len(locs)))
    return copy.deepcopy(locs[:200])


def make_study(rng: random.Random, pools: Pools, index: int) -> dict:
    """One varied study; `index` makes the NCT ID (NCT1xxxxxxx never clashes with real ones)."""
    skeleton = rng.choice(pools.studies)
    topic = rng.choice(pools.topics)
    elig = copy.deepcopy(rng.choice(pools.eligibility))
    elig.setdefault(
        "sex",
        rng.choice(pools.studies)["protocolSection"].get("eligibilityModule", {}).get("sex", "ALL"),
    )
    proto = copy.deepcopy(skeleton["protocolSection"])
    ident = proto.setdefault("identificationModule", {})
    for key in ("briefTitle", "officialTitle", "acronym"):
        ident.pop(key, None)
    ident.update(copy.deepcopy(topic["titles"]))
    ident["nctId"] = f"NCT{10_000_000 + index:08d}"
    ident.pop("secondaryIdInfos", None)
    for key in ("descriptionModule", "conditionsModule", "armsInterventionsModule"):
        proto.pop(key, None)
        if key in topic:
            proto[key] = copy.deepcopy(topic[key])
    design_src = rng.choice(pools.studies)["protocolSection"]
    proto["statusModule"] = _status(rng, design_src)
    if "designModule" in design_src:
        proto["designModule"] = copy.deepcopy(design_src["designModule"])
    proto["eligibilityModule"] = elig
    contacts = proto.setdefault("contactsLocationsModule", {})
    contacts["locations"] = _sites(rng, pools)
    return {"protocolSection": proto, "hasResults": rng.random() < 0.15}


def studies(pools: Pools, n: int, seed: int) -> Iterator[dict]:
    rng = random.Random(seed)
    for i in range(n):
        yield make_study(rng, pools, i)


def write_corpus(shared: Path, out: Path, n: int, seed: int = 7) -> Path:
    pools = load_pools(shared)
    out.parent.mkdir(parents=True, exist_ok=True)
    if out.suffix == ".zip":
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
            for s in studies(pools, n, seed):
                nct = s["protocolSection"]["identificationModule"]["nctId"]
                z.writestr(f"{nct}.json", json.dumps(s, separators=(",", ":")))
        return out
    opener = gzip.open if out.suffix == ".gz" else open
    with opener(out, "wt") as f:
        for s in studies(pools, n, seed):
            f.write(json.dumps(s, separators=(",", ":")) + "\n")
    return out


def cached_corpus(shared: Path, n: int, seed: int = 7, suffix: str = ".jsonl") -> Path:
    """The corpus file for (n, seed), built once under /tmp and reused."""
    out = Path(f"/tmp/trialscout_corpus_{n}_{seed}{suffix}")
    if not out.exists():
        tmp = out.with_name(out.stem + ".part" + out.suffix)
        write_corpus(shared, tmp, n, seed).rename(out)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument(
        "--shared",
        type=Path,
        default=Path(__file__).resolve().parents[1].parent / "shared" / "data",
    )
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args()
    write_corpus(args.shared, args.out, args.n, args.seed)
    print(f"wrote {args.n:,} studies to {args.out}")


if __name__ == "__main__":
    main()
