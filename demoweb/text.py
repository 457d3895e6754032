"""Deterministic composition of titles, article bodies and comments from the sentence banks.

An article is fully determined by its seed: :func:`compose` draws, in a fixed order, the
article-specific details (names, places, numbers), the title, the lead and the body, so the same
seed always gives the same text, and the title can be computed cheaply without the body.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from types import ModuleType

from . import banks_en, banks_zh

BANKS: dict[str, ModuleType] = {"en": banks_en, "zh": banks_zh}

#: Subtopics of the on-topic family (GPT-4o) and the off-topic families.
SUBTOPICS: tuple[str, ...] = tuple(banks_en.GPT4O)
OFF_TOPICS: tuple[str, ...] = tuple(banks_en.OFF)
ON_TOPIC = "gpt4o"


@dataclass(frozen=True, slots=True)
class Comment:
    """One reader comment under an article."""

    author: str
    time: datetime
    text: str


@dataclass(frozen=True, slots=True)
class Composition:
    """The text of one article: title, lead (first sentence) and paragraphs."""

    title: str
    lead: str
    paragraphs: tuple[str, ...]


PEOPLE_SLOTS = ("person", "person2", "official", "player", "coach", "chef")
TEAM_SLOTS = ("team", "team2", "team3")
#: slot -> (index of its 16 bits, bank list it picks from)
SIMPLE_SLOTS: dict[str, tuple[int, str]] = {
    "org": (10, "ORGS"), "org_b": (11, "ORGS"), "org2": (12, "ANALYSTS"), "city": (13, "CITIES"),
    "stadium": (14, "STADIUMS"), "dish": (15, "DISHES"), "ingredient": (16, "INGREDIENTS"),
    "restaurant": (17, "RESTAURANTS"), "station": (18, "STATIONS"), "region": (19, "REGIONS"),
}
#: slot -> (index of its 16 bits, low, high)
RANGE_SLOTS: dict[str, tuple[int, int, int]] = {
    "n": (20, 3, 12), "pct": (21, 8, 62), "ms": (22, 230, 900), "langs": (23, 20, 58),
    "minute": (24, 52, 94), "round": (25, 6, 30), "stations_n": (26, 4, 15),
    "year": (27, 2027, 2030), "temp_hi": (28, 16, 27), "temp_lo": (29, -6, 5),
    "rain_mm": (30, 40, 180), "wind": (31, 7, 10),
}


class Context(dict[str, str]):
    """Article-specific slot values (names, places, numbers), computed on first use.

    Every slot is derived from its own bits of one 1024-bit random block drawn from the article's
    generator, so the values do not depend on which slots are used or in what order, and building
    a title costs only the slots the title names.
    """

    def __init__(self, lang: str, bits: int, published: datetime) -> None:
        super().__init__()
        self.lang = lang
        self.bits = bits
        self.published = published

    def _n(self, index: int) -> int:
        return (self.bits >> (16 * index)) & 0xFFFF

    def _pick(self, index: int, values: list[str]) -> str:
        return values[self._n(index) % len(values)]

    def _range(self, index: int, low: int, high: int) -> int:
        return low + self._n(index) % (high - low + 1)

    def _distinct(self, index: int, values: list[str], count: int) -> list[str]:
        out: list[str] = []
        k = self._n(index)
        step = 1 + self._n(index + 1) % max(1, len(values) - 1)
        while len(out) < count:
            value = values[k % len(values)]
            if value in out:
                k += 1
                continue
            out.append(value)
            k += step
        return out

    def _people(self) -> list[str]:
        bank = BANKS[self.lang]
        if self.lang == "zh":
            surnames = self._distinct(0, bank.SURNAMES, 6)
            given = [self._pick(2 + i, bank.GIVEN_NAMES) for i in range(6)]
            return [a + b for a, b in zip(surnames, given, strict=True)]
        first = self._distinct(0, bank.FIRST_NAMES, 6)
        last = [self._pick(2 + i, bank.LAST_NAMES) for i in range(6)]
        return [f"{a} {b}" for a, b in zip(first, last, strict=True)]

    def __missing__(self, key: str) -> str:
        value = self._compute(key)
        self[key] = value
        return value

    def _compute(self, key: str) -> str:  # noqa: C901 - one branch per slot
        bank = BANKS[self.lang]
        zh = self.lang == "zh"
        if key in PEOPLE_SLOTS:
            self.update(zip(PEOPLE_SLOTS, self._people(), strict=True))
            return self[key]
        if key in TEAM_SLOTS:
            self.update(zip(TEAM_SLOTS, self._distinct(8, bank.TEAMS, 3), strict=True))
            return self[key]
        if key in SIMPLE_SLOTS:
            index, attr = SIMPLE_SLOTS[key]
            return self._pick(index, getattr(bank, attr))
        if key in RANGE_SLOTS:
            return str(self._range(*RANGE_SLOTS[key]))
        if key == "big":
            big = self._range(32, 2, 900) * 1000
            return (f"{big // 10000}万" if big >= 10000 else str(big)) if zh else f"{big:,}"
        if key in ("users", "users_yi"):
            users = self._range(33, 40, 95) * 10
            return str(users) if key == "users" else f"{users / 100:g}"
        if key in ("price_in", "price_out"):
            price = (1.25, 2.0, 2.5, 3.75, 5.0)[self._n(34) % 5]
            return f"{price:.2f}" if key == "price_in" else f"{price * 4:.2f}"
        if key == "score":
            a = self._range(35, 1, 4)
            b = self._n(36) % a
            return f"{a}比{b}" if zh else f"{a}-{b}"
        if key == "crowd":
            crowd = self._range(37, 8000, 62000)
            return str(crowd) if zh else f"{crowd:,}"
        if key == "minutes":
            return str(self._range(38, 4, 18) * 5)
        if key == "grams":
            return str(self._range(39, 4, 16) * 50)
        if key == "price":
            return f"{self._range(40, 18, 98)}元" if zh else f"${self._range(40, 9, 38)}"
        if key == "line":
            k = self._range(41, 2, 19)
            return f"{k}号线" if zh else f"Line {k}"
        if key == "km":
            return f"{self._range(42, 52, 286) / 10:.1f}"
        if key == "riders":
            riders = self._range(43, 30, 400) * 1000
            return f"{riders / 10000:g}万" if zh else f"{riders:,}"
        if key == "fare":
            if zh:
                return f"{self._range(44, 3, 6)}元"
            return "$" + ("2.40", "2.80", "3.10")[self._n(44) % 3]
        if key == "day":
            when = self.published
            return f"{when.month}月{when.day}日" if zh else banks_en.WEEKDAYS[when.weekday()]
        raise KeyError(key)


def make_context(lang: str, rng: random.Random, published: datetime) -> Context:
    """Article-specific slot values; draws exactly one block of bits from ``rng``."""
    return Context(lang, rng.getrandbits(1024), published)


class _Fallback(dict[str, str]):
    """Overrides on top of a :class:`Context` (missing keys are looked up in the context)."""

    def __init__(self, overrides: dict[str, str], base: Context) -> None:
        super().__init__(overrides)
        self.base = base

    def __missing__(self, key: str) -> str:
        return self.base[key]


def _family(lang: str, topic: str, sub: str) -> dict[str, list[str]]:
    bank = BANKS[lang]
    return bank.GPT4O[sub] if topic == ON_TOPIC else bank.OFF[topic]


def compose_title(
    lang: str, topic: str, sub: str, rng: random.Random, published: datetime
) -> tuple[str, Context, int]:
    """Draw the context and the title (the first draws from an article's generator).

    Returns the title, the context and the title's index (the lead with the same index
    opens the article)."""
    ctx = make_context(lang, rng, published)
    titles = _family(lang, topic, sub)["titles"]
    index = rng.randrange(len(titles))
    return titles[index].format_map(ctx), ctx, index


def compose(
    lang: str,
    topic: str,
    sub: str,
    seed: int,
    published: datetime,
    *,
    long: bool = False,
) -> Composition:
    """Compose the full article for ``seed``: 4-10 paragraphs of 1-5 sentences (7-10 longer
    paragraphs when ``long``)."""
    rng = random.Random(seed)
    title, ctx, index = compose_title(lang, topic, sub, rng, published)
    bank = BANKS[lang]
    family = _family(lang, topic, sub)
    lead = family["leads"][index].format_map(ctx)
    main = list(family["body"])
    if topic == ON_TOPIC:
        size = rng.randint(4, 6) + (2 if long else 0)
    else:
        size = rng.randint(6, 9) + (3 if long else 0)
    pool = [s.format_map(ctx) for s in rng.sample(main, min(size, len(main)))]
    if topic == ON_TOPIC:
        # sentences from a second subtopic speak of other people and organisations
        other_ctx = _Fallback({"person": ctx["official"], "org": ctx["org_b"]}, ctx)
        other = rng.choice([s for s in SUBTOPICS if s != sub])
        pool += [s.format_map(other_ctx) for s in rng.sample(bank.GPT4O[other]["body"], 3)]
        pool += [s.format_map(ctx) for s in rng.sample(bank.GPT4O_COMMON, rng.randint(1, 3))]
    pool += [s.format_map(ctx) for s in rng.sample(bank.GENERIC, rng.randint(1, 3))]
    rng.shuffle(pool)
    sentences = [lead, *pool]
    total = len(sentences)
    per_para = rng.uniform(2.6, 3.6) if long else rng.uniform(1.7, 2.8)
    n_paras = max(7 if long else 4, min(10, round(total / per_para)))
    cuts = sorted(rng.sample(range(1, total), n_paras - 1))
    joiner = "" if lang == "zh" else " "
    paragraphs = []
    start = 0
    for end in [*cuts, total]:
        paragraphs.append(joiner.join(sentences[start:end]))
        start = end
    return Composition(title=title, lead=lead, paragraphs=tuple(paragraphs))


def lead_of(lang: str, topic: str, sub: str, seed: int, published: datetime) -> str:
    """The lead sentence alone (cheap: no body composition)."""
    rng = random.Random(seed)
    _, ctx, index = compose_title(lang, topic, sub, rng, published)
    return _family(lang, topic, sub)["leads"][index].format_map(ctx)


def comment_author(lang: str, rng: random.Random) -> str:
    """A plausible reader handle."""
    bank = BANKS[lang]
    if lang == "zh":
        style = rng.randint(0, 2)
        if style == 0:
            return f"{rng.choice(bank.CITIES)}网友{rng.randint(100, 9999)}"
        if style == 1:
            return f"用户{rng.randint(100000, 999999)}"
        return rng.choice(bank.SURNAMES) + rng.choice(bank.GIVEN_NAMES)
    first = rng.choice(bank.FIRST_NAMES)
    style = rng.randint(0, 2)
    if style == 0:
        return f"{first.lower()}{rng.randint(1, 99)}"
    if style == 1:
        return f"{first}_{rng.choice(bank.LAST_NAMES)[0]}"
    return f"{first} {rng.choice(bank.LAST_NAMES)}"


_POOLS: dict[str, list[tuple[str, str]]] = {}


def comment_pool(lang: str) -> list[tuple[str, str]]:
    """A fixed pool of 600 (author, text) reader comments per language, built once."""
    pool = _POOLS.get(lang)
    if pool is None:
        rng = random.Random(f"comments-{lang}")
        pool = [(c.author, c.text) for c in comments(lang, rng, 600, datetime(2026, 1, 1))]
        _POOLS[lang] = pool
    return pool


def comments(lang: str, rng: random.Random, count: int, after: datetime) -> list[Comment]:
    """``count`` reader comments posted after ``after``."""
    bank = BANKS[lang]
    out = []
    when = after
    for _ in range(count):
        when = when + timedelta(minutes=rng.randint(3, 240))
        text = rng.choice(bank.COMMENT_OPENERS) + rng.choice(bank.COMMENTS)
        if rng.random() < 0.3:
            text += ("" if lang == "zh" else " ") + rng.choice(bank.COMMENTS)
        out.append(Comment(comment_author(lang, rng), when, text))
    return out
