"""demoweb: a realistic multi-host fixture web on loopback.

Three or more sites (an English news site, a Chinese GBK news portal, a bilingual blog) with
feeds, sitemaps, robots.txt, boilerplate-rich article pages and deliberate faults, generated
deterministically from sentence banks. Used by the crawler's tests, ``make demo`` and benchmarks::

    from demoweb import FixtureWeb

    with FixtureWeb(hosts=("127.0.0.2", "127.0.0.3", "127.0.0.4")) as web:
        print(web.base_url("127.0.0.2"))
        truth = web.expected_articles()
"""

from __future__ import annotations

from .server import DEFAULT_HOSTS, FixtureWeb, LoggedRequest
from .world import TZ, WEEK_STARTS, WEEKS, ExpectedArticle, clock_now, week_end, week_of

__all__ = [
    "DEFAULT_HOSTS",
    "TZ",
    "WEEKS",
    "WEEK_STARTS",
    "ExpectedArticle",
    "FixtureWeb",
    "LoggedRequest",
    "clock_now",
    "week_end",
    "week_of",
]
