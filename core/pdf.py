"""Printable documents: a record's print template as HTML (browser) and as a PDF (WeasyPrint).

A print template is a Jinja2 HTML file that extends ``print/base.html`` (A4,
the company's letterhead, page numbers, Chinese in Noto CJK). The same
template gives the print view in the browser and the PDF, so what the user
previews is what is printed::

    from core.pdf import render_pdf, print_routes

    data = render_pdf(env, "pricing/print_quote.html", quote, lines=lines)   # bytes, b"%PDF..."

    # in an addon's views.py: GET /pricing/quotes/<id>/print and /print.pdf
    print_routes(bp, Quote, "pricing/print_quote.html", "/quotes/<int:id>/print", context=quote_print_context)

* **Rights first**: :func:`render_html` and :func:`render_pdf` read the record
  again through ``env.get`` (company, access right, record rules); a record
  the user cannot read raises :class:`~core.errors.AccessDenied` (the web
  shell answers 403) and nothing is rendered.
* **Templates** are looked up in the kernel's ``core/web/templates`` and each
  loaded addon's ``templates/`` folder, rendered with Tixi's translation path
  (:mod:`core.i18n`) in the reader's language, inside a request or outside one
  (jobs, report subscriptions, benchmarks): no Flask context is needed.
* **Fonts**: through fontconfig family names ("Noto Sans CJK SC", "Noto Serif
  CJK SC", Debian's ``fonts-noto-cjk``), embedded as subsets in the PDF.
* **Nothing from the network**: :func:`local_url_fetcher` serves ``data:`` URLs
  and files of the kernel's and the addons' ``static`` folders; every other
  URL is refused (WeasyPrint logs it and leaves the resource out).
* **Letterhead**: the company's names in both languages (``core_company``)
  plus the optional ``[letterhead]`` settings of the instance's
  ``config.toml`` (:data:`LETTERHEAD_KEYS`; a ``[letterhead.<company code>]``
  table overrides them for one company; ``logo`` is a PNG/JPEG/SVG file in the
  instance folder, embedded as a ``data:`` URL).
"""

from __future__ import annotations

import base64
import datetime as dt
import logging
import re
import weakref
import zlib
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlparse

import jinja2

from core.config import PROJECT_ROOT
from core.i18n import current_lang, label, translate, use_lang
from core.i18n import gettext as _gettext
from core.i18n import ngettext as _ngettext

if TYPE_CHECKING:
    from core.security.env import Env

log = logging.getLogger(__name__)

__all__ = [
    "FONT_SANS",
    "FONT_SERIF",
    "LETTERHEAD_KEYS",
    "Letterhead",
    "checked_record",
    "html_to_pdf",
    "letterhead",
    "local_url_fetcher",
    "pdf_font_names",
    "pdf_response",
    "print_routes",
    "render_html",
    "render_pdf",
    "render_document",
    "rendered_text",
    "url_allowed",
]

#: fontconfig family names of Debian's ``fonts-noto-cjk`` (never fetched from the network)
FONT_SANS = '"Noto Sans CJK SC", "Noto Sans CJK", sans-serif'
FONT_SERIF = '"Noto Serif CJK SC", "Noto Serif CJK", serif'

#: the optional letterhead settings of ``config.toml`` (``[letterhead]`` / ``[letterhead.<code>]``)
LETTERHEAD_KEYS = ("address_zh", "address_en", "phone", "email", "website", "logo")

KERNEL_TEMPLATES = PROJECT_ROOT / "core" / "web" / "templates"
KERNEL_STATIC = PROJECT_ROOT / "core" / "web" / "static"
LOGO_MAX_BYTES = 1024 * 1024
_LOGO_TYPES = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".svg": "image/svg+xml"}


# ----- access --------------------------------------------------------------------------------
def checked_record(env: Env, record: Any) -> Any:
    """``record`` read again through ``env.get``: :class:`AccessDenied` when the user cannot read it.

    A record loaded past the rules (``env.sudo()``) or from another company
    is refused like any other read.
    """
    model = type(record)
    return env.get(model, record.id)


# ----- letterhead ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Letterhead:
    """What the top of every printed page shows for the current company."""

    name_zh: str
    name_en: str
    address_zh: str = ""
    address_en: str = ""
    phone: str = ""
    email: str = ""
    website: str = ""
    #: a ``data:`` URL of the logo (embedded), or ""
    logo: str = ""

    def address(self, lang: str) -> str:
        """The address in ``lang`` (else the other language's)."""
        first, other = (self.address_zh, self.address_en) if lang.startswith("zh") else (self.address_en, self.address_zh)
        return first or other

    def as_dict(self) -> dict[str, str]:
        """The fields as a dict (templates, tests)."""
        return asdict(self)


