"""Checks one served feed as a feed reader would read it.

Usage: check-feeds.py FILE URL CONTENT_TYPE EXPECTED_ENTRIES [CURRENT_URL]
       check-feeds.py --prev-archive FILE
RSS and Atom go through Python feedparser: no error of any kind (bozo == 0). feedparser 6.0
(Debian 12) does not read JSON Feed, so JSON Feed is checked against the 1.1 spec's required
fields with the json module. Either way: EXPECTED_ENTRIES entries with unique ids, and a self link
to URL (the host it was requested on). With CURRENT_URL the file is an RFC 5005 archive document:
RSS and Atom must carry <fh:archive/> and a `current` link to CURRENT_URL (the subscription feed),
JSON Feed must name CURRENT_URL as its feed_url. --prev-archive prints the document's link to the
next older archive (atom:link rel="prev-archive", or JSON Feed's next_url), or nothing.
"""
import json
import re
import sys
import xml.etree.ElementTree as ET

import feedparser

ATOM = "{http://www.w3.org/2005/Atom}"
ARCHIVE_MARKER = "{http://purl.org/syndication/history/1.0}archive"


def feed_element(text):
    """The element that holds feed-level metadata: Atom's <feed>, RSS's <channel>."""
    root = ET.fromstring(text)
    return root if root.tag == f"{ATOM}feed" else root.find("channel")


def history_links(text):
    return {link.get("rel"): link.get("href") for link in feed_element(text).findall(f"{ATOM}link")}


def prev_archive(text):
    if text.lstrip().startswith(b"{"):
        return json.loads(text).get("next_url") or ""
    return history_links(text).get("prev-archive") or ""


def check_archive(text, current, content_type):
    if content_type.startswith("application/feed+json"):
        feed_url = json.loads(text).get("feed_url")
        return [] if feed_url == current else [f"archive page feed_url {feed_url!r}, expected {current}"]
    problems = []
    if feed_element(text).find(ARCHIVE_MARKER) is None:
        problems.append("no <fh:archive/>")
    found = history_links(text).get("current")
    if found != current:
        problems.append(f"current link {found!r}, expected {current}")
    return problems

RFC_3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")


def check_json_feed(text, url):
    feed = json.loads(text)
    problems = []
    if feed.get("version") != "https://jsonfeed.org/version/1.1":
        problems.append(f"version {feed.get('version')!r}")
    if not feed.get("title"):
        problems.append("no title")
    if feed.get("feed_url") != url:
        problems.append(f"feed_url {feed.get('feed_url')!r}")
    items = feed.get("items", [])
    for item in items:
        if not isinstance(item.get("id"), str) or not (item.get("content_html") or item.get("content_text")):
            problems.append(f"item without id or content: {item.get('url')}")
        for key in ("date_published", "date_modified"):
            if key in item and not RFC_3339.match(item[key]):
                problems.append(f"{key} {item[key]!r} is not RFC 3339")
    return "json1.1", [item.get("id") for item in items], problems


def check_with_feedparser(text, url, content_type):
    # The served Content-Type matters: feedparser flags a feed served with a non-feed type.
    parsed = feedparser.parse(text, response_headers={"content-location": url, "content-type": content_type})
    problems = [f"bozo: {parsed.bozo_exception!r}"] if parsed.bozo else []
    self_links = [link.get("href") for link in parsed.feed.get("links", []) if link.get("rel") == "self"]
    if url not in self_links:
        problems.append(f"no self link to {url} (found {self_links})")
    return parsed.version or "unknown format", [entry.get("id") for entry in parsed.entries], problems


if sys.argv[1] == "--prev-archive":
    with open(sys.argv[2], "rb") as body:
        print(prev_archive(body.read()))
    sys.exit(0)

path, url, content_type, expected = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
current = sys.argv[5] if len(sys.argv) > 5 else None
with open(path, "rb") as body:
    text = body.read()
if content_type.startswith("application/feed+json"):
    # An archive page names the subscription feed as its feed_url (checked below), not itself.
    version, ids, problems = check_json_feed(text, current or url)
    checker = "json      "
else:
    version, ids, problems = check_with_feedparser(text, url, content_type)
    checker = "feedparser"
if current is not None:
    problems.extend(check_archive(text, current, content_type))
if len(ids) != expected:
    problems.append(f"{len(ids)} entries, expected {expected}")
if None in ids or len(set(ids)) != len(ids):
    problems.append("entry ids missing or repeated")

if problems:
    print(f"{checker} FAIL {url} ({version}): " + "; ".join(problems))
    sys.exit(1)
print(f"{checker} ok   {url} ({version}, {len(ids)} entries)")
