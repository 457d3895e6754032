"""Serve the fixture web until Ctrl-C.

``python -m demoweb --hosts 127.0.0.2,127.0.0.3,127.0.0.4 --port 8700 --week 1 [--scale N]``
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading

from .server import DEFAULT_HOSTS, FixtureWeb


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, start the web, print the base URLs and wait for Ctrl-C."""
    parser = argparse.ArgumentParser(prog="python -m demoweb",
                                     description="Serve the seedwire fixture web on loopback.")
    parser.add_argument("--hosts", default=",".join(DEFAULT_HOSTS),
                        help="comma-separated loopback addresses, three or more "
                             "(default: %(default)s)")
    parser.add_argument("--port", type=int, default=0, help="shared port (default: a free one)")
    parser.add_argument("--week", type=int, default=1, help="clock: 0, 1 or 2 (default: 1)")
    parser.add_argument("--scale", type=int, default=1, help="articles multiplier (default: 1)")
    parser.add_argument("--seed", type=int, default=0, help="content seed (default: 0)")
    parser.add_argument("--page-kb", default=None, metavar="LOW,HIGH",
                        help="pad article pages to LOW..HIGH KB (default: natural size)")
    parser.add_argument("--crawl-delay", type=float, default=1.0,
                        help="Crawl-delay of the Chinese news host's robots.txt (default: 1)")
    parser.add_argument("--topic", action="store_true",
                        help="also print a seedwire topic file for this web")
    args = parser.parse_args(argv)
    hosts = tuple(h.strip() for h in args.hosts.split(",") if h.strip())
    page_kb = None
    if args.page_kb:
        low, high = (int(v) for v in args.page_kb.split(","))
        page_kb = (low, high)
    try:
        web = FixtureWeb(hosts=hosts, port=args.port, week=args.week, scale=args.scale,
                         seed=args.seed, page_kb=page_kb, crawl_delay=args.crawl_delay)
        web.start()
    except (ValueError, OSError) as error:
        print(f"demoweb: {error}", file=sys.stderr)
        return 2
    total = len(web.expected_articles())
    print(f"demoweb: week {web.week}, {total} articles, serving:", flush=True)
    for site in web.world.sites:
        print(f"  {web.base_url(site.host)}/  {site.name} ({site.kind})", flush=True)
    if args.topic:
        print(web.topic_toml(), flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        while not done.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    web.stop()
    print("demoweb: stopped", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
