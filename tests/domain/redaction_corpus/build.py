"""Build corpus.json: answers and subjects in kk, ru and both, with personal data seeded.

Run `python -m tests.domain.redaction_corpus.build` to write it again; the output is
deterministic. Seeded items are marked in the text as ⟦kind:value⟧ (kind: iin, phone,
email, address, name); everything else in a text must stay as it is. The names are
inflected here by hand-written rules of their own (not by the scanner's), and written in
Cyrillic, with Russian lookalikes for the Kazakh letters, in the Kazakh Latin alphabet of
2021 and in common Russian transliteration.
"""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

HERE = Path(__file__).resolve().parent

# surname (masculine form), first name, father's name, sex
PEOPLE = [
    ("Мұқанов", "Асқар", "Серік", "m"),
    ("Иванов", "Дмитрий", "Сергей", "m"),
    ("Жақсыбеков", "Ерлан", "Болат", "m"),
    ("Сейітов", "Нұрлан", "Қайрат", "m"),
    ("Петренко", "Олег", "Иван", "m"),
    ("Төлеуов", "Бауыржан", "Ержан", "m"),
    ("Ахметов", "Дәурен", "Мұрат", "m"),
    ("Смағұлов", "Тимур", "Ғалым", "m"),
    ("Кузнецов", "Андрей", "Пётр", "m"),
    ("Әбдірахманов", "Мақсат", "Жомарт", "m"),
    ("Оспанов", "Айдос", "Нұрсұлтан", "m"),
    ("Бекмұхамбетов", "Арман", "Қанат", "m"),
    ("Мұқанов", "Айгерім", "Серік", "f"),
    ("Иванов", "Мария", "Пётр", "f"),
    ("Жұмабаев", "Гүлнара", "Ерболат", "f"),
    ("Сәрсенбаев", "Динара", "Талғат", "f"),
    ("Ким", "Елена", "Виктор", "f"),
    ("Нұрғалиев", "Әсел", "Жанат", "f"),
    ("Омаров", "Алия", "Бақыт", "f"),
    ("Соколов", "Анна", "Михаил", "f"),
    ("Қасымов", "Жанар", "Өмірзақ", "f"),
    ("Досмағамбетов", "Сәуле", "Амангелді", "f"),
    ("Ибраев", "Ұлжан", "Серік", "f"),
    ("Тоқтаров", "Балжан", "Нұрлан", "f"),
]
OTHERS = [
    ("Петров", "А.Б."),
    ("Серікбаев", "Н.Қ."),
    ("Ахмедьяров", "Е.С."),
    ("Ли", "В.Г."),
    ("Бейсенова", "Г.Т."),
    ("Құлмағанбетов", "Д.Ж."),
    ("Смирнова", "О.В."),
    ("Жолдасов", "М."),
]
STREETS = [
    # nominative, Russian genitive (after "ул."/"пр.")
    ("Кенесары", "Кенесары"),
    ("Абай", "Абая"),
    ("Сарыарқа", "Сарыарка"),
    ("Тұран", "Туран"),
    ("Сейфуллин", "Сейфуллина"),
    ("Достық", "Достык"),
    ("Жібек жолы", "Жибек жолы"),
    ("Қабанбай батыр", "Кабанбай батыра"),
    ("Иманов", "Иманова"),
    ("Пушкин", "Пушкина"),
    ("Мәңгілік Ел", "Мангилик Ел"),
    ("Бөгенбай батыр", "Богенбай батыра"),
]
DISTRICTS = ["Самал-2", "Жетісу-3", "Ақсай-4", "Шұғыла", "Көктем-1", "Нұркен"]

VOICELESS = set("кқпстфхцчшщв")
SONORANT = set("рлйуюмнң")
FRONT_VOWELS = set("әеөүіэи")
BACK_VOWELS = set("аоұыуяё")
VOWELS = set("аәеёиоөуұүыіэюя")


def _front(word: str) -> bool:
    for ch in reversed(word.lower()):
        if ch in FRONT_VOWELS:
            return True
        if ch in BACK_VOWELS:
            return False
    return False


