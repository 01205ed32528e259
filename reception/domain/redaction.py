"""Finding and hiding personal data in a text that is about to be published.

`scan` returns the findings (kind and span) in a text: IIN/BIN (twelve digits with a valid
check digit, or any twelve digits after "ИИН"/"БИН"/"ЖСН"/"IIN"), phone numbers in
Kazakhstan's formats, e-mail addresses, postal addresses and their parts, the applicant's
names in every case form of Russian and Kazakh and in either alphabet, other people written
as a surname with initials, and the words or phrases an official asked to hide.
`redact` replaces every finding by a neutral token in the text's language ("[ИИН]",
"[телефон]", "[ФИО]", ...); the tokens carry no digit and no letter of what they hide.

Names are matched by stems, not by lists of words: each word of the text and each part of
the name are reduced to a "skeleton" (Cyrillic and Latin letters folded to one Latin form,
Kazakh letters to their Russian lookalikes, digraphs to one letter, doubled letters to
one), and a word is the name when its skeleton is the name's stem followed by one of the
case endings of Russian or Kazakh (Иванов: -а, -у, -ым, -е, -ой; Мұқанов: -қа, -тың, -ты,
-пен, -да, -дан, ...).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

from reception.domain.identifiers import iin_is_valid

KINDS = ("iin", "phone", "email", "address", "name", "manual")

# Tokens per language of the text (the appeal's language); English for anything else.
TOKENS = {
    "ru": {
        "iin": "[ИИН]",
        "phone": "[телефон]",
        "email": "[e-mail]",
        "address": "[адрес]",
        "name": "[ФИО]",
        "manual": "[скрыто]",
    },
    "kk": {
        "iin": "[ЖСН]",
        "phone": "[телефон]",
        "email": "[e-mail]",
        "address": "[мекенжай]",
        "name": "[аты-жөні]",
        "manual": "[жасырылды]",
    },
    "en": {
        "iin": "[IIN]",
        "phone": "[phone]",
        "email": "[e-mail]",
        "address": "[address]",
        "name": "[name]",
        "manual": "[hidden]",
    },
}

# Why a finding was made: recorded with each redaction (never the hidden text itself).
REASONS = {
    "iin": "IIN/BIN with a valid check digit, or twelve digits named as an IIN/BIN",
    "phone": "phone number",
    "email": "e-mail address",
    "address": "postal address or a part of it",
    "name": "the applicant's name or another person's name with initials",
    "manual": "marked by the official",
}


@dataclass(frozen=True)
class Applicant:
    """What the appeal says about the applicant; each item is looked for in the text."""

    full_name: str = ""
    iin: str = ""
    email: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Finding:
    kind: str
    start: int
    end: int
    reason: str = ""


# ---------------------------------------------------------------------------------------
# Skeletons: one spelling for both alphabets.

_CYRILLIC = {
    "а": "a",
    "ә": "a",
    "б": "b",
    "в": "v",
    "г": "g",
    "ғ": "g",
    "д": "d",
    "е": "e",
    "ё": "e",
    "ж": "zh",
    "з": "z",
    "и": "i",
    "й": "i",
    "і": "i",
    "к": "k",
    "қ": "k",
    "л": "l",
    "м": "m",
    "н": "n",
    "ң": "n",
    "о": "o",
    "ө": "o",
    "п": "p",
    "р": "r",
    "с": "s",
    "т": "t",
    "у": "u",
    "ұ": "u",
    "ү": "u",
    "ф": "f",
    "х": "kh",
    "һ": "kh",
    "ц": "ts",
    "ч": "ch",
    "ш": "sh",
    "щ": "sh",
    "ъ": "",
    "ь": "",
    "ы": "i",
    "э": "e",
    "ю": "iu",
    "я": "ia",
}
# Latin letters that lose their meaning when the accent is stripped.
_LATIN_SPECIAL = {"ş": "sh", "ç": "ch", "ı": "i", "ñ": "n", "ğ": "g", "'": "", "’": "", "ʼ": ""}
_DIGRAPHS = (
    ("shch", "S"),
    ("sch", "S"),
    ("sh", "S"),
    ("ch", "C"),
    ("zh", "j"),
    ("kh", "h"),
    ("gh", "g"),
    ("ts", "c"),
)
_SINGLE = str.maketrans({"q": "k", "x": "h", "w": "v", "y": "i"})
_REPEATS = re.compile(r"(.)\1+")


def skeleton(word: str) -> str:
    """One spelling of a word for both alphabets: Мұқанов, Муканов, Mūqanov, Mukanov all
    give "mukanov"."""
    out = []
    for ch in word.lower():
        if ch in _CYRILLIC:
            out.append(_CYRILLIC[ch])
        elif ch in _LATIN_SPECIAL:
            out.append(_LATIN_SPECIAL[ch])
        else:
            base = unicodedata.normalize("NFKD", ch)
            out.append("".join(c for c in base if not unicodedata.combining(c)))
    text = "".join(out)
    for digraph, single in _DIGRAPHS:
        text = text.replace(digraph, single)
    text = text.translate(_SINGLE).replace("ie", "e").replace("io", "e")
    return _REPEATS.sub(r"\1", text)


def _skeletons(endings: str) -> tuple[str, ...]:
    return tuple(sorted({skeleton(e) for e in endings.split()}))


# Russian: after a consonant (Иванов-а, -у, -ым, -е; Иванов-а, -ой, -у; Асқар-а, -у, -ом, -е;
# Игорь: Игор-я, -ю, -ем) and in place of a final vowel (Иванов-а -> -ой, -у, -ы;
# Мари-я -> -и, -ю, -ей; Достоевск-ий -> -ого, -ому, -им, -ом, -ая, -ую).
_RU_AFTER_CONSONANT = ("", *_skeletons("а у ом ем ым е ы ых ыми я ю ей ием ой ою ам ами ах ов"))
_RU_FOR_VOWEL = _skeletons(
    "а ы и е у ой ей ою ею я ю ии ией ия ию ого его ому ему им ом ая яя ую юю ие ых ыми ым ую"
)
# Kazakh: genitive, dative, accusative, locative, ablative, instrumental, similative,
# possessive pronoun, the plural, and the plural with each case.
_KK_CASES = (
    "ның нің дың дің тың тің ға ге қа ке на не а е ны ні ды ді ты ті н да де та те нда нде "
    "дан ден тан тен нан нен ндан нден мен бен пен менен бенен пенен дай дей тай тей "
    "ныкі нікі дыкі дікі тыкі тікі"
)
_KK_PLURALS = ("лар", "лер", "дар", "дер", "тар", "тер")
_KK_ENDINGS = (
    "",
    *sorted(
        {skeleton(e) for e in _KK_CASES.split()}
        | {skeleton(p) for p in _KK_PLURALS}
        | {skeleton(p + c) for p in _KK_PLURALS for c in ("ға", "дың", "ды", "да", "дан", "мен")}
    ),
)
_VOWELS = "aeiou"
_NAME_STOPWORDS = {
    skeleton(w)
    for w in [
        "ұлы",
        "қызы",
        "оглы",
        "кызы",
        "улы",
        "тоо",
        "ао",
        "ип",
        "жшс",
        "ақ",
        "жк",
        "ооо",
        "llp",
        "jsc",
        "ltd",
        "мырза",
        "ханым",
    ]
}
# City names and the like: an applicant's address names them, but they identify no one.
_PLACE_STOPWORDS = {
    skeleton(w)
    for w in [
        "астана",
        "нур-султан",
        "нұр-сұлтан",
        "алматы",
        "шымкент",
        "қарағанды",
        "караганда",
        "ақтөбе",
        "актобе",
        "тараз",
        "павлодар",
        "өскемен",
        "усть-каменогорск",
        "семей",
        "атырау",
        "қостанай",
        "костанай",
        "қызылорда",
        "кызылорда",
        "орал",
        "уральск",
        "петропавл",
        "петропавловск",
        "ақтау",
        "актау",
        "түркістан",
        "туркестан",
        "көкшетау",
        "кокшетау",
        "талдықорған",
        "талдыкорган",
        "екібастұз",
        "жезқазған",
        "жезказган",
        "область",
        "облысы",
        "облыс",
        "район",
        "ауданы",
        "аудан",
        "город",
        "қаласы",
        "қала",
        "село",
        "ауылы",
        "ауыл",
        "казахстан",
        "қазақстан",
        "республика",
        "kazakhstan",
        "almaty",
        "astana",
    ]
}


def _name_forms(word: str) -> set[str]:
    """The skeletons of every case form of one name (or street name) in ru and kk."""
    base = skeleton(word)
    if len(base) < 2 or base in _NAME_STOPWORDS:
        return set()
    forms = {_REPEATS.sub(r"\1", base + e) for e in _KK_ENDINGS}
    if len(base) < 3 or (len(base) == 3 and base[-1] not in _VOWELS):
        return forms
    if base[-1] in _VOWELS:
        stem = base[:-1]
        # -ий, -ия, -ая: the whole ending goes (Василий -> Васил-ия, Мария -> Мар-ии).
        if len(stem) >= 4 and stem[-1] in "ai" and base[-2:] in ("ii", "ia", "ai"):
            stem = stem[:-1]
        forms |= {_REPEATS.sub(r"\1", stem + e) for e in _RU_FOR_VOWEL}
        # A feminine surname is also matched in its masculine form (Иванова -> Иванов).
        if len(stem) >= 4:
            forms |= {_REPEATS.sub(r"\1", stem + e) for e in _RU_AFTER_CONSONANT}
            forms |= {_REPEATS.sub(r"\1", stem + e) for e in _KK_ENDINGS}
    else:
        forms |= {_REPEATS.sub(r"\1", base + e) for e in _RU_AFTER_CONSONANT}
        forms |= {_REPEATS.sub(r"\1", base + "a" + e) for e in _KK_ENDINGS}
        forms |= {_REPEATS.sub(r"\1", base + e) for e in _RU_FOR_VOWEL}
    return forms


# ---------------------------------------------------------------------------------------
# Patterns.

_UPPER = "A-ZА-ЯЁӘҒҚҢӨҰҮҺІ"
_LOWER = "a-zа-яёәғқңөұүһі"
_WORD = re.compile(r"[^\W\d_]+(?:['’ʼ][^\W\d_]+)*")
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[^\W\d_]{2,}(?![\w-])")
_IIN = re.compile(r"(?<![\w\-/.])[0-9](?:[ \-]?[0-9]){11}(?![0-9]|-[0-9])")
_IIN_NAMED = re.compile(
    r"(?<!\w)(?:ИИН|БИН|ЖСН|БСН|IIN|BIN|ИНН)\s*(?:/\s*(?:БИН|БСН|BIN)\s*)?[:№-]?\s*"
    r"([0-9](?:[ \-]?[0-9]){9,13})(?![0-9])",
    re.IGNORECASE,
)
_SEP = r"[\s\-\u2010-\u2015.]{0,2}"
# +7 / 8 / 7 and ten digits; brackets around the code; spaces, dashes or dots between groups.
_PHONE = re.compile(
    rf"(?<![\w+\-/])(?=[+(0-9])(?:\+\s?7|8|7)?{_SEP}\(?\s?[0-9]{{3,4}}\s?\)?{_SEP}"
    rf"[0-9]{{2,3}}{_SEP}[0-9]{{2}}{_SEP}[0-9]{{2,3}}(?![0-9]|-[0-9])"
)
_LOCAL_PHONE = re.compile(
    r"(?:тел\.|тел:|тел\b|телефон\w*|телефоны\w*|ұялы|tel\.?|phone)"
    r"(?:\s+(?:для|справок|приёмной|приемной|доверия|анықтама|байланыс|нөмірі|номер)\w*){0,2}"
    r"\s*[:.]?\s*(?:№\s*)?"
    r"((?:\+?[0-9][0-9\s\-()]{3,16}[0-9])(?:\s*,\s*[0-9][0-9\-\s]{3,10}[0-9])*)",
    re.IGNORECASE,
)
_NAME_WORD = rf"(?:[{_UPPER}][{_LOWER}]+|[{_UPPER}]{{3,}})(?:-[{_UPPER}]?[{_LOWER}]+)?"
# Surnames by their endings (Russian and Kazakh): enough on their own beside one initial.
_SURNAME_WORD = (
    rf"(?:[{_UPPER}][{_LOWER}]+|[{_UPPER}]{{3,}})"
    r"(?i:ов|ев|ёв|ин|ын|ова|ева|ёва|ина|ына|ский|ская|цкий|цкая|енко|ук|юк|ұлы|улы|қызы|кызы|"
    r"бай|бек|баев|беков|баева|бекова)"
    rf"(?:[{_LOWER}]{{0,3}}|[{_UPPER}]{{0,3}})"
)
_INITIAL = rf"[{_UPPER}]\."
_TWO_INITIALS = rf"{_INITIAL}\s?{_INITIAL}"
_SURNAME_INITIALS = re.compile(
    rf"(?<![\w.])(?:{_NAME_WORD}\s+{_TWO_INITIALS}|{_SURNAME_WORD}\s+{_INITIAL}"
    rf"|{_TWO_INITIALS}\s?{_NAME_WORD}|{_INITIAL}\s?{_SURNAME_WORD})(?![\w])"
)
# A patronymic (anyone's: Серікұлы, Асқарқызы, Сергеевич, Петровна), in any case form.
_PATRONYMIC = re.compile(
    rf"(?<![\w])[{_UPPER}][{_LOWER}]+(?:ұлы|қызы|улы|кызы|ович|евич|овна|евна|ична|uly|ulı|ūly|"
    rf"qyzy|kyzy|qızı|ovich|evich|ovna|evna|ichna)[{_LOWER}]{{0,5}}(?![\w])"
)
_NUMBER = (
    rf"№?\s?[0-9]+(?:\s?[-/]\s?[0-9]+)?(?:(?:[{_UPPER}]|\s?[{_LOWER}])(?![{_LOWER}{_UPPER}]))?"
)
# Lower-case words that belong to street names: "Қабанбай батыр", "Жібек жолы", "Төле би".
_STREET_TITLES = r"(?:батыр\w*|би|ата|жолы|хан|ақын\w*|ел|батыра|жолы)(?!\w)"
_STREET_NAME = (
    rf"(?:[«\"“]?(?:[0-9]{{1,4}}-?[{_LOWER}]{{0,3}}\s)?[{_UPPER}0-9][\w\-.]{{0,40}}[»\"”]?"
    rf"(?:\s+(?:[{_UPPER}][\w\-]{{0,40}}|[{_UPPER}]\.|{_STREET_TITLES}))?"
    rf"(?:\s+(?:[{_UPPER}][\w\-]{{0,40}}|{_STREET_TITLES}))?)"
)
_BEFORE_MARKERS = (
    r"ул\.|ул(?=\s)|улица|улице|улицы|улицу|пр\.|пр-т\.?|пр-кт\.?|просп\.|проспект\w*|"
    r"мкр\.|мкр-н\.?|мкр(?=\s)|микрорайон\w*|пер\.|переул\w+|бульвар\w*|б-р\.?|шоссе|"
    r"наб\.|набережн\w+|ж\.?м\.|жилой массив|жилом массиве|трасса|тупик|"
    r"ul\.|ulitsa|ulica|pr\.|prospekt|mkr\.?|microdistrict|street|str\."
)
_AFTER_MARKERS = (
    r"көшесі\w*|көш\.|к-сі|даңғылы\w*|даңғ\.|шағын\s?аудан\w*|ш/а|ш\.а\.|тұйығы|"
    r"koshesi|kóshesi|dangyly|dańǵyly|street|avenue|ave\.|st\."
)
_UNIT_MARKERS = (
    r"дом[а-я]*|д\.|үй|үйі|үйдің|үйде|корпус\w*|корп\.|кв\.|кв(?=\s?[0-9])|квартир\w*|кв-ра|"
    r"пәтер\w*|офис\w*|оф\.|подъезд\w*|блок|пом\.|помещени\w+|строение|стр\.|уч\.|участок|"
    r"kv\.|d\.|dom|úı|uy"
)
_ADDRESS_BEFORE = re.compile(
    rf"(?<![\w])(?i:{_BEFORE_MARKERS})\s?{_STREET_NAME}(?:,?\s?{_NUMBER}(?!\.?[0-9]))?",
)
_ADDRESS_AFTER = re.compile(
    rf"(?<![\w]){_STREET_NAME}\s(?:{_AFTER_MARKERS})(?:,?\s?{_NUMBER}(?!\.?[0-9]))?",
)
_ADDRESS_UNIT = re.compile(
    rf"(?<![\w])(?:{_UNIT_MARKERS})\s?(?:№\s?)?[0-9]+[\w/\-]*", re.IGNORECASE
)
_DISTRICT_NUMBER = re.compile(
    r"(?<![\w.,])[0-9]+\s?-?(?:й|ші|шы|ый|ой)?\s?(?i:мкр\.?|мкр-н|микрорайон\w*|шағын\s?аудан\w*)"
    r"(?!\w)"
)
_ADDRESS_UNIT_AFTER = re.compile(
    rf"(?<![\w.,])[0-9]+[{_LOWER}{_UPPER}]?(?:/[0-9]+)?\s?-?\s?(?:үй|пәтер)\w*"
)
_DOUBLE_NAME = re.compile(rf"-[{_UPPER}][{_LOWER}]+")
_INITIALS_AFTER = re.compile(rf"\s[{_UPPER}]\.(?:\s?[{_UPPER}]\.)?(?![\w])")
_INITIALS_BEFORE = re.compile(rf"(?<![\w.])[{_UPPER}]\.(?:\s?[{_UPPER}]\.)?\s?\Z")
_TITLE_AFTER = re.compile(rf"\s(?:{_STREET_TITLES}|{_AFTER_MARKERS})")
# A house number right after a street name found elsewhere: "Кенесары 40, 12".
_TRAILING_NUMBERS = re.compile(rf"(?:,?\s?{_NUMBER}(?!\.?[0-9])){{1,2}}")


def _regex_findings(text: str) -> list[Finding]:
    found: list[Finding] = []
    for match in _EMAIL.finditer(text):
        found.append(Finding("email", match.start(), match.end(), REASONS["email"]))
    for match in _IIN_NAMED.finditer(text):
        found.append(Finding("iin", match.start(1), match.end(1), REASONS["iin"]))
    for match in _IIN.finditer(text):
        if iin_is_valid(re.sub(r"[ \-]", "", match.group())):
            found.append(Finding("iin", match.start(), match.end(), REASONS["iin"]))
    for match in _PHONE.finditer(text):
        digits = re.sub(r"[^0-9]", "", match.group())
        if _is_phone(digits, match.group()):
            found.append(Finding("phone", match.start(), match.end(), REASONS["phone"]))
    for match in _LOCAL_PHONE.finditer(text):
        if len(re.sub(r"[^0-9]", "", match.group(1))) >= 5:
            found.append(Finding("phone", match.start(1), match.end(1), REASONS["phone"]))
    for pattern in (
        _ADDRESS_BEFORE,
        _ADDRESS_AFTER,
        _ADDRESS_UNIT,
        _ADDRESS_UNIT_AFTER,
        _DISTRICT_NUMBER,
    ):
        for match in pattern.finditer(text):
            found.append(Finding("address", match.start(), match.end(), REASONS["address"]))
    for match in _PATRONYMIC.finditer(text):
        found.append(Finding("name", match.start(), match.end(), REASONS["name"]))
    for match in _SURNAME_INITIALS.finditer(text):
        found.append(Finding("name", match.start(), match.end(), REASONS["name"]))
    return found


# Mobile operators' codes, and the area codes of cities (7 then two or three more digits).
_MOBILE_CODES = {"700", "701", "702", "705", "706", "707", "708", "747", "771", "775", "776"}
_MOBILE_CODES |= {"777", "778"}


def _is_phone(digits: str, raw: str) -> bool:
    if len(digits) == 11 and digits[0] in "78" and digits[1] == "7":
        return True
    if len(digits) == 10 and digits[0] == "7":
        # Without the country prefix: only a mobile code, or a bracketed area code.
        return digits[:3] in _MOBILE_CODES or "(" in raw
    return False


def _word_findings(
    text: str, forms: dict[str, str], words: Iterable[re.Match] | None = None
) -> list[Finding]:
    found = []
    for match in words if words is not None else _WORD.finditer(text):
        kind = forms.get(skeleton(match.group()))
        if kind is None:
            continue
        end = match.end()
        start = match.start()
        if kind == "name":
            # The other half of a double surname (Мұқанова-Сейітова), initials either side.
            for pattern in (_DOUBLE_NAME, _INITIALS_AFTER):
                extra = pattern.match(text, end)
                if extra:
                    end = extra.end()
            before = _INITIALS_BEFORE.search(text, max(0, start - 8), start)
            if before:
                start = before.start()
        if kind == "address":
            title = _TITLE_AFTER.match(text, end)
            if title and _TRAILING_NUMBERS.match(text, title.end()):
                end = title.end()
            trailing = _TRAILING_NUMBERS.match(text, end)
            if trailing:
                end = trailing.end()
        found.append(Finding(kind, start, end, REASONS[kind]))
    return found


def _address_words(address: str) -> list[str]:
    """The street-like words of the applicant's address (not the city or region)."""
    words = []
    for word in _WORD.findall(address or ""):
        key = skeleton(word)
        if len(key) >= 4 and key not in _PLACE_STOPWORDS and not _is_marker(word):
            words.append(word)
    return words


