"""Seeds → topics and sources.

:func:`load_seeds` parses every file of a seed folder (README files and hidden files aside; see
:mod:`crawler.seedformats` for the shapes) and groups the seeds into topics:

1. a topic file (``*.toml``) or an OPML list defines a topic by name, with the seed files its
   ``seeds`` globs match;
2. a seed naming a ``topic`` (front matter, ``<topic>``) joins the topic of that name;
3. the other seeds join a topic, or each other, when their weighted keyword profiles are close
   (cosine similarity of the unit keyword vectors ≥ :data:`MERGE_SIMILARITY`); a topic formed
   this way is named after its most characteristic term, the top keyword that most seed titles
   share (``GPT-4o``), and topics that end up with the same name are one topic.

A topic's keywords are its explicit keywords (weight 3 unless given) and the terms its seeds
share, scaled so the best derived term weighs :data:`~crawler.relevance.DERIVED_MAX_WEIGHT`; the
titles of the pages the seeds cite count as half a seed. Each site cited by an ``article`` URL
becomes a :class:`Source` whose start URLs are the cited pages (feed and sitemap addresses go to
its feeds and sitemaps). A bad file never stops the others: it becomes a :class:`SeedProblem`.
"""

from __future__ import annotations

import fnmatch
import logging
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from crawler.relevance import DEFAULT_THRESHOLD, DERIVED_MAX_WEIGHT
from crawler.seedformats import parse_seed_file
from crawler.seedmodel import (
    CitedURL,
    Seed,
    SeedError,
    SeedProblem,
    SeedSet,
    Source,
    Topic,
    TopicSpec,
)
from crawler.seedvalues import slugify
from crawler.text import detect_language, extract_keywords, term_key
from crawler.urls import host_of, is_feed_url, is_sitemap_url, site_of

__all__ = [
    "CitedURL",
    "Seed",
    "SeedError",
    "SeedProblem",
    "SeedSet",
    "Source",
    "Topic",
    "TopicSpec",
    "load_seeds",
    "parse_seed_file",
    "seed_files",
]

logger = logging.getLogger(__name__)

MERGE_SIMILARITY = 0.3
TOPIC_KEYWORDS = 40
CITED_TITLES_FACTOR = 0.5


def _ignored(path: Path) -> bool:
    name = path.name
    return name.startswith(".") or name.endswith("~") or name.split(".")[0].upper() == "README"


def seed_files(directory: Path) -> list[Path]:
    """The seed files of a folder (recursively), in name order: README and hidden files aside."""
    files: list[Path] = []
    for path in sorted(directory.rglob("*")):
        relative = path.relative_to(directory)
        if any(part.startswith(".") for part in relative.parts[:-1]) or _ignored(path):
            continue
        if path.is_file() or (path.is_symlink() and not path.exists()):
            files.append(path)
    return files


def load_seeds(directory: Path) -> SeedSet:
    """Parse a seed folder into topics, seeds and problems. Raises :class:`SeedError` only when
    the folder itself is missing; a bad file is recorded as a problem and skipped."""
    directory = Path(directory)
    if not directory.is_dir():
        raise SeedError(f"{directory}: no such seed folder")
    result = SeedSet()
    for path in seed_files(directory):
        seeds, problems = parse_seed_file(path)
        result.seeds.extend(seeds)
        result.problems.extend(problems)
    result.topics = build_topics(result.seeds, result.problems)
    for problem in result.problems:
        log = logger.warning if problem.level == "error" else logger.info
        log("%s", problem)
    logger.info(
        "%s: %d seeds, %d topics, %d errors, %d warnings",
        directory,
        len(result.seeds),
        len(result.topics),
        len(result.errors),
        len(result.problems) - len(result.errors),
    )
    return result


# --- grouping -----------------------------------------------------------------------------------


@dataclass
class _Group:
    seeds: list[Seed] = field(default_factory=list)
    spec: TopicSpec | None = None
    name: str | None = None  # an explicit name (topic key)
    vector: dict[str, float] = field(default_factory=dict)

    @property
    def fixed(self) -> bool:
        return self.spec is not None or self.name is not None


