"""The published copies of an appeal's subject and answer (safe publishing).

The redaction scanner (reception.domain.redaction) runs once: on filing for the subject,
on the answer for the answer text. The result is stored beside the original, and public
pages, their search and Open311 read and match only that copy. Each redaction is recorded
on the answer event by its kind, reason and actor, never with the hidden text.
"""

from __future__ import annotations

from dataclasses import dataclass

from reception.appeals.models import Appeal
from reception.domain.redaction import (
    REASONS,
    Applicant,
    Finding,
    merge,
    publish,
    redact,
    scan,
    split_hide,
)


def applicant_of(appeal: Appeal) -> Applicant:
    return Applicant(
        full_name=appeal.full_name or "",
        iin=appeal.iin or "",
        email=appeal.email or "",
        phone=appeal.phone or "",
        address=appeal.address or "",
    )


def co_applicants_of(appeal: Appeal) -> list[Applicant]:
    """The co-signers of a collective appeal (Art. 22), scanned like the applicant."""
    return [
        Applicant(
            full_name=co.full_name or "",
            iin=co.iin or "",
            email=co.email or "",
            phone=co.phone or "",
            address=co.address or "",
        )
        for co in appeal.co_applicants
    ]


def _publish(text: str, appeal: Appeal, phrases=None):
    published, findings = publish(text, applicant_of(appeal), appeal.language, phrases or ())
    co = co_applicants_of(appeal)
    if co:
        for applicant in co:
            findings = findings + scan(text, applicant)
        findings = merge(sorted(findings, key=lambda f: (f.start, -f.end)), text)
        published = redact(text, findings, appeal.language)
    return published, findings


def published_subject(appeal: Appeal) -> str:
    text, _ = _publish(appeal.subject or "", appeal)
    return text


@dataclass
class Preview:
    """What will be published: the text, and the original cut into plain and hidden parts."""

    published: str
    findings: list[Finding]
    parts: list[tuple[str, str | None]]  # (text, kind or None)
    hide: list[str]


def preview_answer(appeal: Appeal, text: str, hide=None, others=()) -> Preview:
    """`others`: the other appeals one text answers (a group): their applicants' names,
    numbers and addresses are hidden too, so one applicant's answer never publishes
    another's."""
    phrases = split_hide(hide)
    published, findings = _publish(text or "", appeal, phrases)
    if others:
        for other in others:
            findings = findings + scan(text or "", applicant_of(other))
        findings = merge(sorted(findings, key=lambda f: (f.start, -f.end)), text or "")
        published = redact(text or "", findings, appeal.language)
    parts, position = [], 0
    for finding in findings:
        if finding.start > position:
            parts.append((text[position : finding.start], None))
        parts.append((text[finding.start : finding.end], finding.kind))
        position = finding.end
    if position < len(text or ""):
        parts.append((text[position:], None))
    return Preview(published=published, findings=findings, parts=parts, hide=phrases)


def redaction_records(preview: Preview, actor_id: int | None, reason: str = "") -> list[dict]:
    """One record per redaction: its kind, why, and who; never the text it hides."""
    records = []
    for finding in preview.findings:
        manual = finding.kind == "manual"
        records.append(
            {
                "kind": finding.kind,
                "reason": (reason.strip()[:200] or REASONS["manual"])
                if manual
                else REASONS[finding.kind],
                "source": "official" if manual else "scanner",
                "actor": actor_id,
                "start": finding.start,
                "end": finding.end,
            }
        )
    return records