_MARKER_WORDS = re.compile(
    rf"^(?:{_BEFORE_MARKERS}|{_AFTER_MARKERS}|{_UNIT_MARKERS})$".replace(r"\.", r"\.?"),
    re.IGNORECASE,
)


def _is_marker(word: str) -> bool:
    return bool(_MARKER_WORDS.match(word))


def _literal(value: str) -> re.Pattern | None:
    """A phrase matched whatever the case and the spaces between its words."""
    parts = [re.escape(p) for p in (value or "").split()]
    if not parts:
        return None
    return re.compile(r"(?<!\w)" + r"\s+".join(parts) + r"(?!\w)", re.IGNORECASE)


def _digits_pattern(digits: str) -> re.Pattern | None:
    """The applicant's phone as its last ten digits with any separators between them."""
    digits = re.sub(r"[^0-9]", "", digits or "")[-10:]
    if len(digits) < 6:
        return None
    return re.compile(r"(?<![0-9])" + r"[\s\-().]{0,2}".join(digits) + r"(?![0-9])")


def scan(text: str, applicant: Applicant | None = None, hide: Iterable[str] = ()) -> list[Finding]:
    """Every piece of personal data found in `text`, merged, in order of position."""
    if not text:
        return []
    applicant = applicant or Applicant()
    found = _regex_findings(text)

    forms: dict[str, str] = {}
    for word in _address_words(applicant.address):
        for form in _name_forms(word):
            forms.setdefault(form, "address")
    for word in _WORD.findall(applicant.full_name or ""):
        for form in _name_forms(word):
            forms[form] = "name"
    manual_phrases = []
    for phrase in hide:
        phrase = " ".join(str(phrase).split())
        if not phrase:
            continue
        if _WORD.fullmatch(phrase) and len(phrase) >= 4:
            for form in _name_forms(phrase):
                forms.setdefault(form, "manual")
        manual_phrases.append(phrase)
    if forms:
        found += _word_findings(text, forms)

    literals = [
        ("email", _literal(applicant.email) if "@" in (applicant.email or "") else None),
        ("iin", _digits_literal(applicant.iin)),
        ("phone", _digits_pattern(applicant.phone)),
        ("name", _literal(applicant.full_name) if len(applicant.full_name or "") >= 4 else None),
        ("address", _literal(applicant.address) if len(applicant.address or "") >= 6 else None),
        *(("manual", _literal(p)) for p in manual_phrases),
    ]
    for kind, pattern in literals:
        if pattern is not None:
            for match in pattern.finditer(text):
                if match.end() > match.start():
                    found.append(Finding(kind, match.start(), match.end(), REASONS[kind]))
    return merge(found, text)


