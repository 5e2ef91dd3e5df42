"""Computable eligibility: criteria text -> structured rules (contract 1 in DESIGN.md).

>>> from trialscout.criteria import parse_criteria
>>> parse_criteria("Inclusion Criteria:\\n* Platelets >= 50 x 10^9/L")["criteria"][0]["rules"]
[{'type': 'lab', 'analyte': 'platelets', 'op': '>=', 'value': 50, 'unit': '10^9/L'}]
"""

from trialscout.criteria.parser import PARSER_VERSION, parse_criteria, parse_item
from trialscout.criteria.schema import criteria_schema, validate_criteria
from trialscout.criteria.split import Item, split_items

__all__ = [
    "PARSER_VERSION",
    "Item",
    "criteria_schema",
    "parse_criteria",
    "parse_item",
    "split_items",
    "validate_criteria",
]