def _logo_data_url(path: Path) -> str:
    kind = _LOGO_TYPES.get(path.suffix.lower())
    if kind is None or not path.is_file() or path.stat().st_size > LOGO_MAX_BYTES:
        log.warning("letterhead logo %s ignored (a PNG, JPEG or SVG file of at most 1 MB)", path)
        return ""
    return f"data:{kind};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def letterhead_settings(env: Env) -> dict[str, Any]:
    """The ``[letterhead]`` settings of the instance for the current company (may be empty)."""
    instance = getattr(env.registry, "instance", None)
    if instance is None:
        return {}
    raw = instance.config().get("letterhead") or {}
    if not isinstance(raw, Mapping):
        return {}
    from core.models import Company

    # the company's own row: its code names its letterhead table
    company = env.sudo().get(Company, env.company_id)
    out = {k: v for k, v in raw.items() if k in LETTERHEAD_KEYS and isinstance(v, str)}
    own = raw.get(company.code)
    if isinstance(own, Mapping):
        out.update({k: v for k, v in own.items() if k in LETTERHEAD_KEYS and isinstance(v, str)})
    if out.get("logo"):
        logo = Path(out["logo"])
        out["logo"] = str(logo if logo.is_absolute() else instance.path / logo)
    return out


def letterhead(env: Env, settings: Mapping[str, Any] | None = None) -> Letterhead:
    """The current company's letterhead: its names from ``core_company`` plus the settings.

    ``settings`` (default: :func:`letterhead_settings`) may hold the keys of
    :data:`LETTERHEAD_KEYS`; ``logo`` is a file path, embedded as a data URL.
    """
    from core.models import Company

    # the letterhead is the company's identity: printed for whoever prints a record
    company = env.sudo().get(Company, env.company_id)
    values = dict(letterhead_settings(env) if settings is None else settings)
    logo = values.pop("logo", "") or ""
    if logo and not str(logo).startswith("data:"):
        logo = _logo_data_url(Path(logo))
    extra = {k: str(values[k]) for k in LETTERHEAD_KEYS if k in values and k != "logo" and values[k]}
    return Letterhead(name_zh=company.name_zh, name_en=company.name_en, logo=logo, **extra)


# ----- templates -----------------------------------------------------------------------------
def format_number(value: Any, places: int = 2, lang: str | None = None) -> str:
    """A Decimal (or number) with ``places`` decimals, grouped per locale: ``12,345.60``."""
    if value is None or value == "":
        return ""
    # zh_CN and en group by thousands with "," and use "." for decimals, and babel's
    # quantization rounds half-even like Decimal's own formatting: the same text as
    # babel.numbers.format_decimal("#,##0.00"), about 15x faster (reports format
    # tens of thousands of cells; tests/test_pdf.py compares both)
    return format(value if isinstance(value, Decimal) else Decimal(str(value)), f",.{max(places, 0)}f")


def format_day(value: Any) -> str:
    """A date as ``2026-11-16`` (a datetime: its date), "" for None."""
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return value.isoformat() if isinstance(value, dt.date) else str(value)


def format_cell(value: Any) -> str:
    """Any value of a record for print: Yes/No, grouped numbers (a Decimal keeps its decimals), dates."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return _gettext("Yes") if value else _gettext("No")
    if isinstance(value, Decimal):
        exponent = value.as_tuple().exponent
        return format_number(value, max(0, -exponent) if isinstance(exponent, int) else 2)
    if isinstance(value, int):
        return format_number(value, 0)
    if isinstance(value, dt.date):
        return format_day(value)
    return str(value)


_environments: weakref.WeakKeyDictionary[Any, tuple[frozenset[str], jinja2.Environment]] = weakref.WeakKeyDictionary()


def template_folders(registry: Any) -> list[Path]:
    """The kernel's template folder, then each loaded addon's ``templates/``."""
    folders = [KERNEL_TEMPLATES]
    for name in getattr(registry, "modules", {}):
        manifest = registry.manifests.get(name)
        if manifest is not None and (manifest.path / "templates").is_dir():
            folders.append(manifest.path / "templates")
    return folders


def static_folders(registry: Any) -> list[Path]:
    """Folders :func:`local_url_fetcher` may read: the kernel's and the loaded addons' ``static/``."""
    folders = [KERNEL_STATIC]
    for name in getattr(registry, "modules", {}):
        manifest = registry.manifests.get(name)
        if manifest is not None and (manifest.path / "static").is_dir():
            folders.append(manifest.path / "static")
    return [f.resolve() for f in folders]


def jinja_environment(registry: Any) -> jinja2.Environment:
    """The print templates' Jinja2 environment of a registry (cached while its addons stay loaded)."""
    loaded = frozenset(getattr(registry, "modules", {}))
    cached = _environments.get(registry)
    if cached is not None and cached[0] == loaded:
        return cached[1]
    jenv = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(f) for f in template_folders(registry)]),
        autoescape=jinja2.select_autoescape(["html", "xml"], default_for_string=True),
        extensions=["jinja2.ext.i18n"],
        trim_blocks=True,
        lstrip_blocks=True,
    )
    jenv.install_gettext_callables(_gettext, _ngettext, newstyle=True)  # type: ignore[attr-defined]
    jenv.globals.update(number=format_number, day=format_day, cell=format_cell, tr=label, FONT_SANS=FONT_SANS, FONT_SERIF=FONT_SERIF)
    _environments[registry] = (loaded, jenv)
    return jenv