def kk_case(word: str, case: str) -> str:
    """A Kazakh case form by vowel harmony and the last sound."""
    last = word[-1].lower()
    front = _front(word)
    vowel = last in VOWELS
    voiceless = last in VOICELESS
    nasal = last in "мнң"

    def pick(back: str, fr: str) -> str:
        return word + (fr if front else back)

    if case == "knom":
        return word
    if case == "kgen":
        if vowel or nasal:
            return pick("ның", "нің")
        return pick("тың", "тің") if voiceless else pick("дың", "дің")
    if case == "kdat":
        return pick("қа", "ке") if voiceless else pick("ға", "ге")
    if case == "kacc":
        if vowel:
            return pick("ны", "ні")
        return pick("ты", "ті") if voiceless else pick("ды", "ді")
    if case == "kloc":
        return pick("та", "те") if voiceless else pick("да", "де")
    if case == "kabl":
        if nasal:
            return pick("нан", "нен")
        return pick("тан", "тен") if voiceless else pick("дан", "ден")
    if case == "kins":
        if voiceless:
            return word + "пен"
        if last in "жзмнң":
            return word + "бен"
        return word + "мен"
    raise ValueError(case)


def ru_surname(surname: str, sex: str, case: str) -> str:
    ov = surname.endswith(("ов", "ев", "ин", "ын", "ёв"))
    if sex == "f":
        if not ov:
            return surname
        fem = surname + "а"
        return {"nom": fem, "acc": surname + "у"}.get(case, surname + "ой")
    if not ov and surname[-1] in VOWELS:
        return surname  # Петренко, Ли: not declined
    endings = {"nom": "", "gen": "а", "dat": "у", "acc": "а", "ins": "ым", "prep": "е"}
    if not ov:
        endings["ins"] = "ом"
    return surname + endings[case]


def ru_first(name: str, sex: str, case: str) -> str:
    if name.endswith("ий"):
        stem = name[:-2]
        return stem + {"nom": "ий", "gen": "ия", "dat": "ию", "acc": "ия", "ins": "ием"}.get(
            case, "ии"
        )
    if name.endswith("ия"):
        stem = name[:-2]
        return stem + {"nom": "ия", "acc": "ию", "ins": "ией"}.get(case, "ии")
    if name[-1] == "а":
        stem = name[:-1]
        gen = "и" if stem[-1] in "кгхжшчщ" else "ы"
        return stem + {"nom": "а", "gen": gen, "dat": "е", "acc": "у", "ins": "ой"}.get(case, "е")
    if sex == "f" or name[-1] in VOWELS:
        return name
    if name.endswith("ь"):
        return name[:-1] + {"nom": "ь", "gen": "я", "dat": "ю", "acc": "я", "ins": "ем"}.get(
            case, "е"
        )
    endings = {"nom": "", "gen": "а", "dat": "у", "acc": "а", "ins": "ом", "prep": "е"}
    return name + endings[case]


def patronymic(father: str, sex: str, language: str) -> str:
    if language == "kk" or father[-1] in "қкғ" or any(ch in father for ch in "әғқңөұүһі"):
        return father + ("ұлы" if sex == "m" else "қызы")
    stem = {"Сергей": "Сергеев", "Иван": "Иванов", "Пётр": "Петров", "Михаил": "Михайлов"}.get(
        father, father + "ов"
    )
    return stem + ("ич" if sex == "m" else "на")


LOOKALIKE = str.maketrans("әғқңөұүһіӘҒҚҢӨҰҮҺІ", "агкноуухиАГКНОУУХИ")
KZ_LATIN = {
    "а": "a", "ә": "ä", "б": "b", "в": "v", "г": "g", "ғ": "ğ", "д": "d", "е": "e", "ё": "io",
    "ж": "j", "з": "z", "и": "i", "й": "i", "і": "ı", "к": "k", "қ": "q", "л": "l", "м": "m",
    "н": "n", "ң": "ñ", "о": "o", "ө": "ö", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "ū", "ү": "ü", "ф": "f", "х": "h", "һ": "h", "ц": "ts", "ч": "ch", "ш": "ş",
    "щ": "şş", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "iu", "я": "ia",
}  # fmt: skip
RU_LATIN = {
    "а": "a", "ә": "a", "б": "b", "в": "v", "г": "g", "ғ": "g", "д": "d", "е": "e", "ё": "e",
    "ж": "zh", "з": "z", "и": "i", "й": "y", "і": "i", "к": "k", "қ": "k", "л": "l", "м": "m",
    "н": "n", "ң": "n", "о": "o", "ө": "o", "п": "p", "р": "r", "с": "s", "т": "t", "у": "u",
    "ұ": "u", "ү": "u", "ф": "f", "х": "kh", "һ": "h", "ц": "ts", "ч": "ch", "ш": "sh",
    "щ": "shch", "ъ": "", "ы": "y", "ь": "", "э": "e", "ю": "yu", "я": "ya",
}  # fmt: skip


