"""The domain event after-sales emits (shop.events), typed: every change of a case (a state it
entered, an offer, a message, a request for evidence) is one CaseChanged, carrying the facts
that change what its readers are told, so no listener reads after-sales' tables to learn them.

`data` keeps the template variables of the push rules, as every module's events do.
"""

from dataclasses import dataclass
from decimal import Decimal

from shop.events import DomainEvent
from shop.money import ZERO


@dataclass(frozen=True, kw_only=True)
class CaseChanged(DomainEvent):
    """`case_type`: the CaseType code (its label is data["type"], for people).
    `approved_at_once`: opened and approved in one breath (a paid order cancelled before it
    shipped), so there is nothing for the merchant to answer.
    `money_moved`: for a refund started or settled, whether money goes back at all (cash on
    delivery that was never collected moves none); None for every other change."""

    subject_type: str = "case"
    case_no: str = ""
    case_type: str = ""
    status: str = ""
    amount: Decimal = ZERO
    event_id: int | None = None
    approved_at_once: bool = False
    money_moved: bool | None = None
