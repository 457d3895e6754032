"""Same-story clusters: copies and different write-ups of one event become one entry."""

from __future__ import annotations

import random
import time
from datetime import UTC, datetime, timedelta

from digest.cluster import (
    COSINE_THRESHOLD,
    ClusterDoc,
    cluster_documents,
    cosine,
    simhash_distance,
    term_vectors,
)

MONDAY = datetime(2026, 11, 16, 9, 0, tzinfo=UTC)

# Two write-ups of one (invented) event, in different words, and a different story about the
# same company in the same week.
RECALL_A = (
    "Northwind Robotics recalls 40,000 Skylark delivery drones after battery fires",
    "Northwind Robotics is recalling about 40,000 Skylark delivery drones after a series of "
    "battery fires, the company said on Tuesday. Three warehouses in Ohio and Texas reported "
    "drones catching fire while charging. Northwind said the lithium packs came from a single "
    "supplier batch and that owners will get replacement batteries at no cost. The recall "
    "covers Skylark units built between March and July.",
)
RECALL_B = (
    "Skylark drone fires force Northwind into a 40,000-unit recall",
    "Battery fires in charging bays have pushed Northwind Robotics to pull roughly 40,000 of "
    "its Skylark drones from service. Fire crews were called to depots in Texas and Ohio this "
    "month. According to Northwind, a faulty batch of lithium cells from one supplier is to "
    "blame; customers will receive new battery packs free of charge. Units made from March to "
    "July are affected.",
)
FACTORY = (
    "Northwind Robotics opens a plant in Ohio to build warehouse arms",
    "Northwind Robotics opened a 60,000-square-metre plant near Columbus on Thursday, where it "
    "will assemble robotic arms for warehouses. The company expects to hire 900 workers over "
    "two years and said state tax credits helped choose the site. Its chief executive said "
    "demand from grocery chains had doubled since last spring.",
)
ZH_A = (
    "星河汽车召回1.2万辆星河S5，原因是电池包密封问题",
    "星河汽车周二宣布召回12000辆星河S5电动轿车。公司表示，部分车辆的电池包密封条在低温下可能"
    "开裂，雨水渗入后存在短路风险。召回车辆生产于今年1月至4月，车主可在附近门店免费更换密封条。"
    "目前尚未收到相关事故报告。",
)
ZH_B = (
    "电池包密封条或开裂，星河S5召回约1.2万辆",
    "因电池包密封条在寒冷天气中可能出现裂纹、导致进水短路，星河汽车决定召回约1.2万辆星河S5。"
    "涉及车辆为今年1月到4月生产，门店将免费为车主更换密封条。星河汽车称暂未发现因此引发的事故。",
)
ZH_OTHER = (
    "星河汽车发布第三季度财报，营收同比增长35%",
    "星河汽车周四公布第三季度业绩，营收达到86亿元，同比增长35%，毛利率提升至19%。公司表示，"
    "星河S5和新款SUV的销量带动了增长，预计第四季度交付量将超过5万辆。",
)


def doc(key: int, pair: tuple[str, str], *, days: float = 0.0, fp: int | None = None,
        language: str | None = None) -> ClusterDoc:
    title, text = pair
    return ClusterDoc(key=key, title=title, text=text, language=language, fingerprint=fp,
                      moment=MONDAY + timedelta(days=days))


def groups(docs: list[ClusterDoc]) -> list[list[int]]:
    return [[docs[i].key for i in cluster] for cluster in cluster_documents(docs)]


def test_two_write_ups_of_one_event_are_one_story_and_another_story_is_not() -> None:
    docs = [doc(1, RECALL_A), doc(2, FACTORY, days=0.5), doc(3, RECALL_B, days=1)]
    assert groups(docs) == [[1, 3], [2]]


def test_the_best_ranked_article_leads_its_story() -> None:
    assert groups([doc(3, RECALL_B), doc(1, RECALL_A)]) == [[3, 1]]


def test_chinese_write_ups_cluster_and_do_not_swallow_other_news() -> None:
    docs = [doc(1, ZH_A, language="zh"), doc(2, ZH_OTHER, language="zh"),
            doc(3, ZH_B, language="zh")]
    assert groups(docs) == [[1, 3], [2]]


def test_languages_are_not_forced_together() -> None:
    english = (
        "Xinghe Auto recalls 12,000 Xinghe S5 cars over battery seals",
        "Xinghe Auto is recalling 12,000 Xinghe S5 electric sedans because battery pack seals "
        "may crack in cold weather and let water in. Cars built from January to April are "
        "affected; dealers will replace the seals free of charge.",
    )
    assert groups([doc(1, ZH_A, language="zh"), doc(2, english, language="en")]) == [[1], [2]]