def _unit(weights: dict[str, float]) -> dict[str, float]:
    vector: dict[str, float] = defaultdict(float)
    for term, weight in weights.items():
        vector[term_key(term)] += weight
    norm = math.sqrt(sum(w * w for w in vector.values())) or 1.0
    return {k: w / norm for k, w in vector.items()}


def _add(into: dict[str, float], vector: dict[str, float]) -> None:
    for key, weight in vector.items():
        into[key] = into.get(key, 0.0) + weight


def cosine(a: dict[str, float], b: dict[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    dot = sum(w * b.get(k, 0.0) for k, w in a.items())
    norm = math.sqrt(sum(w * w for w in a.values())) * math.sqrt(sum(w * w for w in b.values()))
    return dot / norm if norm else 0.0


def _merge_specs(seeds: list[Seed], problems: list[SeedProblem]) -> dict[str, _Group]:
    groups: dict[str, _Group] = {}
    for seed in seeds:
        for spec in seed.definitions:
            group = groups.get(spec.slug)
            if group is None:
                groups[spec.slug] = _Group(spec=spec)
                continue
            old = group.spec
            assert old is not None
            problems.append(
                SeedProblem(
                    spec.path,
                    None,
                    "warning",
                    f"topic {spec.name!r} is also defined in {old.path}; merged",
                )
            )
            for term, weight in spec.keywords.items():
                old.keywords[term] = max(weight, old.keywords.get(term, 0.0))
            old.exclude += [x for x in spec.exclude if x not in old.exclude]
            old.languages += [x for x in spec.languages if x not in old.languages]
            old.seed_globs += spec.seed_globs
            old.sources += spec.sources
            old.threshold = old.threshold if old.threshold is not None else spec.threshold
            if spec.since and (old.since is None or spec.since > old.since):
                old.since = spec.since
    return groups


def _claimed_by(seed: Seed, groups: dict[str, _Group]) -> _Group | None:
    for group in groups.values():
        spec = group.spec
        if spec is None or not spec.seed_globs:
            continue
        base = Path(spec.path).parent
        try:
            relative = Path(seed.path).relative_to(base).as_posix()
        except ValueError:
            continue
        if any(
            fnmatch.fnmatch(relative, g) or fnmatch.fnmatch(Path(seed.path).name, g)
            for g in spec.seed_globs
        ):
            return group
    return None


def _group_seeds(seeds: list[Seed], problems: list[SeedProblem]) -> list[_Group]:
    groups = _merge_specs(seeds, problems)
    loose: list[_Group] = []
    for seed in seeds:
        if seed.definitions:  # an OPML list may define several topics
            for slug in dict.fromkeys(d.slug for d in seed.definitions):
                groups[slug].seeds.append(seed)
            continue
        if seed.topic:
            slug = slugify(seed.topic)
            group = groups.setdefault(slug, _Group(name=seed.topic))
        else:
            group = _claimed_by(seed, groups)
        if group is None:
            loose.append(_Group(seeds=[seed], vector=_unit(seed.keywords)))
        else:
            group.seeds.append(seed)
    for group in groups.values():
        spec = group.spec
        if spec is not None and spec.seed_globs and len(group.seeds) <= 1:
            problems.append(
                SeedProblem(
                    spec.path, None, "warning", f"seeds = {spec.seed_globs} matches no seed file"
                )
            )
        group.vector = _unit(spec.keywords) if spec is not None else {}
        for seed in group.seeds:
            if not seed.definitions:
                _add(group.vector, _unit(seed.keywords))
    return _cluster([*groups.values(), *loose])


def _cluster(groups: list[_Group]) -> list[_Group]:
    """Merge the closest pair while it is close enough; two named topics never merge."""
    while True:
        best: tuple[float, int, int] | None = None
        for i, a in enumerate(groups):
            for j in range(i + 1, len(groups)):
                b = groups[j]
                if (a.fixed and b.fixed) or not a.vector or not b.vector:
                    continue
                similarity = cosine(a.vector, b.vector)
                if similarity >= MERGE_SIMILARITY and (best is None or similarity > best[0]):
                    best = (similarity, i, j)
        if best is None:
            return groups
        _, i, j = best
        keep, gone = (groups[j], groups[i]) if groups[j].fixed else (groups[i], groups[j])
        keep.seeds += gone.seeds
        _add(keep.vector, gone.vector)
        groups.remove(gone)


# --- topics -------------------------------------------------------------------------------------


_PUBLISHER_TAIL_RE = re.compile(r"\s+[|｜\-–—]\s+[^|｜\-–—]{1,40}$")


def headline(title: str) -> str:
    """A citation title without its publisher: ``Hello GPT-4o | OpenAI`` → ``Hello GPT-4o``."""
    stripped = _PUBLISHER_TAIL_RE.sub("", title).strip()
    return stripped if len(stripped) >= 8 else title


def _cited_titles_profile(seeds: list[Seed]) -> dict[str, float]:
    """The terms that at least two cited pages' titles share."""
    titles = sorted(
        {headline(u.title) for s in seeds for u in s.urls if u.title and u.kind != "image"}
    )
    if len(titles) < 2:
        return {}
    keywords = extract_keywords("\n".join(titles), top_k=20)
    keys = [term_key(t) for t in titles]
    return {t: w for t, w in keywords.items() if sum(term_key(t) in k for k in keys) >= 2}


def topic_keywords(spec: TopicSpec | None, seeds: list[Seed]) -> dict[str, float]:
    """Explicit keywords as given, then the terms the seeds share (mean weight over the seeds,
    scaled to at most DERIVED_MAX_WEIGHT), best first. The titles of the cited pages count as
    half a seed, unless a topic file lists keywords and no other seed joins it."""
    profiles = [(s.keywords, 1.0) for s in seeds if not s.definitions and s.keywords]
    from_titles = _cited_titles_profile(seeds) if profiles or not (spec and spec.keywords) else {}
    if from_titles:
        profiles.append((from_titles, CITED_TITLES_FACTOR))
    derived: dict[str, float] = defaultdict(float)
    support: Counter[str] = Counter()
    forms: dict[str, Counter[str]] = defaultdict(Counter)
    count = sum(factor for _, factor in profiles) or 1.0
    for keywords, factor in profiles:
        for term, weight in keywords.items():
            key = term_key(term)
            derived[key] += weight * factor / count
            support[key] += 1
            forms[key][term] += 1
    top = max(derived.values(), default=0.0) or 1.0
    if len(profiles) >= 3:  # with several seeds, a term only one uses must stand out or be a tag
        tags = {term_key(t) for s in seeds for t in s.tags}
        derived = defaultdict(
            float,
            {k: w for k, w in derived.items() if support[k] >= 2 or k in tags or w >= 0.3 * top},
        )
    explicit = {term_key(t): (t, w) for t, w in (spec.keywords if spec else {}).items()}
    excluded = {term_key(x) for x in (spec.exclude if spec else [])}
    result: dict[str, float] = {t: w for t, w in sorted(explicit.values(), key=lambda tw: -tw[1])}
    ranked = sorted(derived.items(), key=lambda kv: (-kv[1], kv[0]))
    for key, weight in ranked[:TOPIC_KEYWORDS]:
        if key in explicit or key in excluded:
            continue
        form = max(forms[key].items(), key=lambda fc: (fc[1], fc[0] != fc[0].lower()))[0]
        result[form] = round(weight / top * DERIVED_MAX_WEIGHT, 3)
    return result


def _characteristic_name(seeds: list[Seed], keywords: dict[str, float]) -> str:
    """The top keyword shared by most seed titles (ties: the heavier), e.g. ``GPT-4o``."""
    titles = [term_key(s.title) for s in seeds if s.title]
    best: tuple[int, float, str] | None = None
    for term, weight in list(keywords.items())[:15]:
        key = term_key(term)
        hits = sum(1 for title in titles if key and key in title)
        if best is None or (hits, weight) > best[:2]:
            best = (hits, weight, term)
    if best is not None and best[0] >= max(1, math.ceil(len(titles) / 2)):
        return best[2]
    if keywords:
        return next(iter(keywords))
    first = seeds[0]
    return first.title or Path(first.path).stem


def _languages(spec: TopicSpec | None, seeds: list[Seed]) -> list[str]:
    """The topic file's languages, else those of the seeds and of the pages they cite (as
    their titles tell), most frequent first."""
    if spec is not None and spec.languages:
        return list(spec.languages)
    counts = Counter(s.language for s in seeds if s.language and not s.definitions)
    cited: Counter[str] = Counter()
    for seed in seeds:
        for url in seed.urls:
            if url.kind == "article" and url.title:
                language = detect_language(url.title)
                if language:
                    cited[language] += 1
    ordered = [lang for lang, _ in counts.most_common()]
    return ordered + [lang for lang, _ in cited.most_common() if lang not in ordered]


def topic_sources(specs: list[TopicSpec], cited: list[CitedURL]) -> list[Source]:
    """One Source per site: explicit [[sources]] first, then every site an article URL cites."""
    sources: dict[str, Source] = {}
    for spec in specs:
        for source in spec.sources:
            entry = sources.setdefault(source.site, Source(site=source.site, host=source.host))
            for mine, theirs in (
                (entry.start_urls, source.start_urls),
                (entry.feeds, source.feeds),
                (entry.sitemaps, source.sitemaps),
            ):
                mine += [u for u in theirs if u not in mine]
    for url in cited:
        if url.kind != "article":
            continue
        site = site_of(url.url)
        entry = sources.setdefault(site, Source(site=site, host=host_of(site)))
        if is_feed_url(url.url):
            bucket = entry.feeds
        elif is_sitemap_url(url.url):
            bucket = entry.sitemaps
        else:
            bucket = entry.start_urls
        if url.url not in bucket:
            bucket.append(url.url)
    return list(sources.values())


def _all_cited(seeds: list[Seed]) -> list[CitedURL]:
    merged: dict[str, CitedURL] = {}
    for seed in seeds:
        for url in seed.urls:
            kept = merged.get(url.url)
            if kept is None:
                merged[url.url] = CitedURL(url.url, url.kind, url.title, url.date, url.line)
            else:
                kept.title = kept.title or url.title
                kept.date = kept.date or url.date
    return list(merged.values())


def _name(group: _Group, keywords: dict[str, float]) -> tuple[str, str]:
    if group.spec is not None:
        return group.spec.name, group.spec.slug
    name = group.name or _characteristic_name(group.seeds, keywords)
    return name, slugify(name)


def _topic(group: _Group) -> Topic:
    spec = group.spec
    keywords = topic_keywords(spec, group.seeds)
    name, slug = _name(group, keywords)
    specs = [d for s in group.seeds for d in s.definitions if d.slug == slug]
    dates = [s.date for s in group.seeds if s.date]
    since = spec.since if spec is not None and spec.since else (max(dates) if dates else None)
    threshold = spec.threshold if spec is not None else None
    cited = _all_cited(group.seeds)
    return Topic(
        name=name,
        slug=slug,
        keywords=keywords,
        exclude=list(spec.exclude) if spec else [],
        languages=_languages(spec, group.seeds),
        threshold=threshold if threshold is not None else DEFAULT_THRESHOLD,
        since=since,
        seeds=sorted(s.path for s in group.seeds),
        sources=topic_sources(specs or ([spec] if spec else []), cited),
        cited=cited,
    )


def build_topics(seeds: list[Seed], problems: list[SeedProblem]) -> list[Topic]:
    """Group seeds into topics (see the module docstring)."""
    groups = [g for g in _group_seeds(seeds, problems) if g.seeds]
    groups.sort(key=lambda g: not g.fixed)  # named topics first: same-named groups join them
    by_slug: dict[str, _Group] = {}
    for group in groups:
        _, slug = _name(group, topic_keywords(group.spec, group.seeds))
        if slug in by_slug:
            by_slug[slug].seeds += group.seeds
        else:
            by_slug[slug] = group
    topics = [_topic(group) for group in by_slug.values()]
    for topic in topics:
        if not topic.sources:
            problems.append(
                SeedProblem(
                    topic.seeds[0], None, "warning", f"topic {topic.name!r} has no sources to crawl"
                )
            )
    return topics