def _latin(text: str, table: dict) -> str:
    out = []
    for ch in text:
        lower = ch.lower()
        if lower in table:
            mapped = table[lower]
            out.append(mapped.capitalize() if ch != lower else mapped)
        else:
            out.append(ch)
    return "".join(out)


def in_script(text: str, script: str) -> str:
    if script == "lookalike":
        return text.translate(LOOKALIKE)
    if script == "kz_latin":
        return _latin(text, KZ_LATIN)
    if script == "ru_latin":
        return _latin(text, RU_LATIN)
    return text


def iin(rng: random.Random) -> str:
    while True:
        year = rng.randint(50, 99)
        digits = f"{year:02d}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.choice('3456')}"
        digits += "".join(str(rng.randint(0, 9)) for _ in range(4))
        values = [int(c) for c in digits]
        for weights in (range(1, 12), [3, 4, 5, 6, 7, 8, 9, 10, 11, 1, 2]):
            check = sum(d * w for d, w in zip(values, weights, strict=True)) % 11
            if check != 10:
                return digits + str(check)


def phone(rng: random.Random) -> str:
    code = rng.choice(["701", "702", "705", "707", "747", "771", "775", "777", "778"])
    a, b, c = rng.randint(100, 999), rng.randint(10, 99), rng.randint(10, 99)
    return rng.choice(
        [
            f"+7 {code} {a} {b} {c}",
            f"8 ({code}) {a}-{b}-{c}",
            f"8{code}{a}{b}{c}",
            f"+7{code}{a}{b}{c}",
            f"+7 ({code}) {a}-{b}-{c}",
            f"8-{code}-{a}-{b}-{c}",
            f"+7 {code} {a}{b}{c}",
            f"8 {code} {a} {b} {c}",
            f"+7 (7172) {b}-{c}-{b}",
            f"8 (727) {a}-{b}-{c}",
            f"+7 7172 {b} {c} {b}",
        ]
    )


def local_phone(rng: random.Random) -> str:
    b, c, d = rng.randint(20, 99), rng.randint(10, 99), rng.randint(10, 99)
    return rng.choice([f"{b}-{c}-{d}", f"{b} {c} {d}", f"{rng.randint(2, 5)}{b}-{c}-{d}"])


def email(rng: random.Random, first: str, surname: str) -> str:
    user = (
        _latin(first.lower(), RU_LATIN)
        + rng.choice([".", "_", ""])
        + _latin(surname.lower(), RU_LATIN)
    )
    user = re.sub(r"[^a-z._]", "", user) + rng.choice(["", "85", "1990", "_kz"])
    return user + "@" + rng.choice(["mail.ru", "gmail.com", "inbox.kz", "yandex.kz", "bk.ru"])


def seed(kind: str, value: str) -> str:
    return f"⟦{kind}:{value}⟧"


