"""Build `src/trialscout/vocab/data/icd10cm.tsv` from the `simple-icd-10-cm` package.

The runtime never imports that package (parsing its XML takes about 3 s per process); it reads
this table instead: one line per ICD-10-CM item (chapters, blocks, categories and codes up to
one decimal place beyond the category), its parent, and the names people write for it (the
description without "unspecified" and the inclusion terms), preferred name first. Chapters on
injuries, external causes and encounters (S-Z) are left out: criteria name them rarely and their
short names ("fall", "contact with ...") are ordinary words.

Run: .venv/bin/pip install simple-icd-10-cm && .venv/bin/python scripts/build_icd_terms.py
"""

from __future__ import annotations

import re
from pathlib import Path

import simple_icd_10_cm as cm

OUT = Path(__file__).resolve().parents[1] / "src/trialscout/vocab/data/icd10cm.tsv"
SKIP_CHAPTERS = tuple("STVWXYZ")
MAX_WORDS = 6


def clean(name: str) -> str:
    text = name.lower().replace("\t", " ")
    text = re.sub(r"\s*\[[^\]]*\]", "", text)  # "[ibm]"
    text = re.sub(r"\s*\((?:primary|acute|chronic)\)", "", text)
    text = re.sub(r"\s*\([a-z]\d\w*(?:\.\w+)?-[a-z]\d\w*(?:\.\w+)?\)$", "", text)  # block ranges
    text = re.sub(r",?\s*unspecified$|,?\s*not elsewhere classified$|,?\s*nos$", "", text)
    text = re.sub(r"^unspecified\s+", "", text)
    return " ".join(text.split()).strip(" ,")


def variants(raw: str) -> list[str]:
    """'coronary (artery) disease' -> with and without the words in parentheses."""
    name = clean(raw)
    if "(" not in name:
        return [name]
    kept = " ".join(re.sub(r"[()]", " ", name).split())
    dropped = " ".join(re.sub(r"\([^)]*\)", " ", name).split())
    return [kept, dropped]


def names(code: str) -> list[str]:
    """The names people write for `code`; none for a grab-bag code ("other specified ..."),
    whose inclusion terms ("rales", "bruit") are not kinds of one thing."""
    if clean(cm.get_description(code)).startswith("other "):
        return []
    out = []
    raws = [cm.get_description(code), *cm.get_inclusion_term(code)]
    for name in (v for raw in raws for v in variants(raw)):
        if (
            name
            and len(name.split()) <= MAX_WORDS
            and not name.startswith(("other ", "encounter ", "personal history", "family history"))
            and "|" not in name
            and name not in out
        ):
            out.append(name)
    return out


def keep(code: str) -> bool:
    if cm.is_chapter(code):
        return True
    first = code.split("-")[0]
    if first[:1] in SKIP_CHAPTERS:
        return False
    return cm.is_block(code) or len(code.replace(".", "")) <= 5


def main() -> None:
    rows: dict[str, tuple[str, list[str]]] = {}
    for code in cm.get_all_codes(True):
        if not keep(code):
            continue
        ups = [] if cm.is_chapter(code) else [a for a in cm.get_ancestors(code) if a != code]
        parent = ups[0] if ups else ""  # C50 is a block and a category: its parent is chapter 2
        if code in rows:  # a category with the same code as its block (C50): one item
            first_parent, first_names = rows[code]
            first_names.extend(n for n in names(code) if n not in first_names)
            rows[code] = (parent if first_parent == code else first_parent, first_names)
            continue
        rows[code] = (parent, names(code))
    lines = [f"{code}\t{parent}\t{'|'.join(ns)}" for code, (parent, ns) in rows.items()]
    header = "# ICD-10-CM items: code, parent, names (preferred first). Built by scripts/build_icd_terms.py from simple-icd-10-cm.\n"
    OUT.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} items -> {OUT}")


if __name__ == "__main__":
    main()
