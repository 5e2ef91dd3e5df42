"""The notes a search page carries: what synonyms and patient cues did, and whether ingest's
index steps are still running."""

from __future__ import annotations

from trialscout.search.query import ParsedQuery


def indexing_notes(conn) -> list[str]:
    """Search works while ingest's index steps still run, and says so (issue 13)."""
    pending = dict(conn.execute("SELECT step, pending FROM index_progress WHERE pending > 0"))
    notes = []
    if pending.get("search"):
        notes.append(f"still indexing: {pending['search']:,} stored trials are not searchable yet")
    if pending.get("criteria"):
        notes.append(
            f"eligibility criteria are still being parsed ({pending['criteria']:,} trials left); "
            "search is complete"
        )
    return notes


def explain(parsed: ParsedQuery, mode: str | None) -> list[str]:
    notes = parsed.expansions()
    if mode == "any" and len(parsed.concepts) > 1:
        notes.append("matched trials with any of the words (ranked by how well they match)")
    cues = []
    if parsed.patient_age is not None:
        cues.append(f"age {parsed.patient_age:g}")
    if parsed.patient_sex:
        cues.append(parsed.patient_sex.lower())
    if cues:
        notes.append(f"patient {', '.join(cues)}: trials that admit them rank higher")
    return notes