def page_label(lang: str) -> str:
    """The CSS ``content`` of the page-number footer: ``"第 " counter(page) " 页，共 " ...``."""
    text = translate("Page %(page)s of %(pages)s", lang, page="\x00page\x00", pages="\x00pages\x00")
    css = '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
    return css.replace("\x00page\x00", '" counter(page) "').replace("\x00pages\x00", '" counter(pages) "')


def render_html(env: Env, template: str, record: Any, *, screen: bool = False, **context: Any) -> str:
    """The print template rendered for ``record`` in the reader's language (HTML text).

    The record is read again through ``env.get`` first (:class:`AccessDenied`
    if the user cannot read it). The template receives ``record``, ``env``,
    ``lang``, ``letterhead`` (:class:`Letterhead`), ``today``, ``screen``
    (True for the browser's print view), ``page_label`` and ``context``'s
    entries; helpers ``_``, ``number``, ``day``, ``cell``, ``tr``.
    """
    record = checked_record(env, record)
    lang = current_lang(env)
    with use_lang(lang):
        values: dict[str, Any] = {
            "env": env, "record": record, "lang": lang, "screen": screen, "today": dt.date.today(),
            "page_label": page_label(lang),
        }
        values.update(context)
        if "letterhead" not in values:
            values["letterhead"] = letterhead(env)
        elif isinstance(values["letterhead"], Mapping):
            values["letterhead"] = letterhead(env, values["letterhead"])
        return jinja_environment(env.registry).get_template(template).render(values)


def render_pdf(env: Env, template: str, record: Any, **context: Any) -> bytes:
    """The PDF (A4, letterhead, page numbers, Noto CJK) of ``record`` from a print template.

    Refused with :class:`AccessDenied` when the user cannot read the record.
    """
    html = render_html(env, template, record, screen=False, **context)
    return html_to_pdf(html, static_folders(env.registry))


def render_document(env: Env, template: str, record: Any, **context: Any) -> Any:
    """The laid-out WeasyPrint ``Document`` (pages, boxes) of :func:`render_pdf` (tests, previews)."""
    from weasyprint import HTML

    html = render_html(env, template, record, screen=False, **context)
    roots = static_folders(env.registry)
    return HTML(string=html, base_url=str(KERNEL_STATIC), url_fetcher=local_url_fetcher(roots)).render()


# ----- PDF -----------------------------------------------------------------------------------
def url_allowed(url: str, roots: Iterable[Path]) -> bool:
    """Whether a printed document may load ``url``: a ``data:`` URL or a file inside ``roots``."""
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme == "data":
        return True
    if scheme != "file":
        return False
    path = Path(unquote(urlparse(url).path)).resolve()
    return any(path.is_relative_to(Path(root).resolve()) for root in roots)


_fetcher_class: type | None = None


def local_url_fetcher(roots: Iterable[Path] = (KERNEL_STATIC,)) -> Any:
    """A WeasyPrint URL fetcher that never leaves the machine (see :func:`url_allowed`).

    ``data:`` URLs are served; ``file:`` URLs only inside ``roots`` (the static
    folders); anything else (``http:``, ``https:``, ``ftp:``, a file elsewhere)
    raises :class:`ValueError`, which WeasyPrint logs while leaving the
    resource out of the document. WeasyPrint is imported on first use only
    (it takes more than a second to import).
    """
    global _fetcher_class
    if _fetcher_class is None:
        from weasyprint.urls import URLFetcher

        class LocalURLFetcher(URLFetcher):
            """WeasyPrint's fetcher restricted to ``data:`` URLs and files inside ``roots``."""

            def __init__(self, roots: Iterable[Path]) -> None:
                super().__init__(timeout=5, allowed_protocols={"data", "file"}, allow_redirects=False)
                self.roots = [Path(r).resolve() for r in roots]

            def fetch(self, url: str, headers: Any = None) -> Any:
                """The resource at ``url``; :class:`ValueError` for a URL that is not local."""
                if not url_allowed(url, self.roots):
                    raise ValueError(f"refused non-local URL in a printed document: {url[:200]}")
                return super().fetch(url, headers)

        _fetcher_class = LocalURLFetcher
    return _fetcher_class(roots)


