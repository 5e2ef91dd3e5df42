"""Plain words for patients: parsed rules as people write them and match results arranged
answer-first. Read by the web app and the CLI; knows nothing of either."""

from trialscout.plain.chips import chip_rules
from trialscout.plain.words import (
    analyte_name,
    number,
    plain_reason,
    quantity,
    rule_phrase,
    score_name,
    status_text,
    to_doctor,
    unit_text,
    verdict_text,
)

__all__ = [
    "analyte_name",
    "chip_rules",
    "number",
    "plain_reason",
    "quantity",
    "rule_phrase",
    "score_name",
    "status_text",
    "to_doctor",
    "unit_text",
    "verdict_text",
]
