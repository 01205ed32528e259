"""The one refusal: a change the product will not make, said to people and to machines.

A service raises `Refused` before (or instead of) writing anything; the unit of work
(`reception.core.web.perform`) rolls the transaction back and shows it: beside the field
and on top of the page for people, as the JSON error `{"error": {"code", "message",
"field"}}` for API clients.

Codes (a contract of the JSON API, see the README): "not_found" (unknown or unseen
record), "not_allowed" (status or role), "invalid" (bad input; `field` names it),
"conflict" (the record changed meanwhile).
"""

from __future__ import annotations

from collections.abc import Mapping


class Refused(Exception):
    """A refused action; `code` for machines, `message` for people, `field` for the form.

    A form's checks may refuse several fields at once: `Refused.fields({...})`, whose
    `errors` maps each field (or "_" for the whole) to its message.
    """

    def __init__(
        self,
        code: str,
        message,
        field: str | None = None,
        *,
        errors: Mapping[str, object] | None = None,
    ):
        super().__init__(", ".join(errors) if errors else str(code))
        self.code = code
        self.message = message
        self.field = field
        self._errors = dict(errors) if errors else None

    @classmethod
    def fields(cls, errors: Mapping[str, object], code: str = "invalid") -> Refused:
        """Every problem of a form at once: a message per field ("_": the whole form)."""
        errors = dict(errors)
        field, message = next(iter(errors.items())) if errors else (None, "")
        return cls(code, message, None if field == "_" else field, errors=errors)

    @property
    def errors(self) -> dict[str, object]:
        """The messages by field; a one-field refusal has one ("_" when it has no field)."""
        if self._errors is not None:
            return dict(self._errors)
        return {self.field or "_": self.message}