def html_to_pdf(html: str, roots: Iterable[Path] = (KERNEL_STATIC,)) -> bytes:
    """PDF bytes of an HTML document; only local resources (:func:`local_url_fetcher`)."""
    from weasyprint import HTML

    return HTML(string=html, base_url=str(KERNEL_STATIC), url_fetcher=local_url_fetcher(roots)).write_pdf()


_STREAM_RE = re.compile(rb"stream\r?\n")
_BASEFONT_RE = re.compile(rb"/BaseFont\s*/([^\s/<>\[\]()]+)")


def pdf_font_names(data: bytes) -> set[str]:
    """The ``/BaseFont`` names of a PDF (its streams inflated): e.g. ``ABCDEF+Noto-Sans-CJK-SC``."""
    chunks = [data]
    for m in _STREAM_RE.finditer(data):
        end = data.find(b"endstream", m.end())
        if end < 0:
            continue
        try:
            chunks.append(zlib.decompressobj().decompress(data[m.end():end]))
        except zlib.error:
            continue
    return {name.decode("latin-1") for chunk in chunks for name in _BASEFONT_RE.findall(chunk)}


def rendered_text(document: Any) -> str:
    """The text of a laid-out WeasyPrint document, page after page (what the PDF shows)."""
    out: list[str] = []

    def walk(box: Any) -> None:
        text = getattr(box, "text", None)
        if text:
            out.append(text)
        for child in getattr(box, "children", None) or ():
            walk(child)
        for child in getattr(box, "margin_boxes", None) or ():
            walk(child)

    for page in document.pages:
        walk(page._page_box)  # noqa: SLF001 - WeasyPrint's documented way to reach the boxes
    return "\n".join(out)


# ----- web -----------------------------------------------------------------------------------
def pdf_response(data: bytes, filename: str, inline: bool = True) -> Any:
    """A Flask response carrying a PDF (shown in the browser, or downloaded with ``inline=False``)."""
    from urllib.parse import quote

    from flask import Response

    ascii_name = re.sub(r"[^A-Za-z0-9._-]+", "_", filename) or "document.pdf"
    disposition = "inline" if inline else "attachment"
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}",
        "Cache-Control": "private, no-store",
    })


def print_routes(
    bp: Any,
    model: type,
    template: str,
    rule: str,
    *,
    context: Callable[[Env, Any], Mapping[str, Any]] | None = None,
    filename: Callable[[Any], str] | None = None,
    endpoint: str = "print",
) -> tuple[str, str]:
    """Add the print view (``rule``) and the PDF (``rule + ".pdf"``) of a model to a blueprint.

    ``rule`` holds ``<int:id>``; the record is read with ``g.env.get`` (403
    when out of reach); ``context(env, record)`` gives the template's extra
    values. Returns the two endpoint names, e.g. ``("pricing.quote_print",
    "pricing.quote_print_pdf")`` for ``endpoint="quote_print"``::

        print_routes(bp, Quote, "pricing/print_quote.html", "/quotes/<int:id>/print",
                     context=quote_print_context, endpoint="quote_print")
    """
    def _values(env: Env, record: Any) -> dict[str, Any]:
        return dict(context(env, record)) if context is not None else {}

    def view(id: int) -> Any:  # noqa: A002 - the rule's variable
        from flask import g, request, url_for

        env = g.env
        record = env.get(model, id)
        referrer = request.referrer or ""
        back = referrer if referrer.startswith(request.host_url) else ""  # only back to this site
        return render_html(env, template, record, screen=True, back_url=back,
                           pdf_url=url_for(f"{bp.name}.{endpoint}_pdf", id=id), **_values(env, record))

    def pdf(id: int) -> Any:  # noqa: A002
        from flask import g

        env = g.env
        record = env.get(model, id)
        data = render_pdf(env, template, record, **_values(env, record))
        name = filename(record) if filename is not None else f"{model.__tablename__}_{id}.pdf"
        return pdf_response(data, name)

    view.__name__ = endpoint
    view.__doc__ = f"Print view of a {model.__tablename__} record (the PDF's template in the browser)."
    pdf.__name__ = f"{endpoint}_pdf"
    pdf.__doc__ = f"PDF of a {model.__tablename__} record (A4, letterhead, page numbers)."
    bp.add_url_rule(rule, endpoint=endpoint, view_func=view)
    bp.add_url_rule(rule + ".pdf", endpoint=f"{endpoint}_pdf", view_func=pdf)
    return f"{bp.name}.{endpoint}", f"{bp.name}.{endpoint}_pdf"
