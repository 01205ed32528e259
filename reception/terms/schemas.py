"""The shapes of a term's explanation in the APIs: `/terms.json` and the JSON API's
`term_steps` (docs/domain.md, section 11). Declared once; the OpenAPI document is made
from them (reception.api.openapi)."""

from __future__ import annotations

from typing import Literal

from reception.core.shapes import DateText, DateTimeText, IsoDate, Shape, omitted_when_none
from reception.domain import explain as ex

StepCode = Literal[
    ex.RECEIVED,
    ex.REGISTERED,
    ex.TERM,
    ex.DAY_ONE,
    ex.SKIPPED,
    ex.WEEKENDS,
    ex.WORKING_WEEKEND,
    ex.FORWARDED,
    ex.PAUSED,
    ex.EXTENDED,
    ex.RECALCULATED,
    ex.DUE,
]


class TermStep(Shape):
    """How a date was reached, one step: the machine fields and `text`, the sentence in the
    request's language. A field the step does not have is left out."""

    step: StepCode
    text: str
    on: DateText | None = omitted_when_none()
    at: DateTimeText | None = omitted_when_none()
    until: DateText | None = omitted_when_none()
    previous: DateText | None = omitted_when_none()
    asked: DateText | None = omitted_when_none()
    reason: str | None = omitted_when_none()
    name: str | None = omitted_when_none()
    days: int | None = omitted_when_none()
    late: bool | None = omitted_when_none()


class TermCalculation(Shape):
    """The public term calculator's answer."""

    registered_on: IsoDate
    due_on: IsoDate
    steps: list[TermStep]
