"""Search of appeals through the database's own full-text index, one interface for both.

What a person types is read as one of three things:

- a registration number ("RC-2026-00000742") or an IIN (12 digits): an exact lookup on the
  unique / indexed column;
- a part of a number ("2026-0000074", "00000742"): a substring of the number, served on
  PostgreSQL by a trigram index (pg_trgm);
- words: every word must begin a word of the searched texts (a prefix match, so that
  "Қарағанд" finds "Қарағанды" and "жалоб" finds "жалоба").

PostgreSQL keeps a generated `tsvector` column with a GIN index; SQLite keeps an FTS5 table
filled by triggers. Both are built by the migration, are not part of the ORM models, and are
listed in DATABASE_ONLY_OBJECTS so that the schema comparison leaves them alone.

The texts are split into words the same way on both: punctuation becomes a space, then the
words are lower-cased without stemming ('simple' configuration; FTS5's unicode61 tokenizer
with diacritics kept). No stemmer ships for Kazakh, and Russian's Snowball stemmer would
make Russian and Kazakh words behave differently in the same box and differently from the
embedded database; a prefix match covers the endings of both languages instead. Diacritics
are kept because in Kazakh they make different letters (ә/а, қ/к, ү/у, ө/о), not accents.

Staff search reads the subject, the text and the applicant's name; the public search of
published answers reads only the published copies (published_subject, published_answer),
through an index of its own: never the unmasked text.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass

from markupsafe import Markup, escape
from sqlalchemy import Select, and_, false, func, literal_column, or_, select, table, text

from reception.appeals.models import Appeal
from reception.core import paging

MAX_TERMS = 8
_WORD = re.compile(r"[^\W_]+")
_NUMBER = re.compile(r"[A-Za-z]{1,5}-\d{4}-\d{8}")
_IIN = re.compile(r"\d{12}")
# A piece of a registration number: at least 4 digits and dashes, perhaps after the prefix.
_NUMBER_PART = re.compile(r"(?:[A-Za-z]{1,5}-)?[\d-]{4,}")

# Index objects kept by the migration outside the models (the schema test skips them).
DATABASE_ONLY_OBJECTS = frozenset(
    {
        # PostgreSQL
        "search_vector",
        "published_search_vector",
        "ix_appeals_search",
        "ix_appeals_published_search",
        "ix_appeals_number_trgm",
        "ix_appeals_published_answered",
        # SQLite
        "appeals_search",
        "appeals_published_search",
    }
)
_FTS_SHADOW = re.compile(r"(appeals_search|appeals_published_search)_(data|idx|docsize|config)")

# Counting stops at paging.COUNT_CAP (10,000): past it a list says "more than 10,000".
COUNT_CAP = paging.COUNT_CAP
capped_count = paging.capped_count

STAFF = "staff"
PUBLISHED = "published"


def include_name(name, type_, parent_names) -> bool:
    """Alembic's include_name hook: leave out the search index objects."""
    if name in DATABASE_ONLY_OBJECTS:
        return False
    return not (type_ == "table" and name and _FTS_SHADOW.fullmatch(name))


@dataclass(frozen=True)
class SearchQuery:
    """What was typed, read.

    `kind` is "number", "iin", "number_part", "words", "nothing" (no letter or digit was
    typed: nothing matches) or "" (nothing was typed: no search).
    """

    kind: str
    value: str = ""
    terms: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.kind


def words(text: str) -> list[str]:
    """The words of a text as the indexes see them: lower-cased, punctuation dropped."""
    return [w.lower() for w in _WORD.findall(text or "")]


def parse(text: str, *, allow_identifiers: bool = True) -> SearchQuery:
    text = " ".join((text or "").split())[:200]
    if not text:
        return SearchQuery("")
    if allow_identifiers:
        if _NUMBER.fullmatch(text):
            return SearchQuery("number", text.upper())
        if _IIN.fullmatch(text):
            return SearchQuery("iin", text)
        if _NUMBER_PART.fullmatch(text) and any(c.isdigit() for c in text):
            return SearchQuery("number_part", text.upper())
    terms = tuple(dict.fromkeys(words(text)))[:MAX_TERMS]
    if not terms:  # only punctuation: nothing can match it
        return SearchQuery("nothing", text)
    return SearchQuery("words", terms=terms)


def _dialect(session) -> str:
    return session.get_bind().dialect.name


def _tsquery(terms) -> str:
    # Terms hold letters and digits only (see _WORD), so quoting them is enough.
    return " & ".join(f"'{t}':*" for t in terms)


def _fts5_query(terms) -> str:
    return " AND ".join(f'"{t}"*' for t in terms)


# A word found in at least this share of the appeals (by the planner's statistics) is
# matched on the rows the rest of the query reads, not looked up in the index: once there
# are enough appeals for it to matter.
COMMON_SHARE = 0.05
COMMON_FROM_APPEALS = 100_000
_STATISTICS_SECONDS = 600
_statistics: dict[tuple, tuple[float, dict[str, float]]] = {}