def _digits_literal(iin: str) -> re.Pattern | None:
    digits = re.sub(r"[^0-9]", "", iin or "")
    if len(digits) != 12:
        return None
    return re.compile(r"(?<![0-9])" + r"[\s\-]?".join(digits) + r"(?![0-9])")


_PRIORITY = {kind: rank for rank, kind in enumerate(("manual", "iin", "email", "phone", "name"))}
_JOINERS = {"name": re.compile(r"\s*"), "address": re.compile(r"[\s,]*")}


def merge(findings: list[Finding], text: str) -> list[Finding]:
    """Overlapping findings become one; names side by side (or address parts separated only
    by commas) too, so that "Мұқанов Асқар" is one token and not two."""
    result: list[Finding] = []
    for finding in sorted(findings, key=lambda f: (f.start, -f.end)):
        if result:
            last = result[-1]
            joiner = _JOINERS.get(last.kind) if last.kind == finding.kind else None
            gap = text[last.end : finding.start] if finding.start > last.end else ""
            if finding.start < last.end or (joiner is not None and joiner.fullmatch(gap)):
                kind = min(last.kind, finding.kind, key=lambda k: _PRIORITY.get(k, 9))
                if finding.start >= last.end:
                    kind = last.kind
                result[-1] = Finding(
                    kind,
                    last.start,
                    max(last.end, finding.end),
                    last.reason if kind == last.kind else finding.reason,
                )
                continue
        result.append(finding)
    return result


def redact(text: str, findings: list[Finding], language: str = "en") -> str:
    """The text with every finding replaced by its token."""
    tokens = TOKENS.get(language, TOKENS["en"])
    out, position = [], 0
    for finding in sorted(findings, key=lambda f: f.start):
        if finding.start < position:
            continue
        out.append(text[position : finding.start])
        out.append(tokens[finding.kind])
        position = finding.end
    out.append(text[position:])
    return "".join(out)


def publish(
    text: str, applicant: Applicant | None = None, language: str = "en", hide: Iterable[str] = ()
) -> tuple[str, list[Finding]]:
    """The published text and the findings it hides."""
    findings = scan(text or "", applicant, hide)
    return redact(text or "", findings, language), findings


def split_hide(value) -> list[str]:
    """The official's extra words to hide: a list, or text with one per line."""
    if value is None:
        return []
    items = value if isinstance(value, (list, tuple)) else str(value).splitlines()
    phrases = []
    for item in items:
        if isinstance(item, str):
            phrase = " ".join(item.split())[:200]
            if phrase and phrase not in phrases:
                phrases.append(phrase)
    return phrases[:50]