def test_the_same_words_a_week_apart_are_a_follow_up_not_the_same_story() -> None:
    assert groups([doc(1, RECALL_A), doc(2, RECALL_B, days=5)]) == [[1], [2]]


def test_a_copy_with_a_close_fingerprint_joins_whatever_its_words_or_date() -> None:
    fp = 0x5A5A_1234_F0F0_0F0F
    near = fp ^ 0b1_0110_0000_0011  # 5 bits apart
    far = fp ^ ((1 << 40) - 1)  # 40 bits apart
    docs = [doc(1, RECALL_A, fp=fp), doc(2, FACTORY, fp=far), doc(3, ZH_OTHER, days=9, fp=near)]
    assert simhash_distance(fp, near) == 5
    assert groups(docs) == [[1, 3], [2]]


def test_no_chains_a_story_does_not_drift_away_from_its_lead() -> None:
    words = "zorbax quintel ferrovia plumbago marlinspike gossamer tallow"
    a, b, c, d, e, f, g = words.split()
    docs = [
        ClusterDoc(key=1, title="", text=f"{a} {b} {c} {d}", moment=MONDAY),
        ClusterDoc(key=2, title="", text=f"{c} {d} {e} {f}", moment=MONDAY),
        ClusterDoc(key=3, title="", text=f"{e} {f} {g} {a}x", moment=MONDAY),
    ]
    vectors = term_vectors(docs)
    assert cosine(vectors[0], vectors[1]) >= COSINE_THRESHOLD
    assert cosine(vectors[1], vectors[2]) >= COSINE_THRESHOLD
    assert cosine(vectors[0], vectors[2]) == 0.0
    assert groups(docs) == [[1, 2], [3]]


def test_signed_and_unsigned_fingerprints_compare_alike() -> None:
    unsigned = (1 << 63) | 0b1011
    signed = unsigned - (1 << 64)
    assert simhash_distance(unsigned, signed) == 0


def test_vectors_are_unit_length_and_figures_count() -> None:
    vectors = term_vectors([doc(1, RECALL_A), doc(2, RECALL_B), doc(3, FACTORY)])
    for vector in vectors:
        assert abs(sum(w * w for w in vector.values()) - 1.0) < 1e-9
    assert "#40000" in vectors[0] and "#40000" in vectors[1]
    assert cosine(vectors[0], vectors[1]) >= COSINE_THRESHOLD > cosine(vectors[0], vectors[2])


def test_deterministic_and_every_document_once() -> None:
    docs = [doc(i, pair, days=i * 0.1) for i, pair in
            enumerate([RECALL_A, FACTORY, RECALL_B, ZH_A, ZH_OTHER, ZH_B])]
    first = cluster_documents(docs)
    assert first == cluster_documents(list(docs))
    assert sorted(i for cluster in first for i in cluster) == list(range(len(docs)))


def _synthetic_week(n: int, seed: int = 7) -> list[ClusterDoc]:
    """``n`` distinct articles, half Chinese, with a shared topical vocabulary and a few
    same-story groups: a stand-in for a busy week's candidates."""
    rnd = random.Random(seed)
    vocabulary = [
        "".join(rnd.choice("bcdfghjklmnprstvwz") + rnd.choice("aeiou") for _ in range(3))
        for _ in range(4000)
    ]
    topical = ["openai", "gpt-4o", "voice", "model", "api", "launch", "users", "pricing"]
    hanzi = [chr(c) for c in range(0x4E00, 0x4E00 + 3000)]
    docs = []
    for i in range(n):
        story = random.Random(i // 3) if i % 7 == 0 else rnd
        if i % 2:
            words = [rnd.choice(topical) if rnd.random() < 0.1 else story.choice(vocabulary)
                     for _ in range(220)]
            text, title = " ".join(words), " ".join(words[:9])
        else:
            chars = [story.choice(hanzi) for _ in range(700)]
            text, title = "".join(chars), "GPT-4o " + "".join(chars[:18])
        docs.append(ClusterDoc(key=i, title=title, text=text, fingerprint=rnd.getrandbits(64),
                               moment=MONDAY + timedelta(hours=rnd.randint(0, 160))))
    return docs


def test_three_hundred_candidates_cluster_well_under_half_a_second() -> None:
    docs = _synthetic_week(300)
    cluster_documents(docs[:5])  # load the tokenizer's tables once
    best = min(_timed(docs) for _ in range(3))
    assert best < 0.5, f"clustering 300 candidates took {best:.2f} s of CPU"


def _timed(docs: list[ClusterDoc]) -> float:
    """CPU seconds (other processes on a busy machine do not count)."""
    started = time.process_time()
    cluster_documents(docs)
    return time.process_time() - started