def _common_words(session, column: str) -> dict[str, float]:
    """{word: share of appeals} of the words PostgreSQL's statistics know as the commonest
    in the column (pg_stats.most_common_elems, kept by ANALYZE), read once per ten minutes;
    none while the table has fewer than COMMON_FROM_APPEALS rows."""
    key = (str(session.get_bind().engine.url), column)
    kept = _statistics.get(key)
    if kept is not None and kept[0] > time.monotonic():
        return kept[1]
    row = (
        session.connection()
        .execute(
            text(
                "SELECT most_common_elems::text::text[], most_common_elem_freqs, reltuples"
                " FROM pg_stats JOIN pg_class ON relname = tablename"
                " WHERE tablename = 'appeals' AND attname = :column"
                " AND schemaname = current_schema()"
            ),
            {"column": column},
        )
        .first()
    )
    large = row is not None and row[0] and row[2] >= COMMON_FROM_APPEALS
    found = dict(zip(row[0], row[1], strict=False)) if large else {}
    _statistics[key] = (time.monotonic() + _STATISTICS_SECONDS, found)
    return found


def _is_common(term: str, common: dict[str, float]) -> bool:
    return sum(share for word, share in common.items() if word.startswith(term)) >= COMMON_SHARE


def _word_match(session, scope: str, terms):
    if _dialect(session) == "postgresql":
        column = "search_vector" if scope == STAFF else "published_search_vector"
        vector = literal_column(f"appeals.{column}")

        def matches(on, some):
            return on.op("@@")(
                func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery(some))
            )

        # A word that begins words in most appeals ("bench" in generated data, a common
        # name) makes the index collect every appeal that has it before anything else
        # narrows them (240 ms at five million); the planner cannot tell from a prefix. Such
        # words are matched as a filter (the same match, on an expression the index does not
        # hold) on the rows the rarer words, the body or the queue's order already read.
        common_words = _common_words(session, column)
        common = [t for t in terms if _is_common(t, common_words)]
        rare = [t for t in terms if t not in common]
        conditions = [matches(vector, rare)] if rare else []
        if common:
            conditions.append(matches(vector.op("||")(literal_column("''::tsvector")), common))
        return and_(*conditions)
    fts = "appeals_search" if scope == STAFF else "appeals_published_search"
    matched = (
        select(literal_column("rowid"))
        .select_from(table(fts))
        .where(literal_column(fts).op("MATCH")(_fts5_query(terms)))
    )
    return Appeal.id.in_(matched)


def apply(query: Select, session, parsed: SearchQuery, *, scope: str = STAFF) -> Select:
    """Narrow a query of appeals to those matching the search."""
    if parsed.empty:
        return query
    if parsed.kind == "nothing":
        return query.where(false())
    if scope == PUBLISHED:
        # The public search reads published words only: never a number, an IIN or a name.
        if parsed.kind != "words":
            parsed = parse(parsed.value, allow_identifiers=False)
            if parsed.empty:
                return query.where(false())
        return query.where(_word_match(session, PUBLISHED, parsed.terms))
    if parsed.kind == "number":
        return query.where(Appeal.number == parsed.value)
    if parsed.kind == "iin":
        return query.where(or_(Appeal.iin == parsed.value, Appeal.number == parsed.value))
    if parsed.kind == "number_part":
        terms = words(parsed.value)
        return query.where(
            or_(
                Appeal.number.like(paging.contains(parsed.value), escape=paging.LIKE_ESCAPE),
                _word_match(session, STAFF, terms),
            )
        )
    return query.where(_word_match(session, STAFF, parsed.terms))


def rank(session, parsed: SearchQuery, *, scope: str = STAFF):
    """An ORDER BY expression ranking by relevance (PostgreSQL), or None.

    Used only where the matches are few (the caller knows their capped count): ranking
    scores every matching row, which for a common word at the country's volume is the very
    scan the index avoids.
    """
    if parsed.kind != "words" or _dialect(session) != "postgresql":
        return None
    vector = "appeals.search_vector" if scope == STAFF else "appeals.published_search_vector"
    return func.ts_rank_cd(
        literal_column(vector),
        func.to_tsquery(literal_column("'simple'::regconfig"), _tsquery(parsed.terms)),
    ).desc()


def highlight(text: str | None, parsed: SearchQuery, *, limit: int | None = None) -> Markup:
    """The text escaped, with the words the search matched wrapped in <mark>.

    With `limit`, a fragment of about that many characters around the first match.
    """
    text = text or ""
    terms = parsed.terms if parsed.kind == "words" else tuple(words(parsed.value))
    if parsed.kind in ("number", "iin"):
        terms = ()
    spans = []
    if terms:
        for m in _WORD.finditer(text):
            word = m.group().lower()
            if any(word.startswith(t) for t in terms):
                spans.append((m.start(), m.end()))
    if limit and len(text) > limit:
        start = max(0, (spans[0][0] if spans else 0) - limit // 3)
        end = min(len(text), start + limit)
        prefix, suffix = ("…" if start else ""), ("…" if end < len(text) else "")
        spans = [(s - start, e - start) for s, e in spans if s >= start and e <= end]
        text = text[start:end]
    else:
        prefix = suffix = ""
    out = [escape(prefix)]
    last = 0
    for s, e in spans:
        out.append(escape(text[last:s]))
        out.append(Markup("<mark>%s</mark>") % text[s:e])
        last = e
    out.append(escape(text[last:]))
    out.append(escape(suffix))
    return Markup("").join(out)
