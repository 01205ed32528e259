"""Text of an appeal reduced to what it is about, and how alike two such texts are.

Pure functions, no framework: the same normalised text is stored on the appeal (and indexed
by PostgreSQL's pg_trgm) and scored here in Python on SQLite; `trigram_similarity` computes
exactly what pg_trgm's `similarity()` computes, so the scores of both are comparable.

The steps, for Kazakh and Russian written in either alphabet:
1. lower-case, Unicode-normalised; Kazakh Latin (the 2021 alphabet, the 2018 apostrophe
   one, and plain ASCII typing: sh, zh, ch...) transliterated to Cyrillic;
2. Kazakh letters folded to their Russian lookalikes (ә→а, қ→к, ө→о, і→и...), ё→е, й→и;
3. punctuation stripped, function words dropped, each word cut to its first letters (a crude
   stemmer that removes the case endings of both languages);
4. words of a small bilingual lexicon replaced by one concept word (су / вода / потоп →
   the same word), so that a Kazakh and a Russian appeal about a flood share words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

STEM_LENGTH = 4
MAX_WORDS = 60

# Kazakh Latin, both official versions and ASCII typing, to Cyrillic. Digraphs first.
_LATIN_DIGRAPHS = (
    ("shch", "щ"),
    ("sh", "ш"),
    ("ch", "ч"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ya", "я"),
    ("yu", "ю"),
    ("yo", "е"),
    ("a'", "ә"),
    ("g'", "ғ"),
    ("i'", "ы"),
    ("n'", "ң"),
    ("o'", "ө"),
    ("u'", "ү"),
    ("s'", "ш"),
    ("c'", "ч"),
)
_LATIN_LETTERS = {
    "a": "а",
    "ä": "ә",
    "b": "б",
    "c": "ц",
    "ç": "ч",
    "d": "д",
    "e": "е",
    "f": "ф",
    "g": "г",
    "ğ": "ғ",
    "h": "х",
    "i": "и",
    "ı": "ы",
    "j": "ж",
    "k": "к",
    "l": "л",
    "m": "м",
    "n": "н",
    "ñ": "ң",
    "o": "о",
    "ö": "ө",
    "p": "п",
    "q": "қ",
    "r": "р",
    "s": "с",
    "ş": "ш",
    "t": "т",
    "u": "у",
    "ū": "ұ",
    "ü": "ү",
    "v": "в",
    "w": "у",
    "x": "х",
    "y": "ы",
    "z": "з",
}
# Kazakh letters to the Russian letters they resemble; a few Russian ones merged too.
_FOLD = str.maketrans(
    {
        "ә": "а",
        "ғ": "г",
        "қ": "к",
        "ң": "н",
        "ө": "о",
        "ұ": "у",
        "ү": "у",
        "һ": "х",
        "і": "и",
        "ы": "и",
        "й": "и",
        "ё": "е",
        "я": "иа",
        "ю": "иу",
        "ъ": "",
        "ь": "",
    }
)
_LATIN_WORD = re.compile(r"[a-zäçğıñöşūü']+")
_WORD = re.compile(r"[0-9]+|[а-я]+")


def _fold_letters(text: str) -> str:
    return text.lower().translate(_FOLD)


# Function words of both languages (after folding), and words every appeal has.
STOPWORDS = frozenset(
    """
    и в во на не с со по что это у к о об из за от до для мы я он она они вы нас нам наш наша
    наши наших ваш все уже еще как так же бы ли то или а но при под над без через после
    там тут здесь где когда чем тем этот эта эти этого этом том очень нет просим прошу просьба
    пожалуиста уважаемие уважаемии уважаемая нашем нашего нашеи дом дома доме улица улице
    улици ул кв мкр район раиона раионе города город город городе г
    жане мен бен пен да де та те бул осы ол биз сиз мен менин бизде бизин сол тагы эле
    калада кала ауданинда ауданда аудан уи уиде уидин уиимиздин кошеси кошесинде кошесиндеги
    кош кошеде тукргин турмиз сураимин сураимиз отинемин отинемиз курметти жок бар болип
    """.split()  # noqa: SIM905
)
STOPWORDS = frozenset(_fold_letters(word) for word in STOPWORDS)

# A small bilingual lexicon of the words appeals are made of: words (or word beginnings) of
# Kazakh and Russian that name the same thing are replaced by one concept word. Entries of
# four letters or more are word beginnings, shorter ones whole words, "*" marks a short
# beginning. Written in ordinary spelling; folded like the text when the table is built.
_CONCEPTS = {
    "вода": "су суы суға сулар вода воды водо водоп затоп подто потоп залив залит лужа лужи",
    "свет": "свет света элект жарық жарығ лампа фонар шам шамда шамдар напряж кернеу",
    "тепло": "тепло отопл батар радиа жылыт жылу жылуы",
    "горячий": "кипят горяч ыстық",
    "дорога": "дорог дорож жол жолд жолды жолға асфал трасс проез проезж",
    "яма": "яма ямы ямка ямки выбоин шұңқ ойық провал",
    "колесо": "колес дөңгел шины шина",
    "мусор": "мусор қоқыс свалк контей бак баки үйінді",
    "снег": "снег снега снегу қар қары қарда сугро",
    "лед": "лед льда наледь налед сосул мұз сүңгі гололед",
    "лифт": "лифт",
    "газ": "газ газа газға газды газо газиф",
    "канализация": "канал кәріз нечист",
    "запах": "запах вонь иіс иісі сасық",
    "транспорт": "автоб транс маршр интерв",
    "остановка": "остан аялд павиль",
    "школа": "школ мектеп сабақ учени оқушы",
    "класс": "класс сынып",
    "место": "мест орын",
    "поликлиника": "поликл емхан",
    "врач": "врач дәріг терап",
    "скорая": "скорая скорой скору жедел",
    "собака": "собак ит итте иттер бродяч қаңғыб бездом",
    "кошка": "кошек кошки кошка мысық",
    "дерево": "дерев ағаш ағашт вырубк вырубаю кесіп спил",
    "сухой": "сухое сухого сухой қураған",
    "падать": "упаст упад падаю кулау құлау құлап",
    "шум": "шум шумн шу шуы шулы тыныш",
    "ночь": "ноч* түн*",
    "утро": "утра утро таң таңға",
    "стройка": "строй строит құрылыс",
    "сломан": "слома сломл сынған бұзылған істемей работа",
    "крыша": "крыш кровл шатыр",
    "течь": "протек течет течёт течь ағып ағад",
    "ремонт": "ремон жөнде капре",
    "подвал": "подва жертөл",
    "труба": "труб құбыр",
    "площадка": "площа алаң",
    "качели": "качел әткенш горка",
    "дети": "дети детей детям ребен ребён бала балал балаға",
    "пожилой": "пожил қартт қария",
    "машина": "машин автом көлік",
    "двор": "двор дворе аула ауласы ауласын",
    "подъезд": "подъез кіребер",
    "тротуар": "тротуа жаяу пешех",
    "переход": "перех зебра өткел",
    "перекресток": "перекр қиылыс",
    "светофор": "светоф бағдарш",
    "авария": "авари апат",
    "парковка": "парко тұрақ",
    "пенсия": "пенси зейнет",
    "пособие": "пособ жәрдемақ",
    "инвалид": "инвал мүгед",
    "перевод": "перечисл аудар",
    "земля": "земел участ учаск телім",
    "жилье": "жилье жилищ тұрғын",
    "квартира": "квартир пәтер",
    "очередь": "очеред кезек",
    "разрешение": "разреш рұқсат",
    "неделя": "недел апта",
    "час": "час часа сағат",
    "месяц": "месяц",
}


_PREFIXES: dict[str, str] = {}
_EXACT: dict[str, str] = {}
for _concept, _entries in _CONCEPTS.items():
    for _entry in _entries.split():
        _key = _fold_letters(_entry.rstrip("*"))
        if _entry.endswith("*") or len(_key) >= 4:
            _PREFIXES[_key] = _fold_letters(_concept)
        else:
            _EXACT[_key] = _fold_letters(_concept)
_PREFIX_LENGTHS = sorted({len(k) for k in _PREFIXES}, reverse=True)


def transliterate(text: str) -> str:
    """Kazakh (or Russian) typed in Latin letters, in Cyrillic; Cyrillic stays as it is."""

    def word(match: re.Match) -> str:
        value = match.group(0)
        for latin, cyrillic in _LATIN_DIGRAPHS:
            value = value.replace(latin, cyrillic)
        return "".join(_LATIN_LETTERS.get(ch, ch) for ch in value).replace("'", "")

    return _LATIN_WORD.sub(word, text)


def fold(text: str) -> str:
    """Lower-case, one alphabet, Kazakh letters as their Russian lookalikes."""
    text = unicodedata.normalize("NFKC", text).lower()
    # Combining marks typed separately (a + ̈) join their letter first, then Latin goes.
    return transliterate(text).translate(_FOLD)


def stem(word: str) -> str:
    """The first letters of a word: endings of both languages cut off, numbers kept."""
    if word.isdigit():
        return word
    if word in _EXACT:
        return _EXACT[word]
    for length in _PREFIX_LENGTHS:
        if len(word) >= length and word[:length] in _PREFIXES:
            return _PREFIXES[word[:length]]
    return word[:STEM_LENGTH]


def words(text: str) -> list[str]:
    """The meaningful words of a text, stemmed, in order, without repeats."""
    seen: dict[str, None] = {}
    for raw in _WORD.findall(fold(text or "")):
        if raw in STOPWORDS or (len(raw) < 2 and not raw.isdigit()):
            continue
        seen.setdefault(stem(raw), None)
        if len(seen) >= MAX_WORDS:
            break
    return list(seen)


# One ASCII letter per folded Cyrillic letter: the stored text is then read the same way by
# pg_trgm in any database locale (in the "C" locale Cyrillic letters are not word letters).
_ASCII = str.maketrans(
    dict(zip("абвгдежзиклмнопрстуфхцчшщэ", "abvgdejziklmnoprstufhcqwwe", strict=True))
)


def normalise(*parts: str) -> str:
    """The text stored for similarity: subject and text, reduced to their stemmed words.

    Only ASCII letters, digits and spaces remain (a private code, not for reading).
    """
    return " ".join(words(" ".join(p for p in parts if p))).translate(_ASCII).replace("_", "")


def trigrams(normalised: str) -> frozenset[str]:
    """pg_trgm's trigrams: each word padded with two spaces before and one after."""
    grams: set[str] = set()
    for word in normalised.split():
        padded = f"  {word} "
        grams.update(padded[i : i + 3] for i in range(len(padded) - 2))
    return frozenset(grams)


def trigram_similarity(a: Iterable[str] | str, b: Iterable[str] | str) -> float:
    """Shared trigrams over all trigrams (pg_trgm's `similarity`), from 0 to 1."""
    left = trigrams(a) if isinstance(a, str) else frozenset(a)
    right = trigrams(b) if isinstance(b, str) else frozenset(b)
    if not left or not right:
        return 0.0
    shared = len(left & right)
    return shared / (len(left) + len(right) - shared)


def rank(
    query: str, candidates: Iterable[tuple[object, str]], *, threshold: float, limit: int
) -> list[tuple[object, float]]:
    """The candidates (key, normalised text) at or above the threshold, best first."""
    mine = trigrams(query)
    scored = []
    for key, text in candidates:
        score = trigram_similarity(mine, trigrams(text or ""))
        if score >= threshold:
            scored.append((key, score))
    scored.sort(key=lambda pair: -pair[1])
    return scored[:limit]