class Person:
    def __init__(self, rng: random.Random, index: int, language: str):
        surname, first, father, sex = PEOPLE[index % len(PEOPLE)]
        self.sex = sex
        self.surname, self.first = surname, first
        self.patronymic = patronymic(father, sex, language)
        self.script = rng.choice(["cyr", "cyr", "cyr", "cyr", "lookalike", "kz_latin", "ru_latin"])
        self.iin = iin(rng)
        self.phone = phone(rng)
        self.local_phone = local_phone(rng)
        self.email = email(rng, first, surname)
        street, street_gen = rng.choice(STREETS)
        self.street, self.street_gen = street, street_gen
        self.district = rng.choice(DISTRICTS)
        self.house, self.flat = str(rng.randint(1, 120)), str(rng.randint(1, 300))
        if rng.random() < 0.2:
            self.house += rng.choice(["а", "/1", "Б"])
        other = OTHERS[rng.randrange(len(OTHERS))]
        self.other = f"{other[0]} {other[1]}" if rng.random() < 0.6 else f"{other[1]} {other[0]}"

    def full_name_nom(self) -> str:
        surname = self.surname + ("а" if self.sex == "f" and self.surname.endswith("ов") else "")
        if self.sex == "f" and self.surname.endswith(("ев", "ин")):
            surname = self.surname + "а"
        return f"{surname} {self.first} {self.patronymic}"

    def values(self) -> dict[str, str]:
        s = self.script
        v = {}
        for case in ("nom", "gen", "dat", "acc", "ins", "prep"):
            v[f"SUR_{case}"] = seed("name", in_script(ru_surname(self.surname, self.sex, case), s))
            v[f"FIRST_{case}"] = seed("name", in_script(ru_first(self.first, self.sex, case), s))
        surname_kk = self.surname + ("а" if self.sex == "f" and self.surname[-1] != "а" else "")
        if self.sex == "f" and self.surname[-1] not in "вн":
            surname_kk = self.surname
        for case in ("knom", "kgen", "kdat", "kacc", "kloc", "kabl", "kins"):
            v[f"SUR_{case}"] = seed("name", in_script(kk_case(surname_kk, case), s))
            v[f"FIRST_{case}"] = seed("name", in_script(kk_case(self.first, case), s))
        v["PAT"] = seed("name", in_script(self.patronymic, s))
        v["FULL"] = seed("name", in_script(self.full_name_nom(), s))
        v["FI"] = seed("name", in_script(f"{self.first} {self.patronymic}", s))
        v["IIN"] = seed("iin", self.iin)
        v["IINS"] = seed("iin", f"{self.iin[:6]} {self.iin[6:]}")
        v["PHONE"] = seed("phone", self.phone)
        v["LPHONE"] = seed("phone", self.local_phone)
        v["EMAIL"] = seed("email", self.email)
        v["STREET"] = seed("address", self.street_gen)
        v["STREETK"] = seed("address", self.street)
        v["DISTRICT"] = seed("address", self.district)
        v["HOUSE"] = seed("address", self.house)
        v["FLAT"] = seed("address", self.flat)
        v["OTHER"] = seed("name", self.other)
        return v

    def applicant(self, language: str) -> dict:
        address_ru = f"г. Астана, ул. {self.street_gen}, д. {self.house}, кв. {self.flat}"
        address_kk = f"Астана қ., {self.street} көшесі, {self.house}-үй, {self.flat}-пәтер"
        return {
            "full_name": self.full_name_nom(),
            "iin": self.iin,
            "email": self.email,
            "phone": self.phone,
            "address": address_kk if language == "kk" else address_ru,
        }


def build() -> list[dict]:
    from tests.domain.redaction_corpus.templates import CLEAN, CLEAN_UNSEEN, TEMPLATES

    rng = random.Random(20261205)
    items = []
    index = 0
    for copies in range(3):
        for number, (language, field, template) in enumerate(TEMPLATES):
            person = Person(rng, index, "kk" if language == "kk" else "ru")
            index += 1
            text = template.format(**person.values())
            items.append(
                {
                    "id": f"{language}-{field}-{number:03d}-{copies}",
                    "language": language,
                    "field": field,
                    "script": person.script,
                    "applicant": person.applicant(language),
                    "text": text,
                }
            )
        for number, (language, text) in enumerate(CLEAN):
            person = Person(rng, index, "kk" if language == "kk" else "ru")
            index += 1
            items.append(
                {
                    "id": f"{language}-clean-{number:03d}-{copies}",
                    "language": language,
                    "field": "answer",
                    "script": "cyr",
                    "applicant": person.applicant(language),
                    "text": text,
                }
            )
    from tests.domain.redaction_corpus.handwritten import HANDWRITTEN, HANDWRITTEN_UNSEEN

    for number, (language, text) in enumerate(CLEAN_UNSEEN):
        items.append(
            {
                "id": f"clean2-{number:02d}",
                "language": language,
                "field": "answer",
                "script": "handwritten",
                "applicant": Person(rng, number, "ru").applicant(language),
                "text": text,
            }
        )

    for ident, language, full_name, address, text in HANDWRITTEN + HANDWRITTEN_UNSEEN:
        items.append(
            {
                "id": ident,
                "language": language,
                "field": "answer",
                "script": "handwritten",
                "applicant": {
                    "full_name": full_name,
                    "iin": "",
                    "email": "",
                    "phone": "",
                    "address": address,
                },
                "text": text,
            }
        )
    return items


if __name__ == "__main__":
    corpus = build()
    (HERE / "corpus.json").write_text(
        json.dumps(corpus, ensure_ascii=False, indent=1) + "\n", encoding="utf-8"
    )
    print(f"{len(corpus)} texts written")
