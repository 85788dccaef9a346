"""Crawl the web shell as one user and check what every reachable page shows.

Used by the whole-product tests (``tests/web/test_demo_crawl.py``) and usable by
any addon's tests: :func:`crawl` follows every same-site link of every page a
user can reach from the home page (GET only, a few samples per URL shape), and
records what answered. Two checks read the result:

* :func:`dead_ends`: a link the shell offered that answers 403, 404 or 5xx is a
  dead end (a menu item or button the user may see but not use);
* :func:`raw_codes`: on a Chinese page, visible text that is a code rather than
  a word (``core.group_director``, a bare state code such as ``draft``, an ISO
  timestamp, ``2,026年``, a percentage with four decimals, an English UI word).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any
from urllib.parse import parse_qsl, urljoin, urlsplit

#: Links never followed: they end the session or change the user's settings.
SKIP_PREFIXES = ("/logout", "/static/", "/language", "/login", "/password")
#: Answers only asked for, never parsed (files: their status is what counts).
FILE_SUFFIXES = (".xlsx", ".pdf", ".csv", ".png", ".jpg", ".zip")

_ID_SEGMENT = re.compile(r"/\d+(?=/|$)")


@dataclass
class Page:
    """One answer of the crawl: where it was linked from and what it said."""

    url: str
    status: int
    referrer: str
    html: str = ""


@dataclass
class CrawlResult:
    """Every page visited by one user, in visiting order."""

    login: str
    pages: list[Page] = field(default_factory=list)

    def html_pages(self) -> list[Page]:
        """The pages that answered 200 with HTML."""
        return [p for p in self.pages if p.status == 200 and p.html]


class _Links(HTMLParser):
    """Collect ``<a href>`` targets and the visible text of a page."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.text: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "template", "noscript", "code", "pre", "textarea"):
            self._hidden += 1
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.links.append(href)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "template", "noscript", "code", "pre", "textarea") and self._hidden:
            self._hidden -= 1

    def handle_data(self, data: str) -> None:
        if not self._hidden and data.strip():
            self.text.append(data.strip())


def url_shape(url: str) -> str:
    """A URL with its numeric path segments and query values left out (``/orders/<id>?state``)."""
    parts = urlsplit(url)
    keys = ",".join(sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)}))
    return _ID_SEGMENT.sub("/<id>", parts.path) + (f"?{keys}" if keys else "")


def crawl(client: Any, login: str, start: str = "/", *, per_shape: int = 2, max_pages: int = 400,
          skip: Callable[[str], bool] | None = None) -> CrawlResult:
    """Visit every page reachable from ``start`` with ``client`` (a logged-in Flask test client).

    At most ``per_shape`` URLs of each :func:`url_shape` are visited (the first
    ones found), and ``max_pages`` in all; ``skip`` leaves out more URLs.
    """
    result = CrawlResult(login)
    queue: list[tuple[str, str]] = [(start, "")]
    seen: set[str] = {start}
    shapes: dict[str, int] = {}
    while queue and len(result.pages) < max_pages:
        url, referrer = queue.pop(0)
        answer = client.get(url)
        is_html = answer.mimetype == "text/html"
        page = Page(url, answer.status_code, referrer, answer.get_data(as_text=True) if is_html else "")
        result.pages.append(page)
        if answer.status_code != 200 or not is_html:
            continue
        parser = _Links()
        parser.feed(page.html)
        for href in parser.links:
            target = _same_site(url, href)
            if target is None or target in seen or target.startswith(SKIP_PREFIXES) or (skip and skip(target)):
                continue
            seen.add(target)
            shape = url_shape(target)
            if shapes.get(shape, 0) >= per_shape:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            queue.append((target, url))
    return result


def _same_site(base: str, href: str) -> str | None:
    if href.startswith(("#", "javascript:", "mailto:", "tel:", "data:")):
        return None
    parts = urlsplit(urljoin("http://tixi.local" + base, href))
    if parts.netloc != "tixi.local":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def dead_ends(result: CrawlResult) -> list[str]:
    """Links offered to the user that answer 403, 404 or a server error, as readable lines."""
    return [f"{result.login}: {p.url} -> {p.status} (linked from {p.referrer or 'start'})"
            for p in result.pages if p.status in (403, 404) or p.status >= 500]


def visible_text(html: str) -> str:
    """The text a reader sees on a page: tags, scripts, styles and code blocks left out."""
    parser = _Links()
    parser.feed(html)
    return "\n".join(parser.text)


#: Shapes of text that are codes, not words, on a Chinese page.
RAW_CODE_PATTERNS: dict[str, re.Pattern[str]] = {
    "dotted code": re.compile(r"\b[a-z][a-z0-9]*\.[a-z][a-z0-9]*_[a-z0-9_]+\b"),
    "ISO timestamp": re.compile(r"\b\d{4}-\d{2}-\d{2}T\d{2}:\d{2}"),
    "year with a thousands separator": re.compile(r"\b\d,\d{3}\s*年"),
    "percentage with four decimals": re.compile(r"\d\.\d{4}\s*%"),
    "English word": re.compile(r"(?<![\w@.\-/])[A-Za-z][a-z]{2,}(?![\w@.\-/])"),
}


def raw_codes(result: CrawlResult, *, allowed_words: Iterable[str] = (),
              data_text: Iterable[str] = ()) -> list[str]:
    """Code-like tokens in the visible text of every Chinese page of ``result``.

    ``allowed_words`` are ASCII words that are not UI text (``Excel``, the
    product's name); ``data_text`` are texts that are data, left out of every
    line before it is read (English names of records, logins, e-mail
    addresses): a customer's English name is not an untranslated label.
    """
    words = {w.lower() for w in allowed_words}
    data_by_word: dict[str, list[str]] = {}  # a word -> the data texts holding it
    for text in set(data_text):
        for m in re.finditer(r"[A-Za-z]+", text or ""):
            data_by_word.setdefault(m.group(0), []).append(text)
    found: dict[tuple[str, str], str] = {}
    for page in result.html_pages():
        if 'lang="zh' not in page.html[:400]:
            continue
        for line in visible_text(page.html).splitlines():
            for kind, pattern in RAW_CODE_PATTERNS.items():
                for m in pattern.finditer(line):
                    token = m.group(0)
                    if kind == "English word" and (token.lower() in words or any(
                            text in line for text in data_by_word.get(token, ()))):
                        continue
                    found.setdefault((kind, token), f"{result.login}: {url_shape(page.url)}: {kind} "
                                                    f"{token!r} in {line[:80]!r}")
    return sorted(found.values())
