"""The daily report: sections of text, tables and figures, rendered as text and as HTML."""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs

__all__ = ["DailyReport", "Section", "format_table"]


@attrs.frozen
class Section:
    """One part of the report: a title, lines of text, an optional table and figures.

    ``figures`` are file names of PNGs written beside the HTML report.
    """

    title: str
    lines: tuple[str, ...] = ()
    headers: tuple[str, ...] = ()
    rows: tuple[tuple[Any, ...], ...] = ()
    figures: tuple[str, ...] = ()
    seconds: float = 0.0


@attrs.frozen
class DailyReport:
    """What :func:`~distcrm.workflows.daily_cycle` found, section by section."""

    title: str
    sections: tuple[Section, ...]
    results: dict[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    def section(self, title: str) -> Section:
        """The section with this title (``KeyError`` if absent)."""
        for s in self.sections:
            if s.title == title:
                return s
        raise KeyError(title)

    @property
    def figures(self) -> list[str]:
        """Every figure file name, in report order."""
        return [f for s in self.sections for f in s.figures]

    def to_text(self, width: int = 100) -> str:
        """The report as plain text for a terminal."""
        out = [self.title, "=" * min(width, len(self.title))]
        for s in self.sections:
            out.append("")
            out.append(f"## {s.title}")
            out.extend(s.lines)
            if s.rows:
                out.append(format_table(s.headers, s.rows))
        return "\n".join(out)

    def to_html(self) -> str:
        """The report as a standalone HTML page (figures referenced by file name)."""
        parts = [
            "<!doctype html><html><head><meta charset='utf-8'>",
            f"<title>{html.escape(self.title)}</title>",
            (
                "<style>body{font-family:system-ui,sans-serif;max-width:1100px;margin:2em auto;padding:0 1em}"
                "table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:3px 8px;"
                "text-align:right}th{background:#f3f3f3}td:first-child{text-align:left}"
                "img{max-width:100%;border:1px solid #eee;margin:.5em 0}</style></head><body>"
            ),
            f"<h1>{html.escape(self.title)}</h1>",
            "<ul>"
            + "".join(
                f"<li><a href='#s{i}'>{html.escape(s.title)}</a></li>" for i, s in enumerate(self.sections)
            )
            + "</ul>",
        ]
        for i, s in enumerate(self.sections):
            parts.append(f"<h2 id='s{i}'>{html.escape(s.title)}</h2>")
            parts.extend(f"<p>{html.escape(line)}</p>" for line in s.lines)
            if s.rows:
                parts.append(html_table(s.headers, s.rows))
            parts.extend(f"<img src='{html.escape(fig)}' alt='{html.escape(s.title)}'>" for fig in s.figures)
        parts.append("</body></html>")
        return "\n".join(parts)

    def write_html(self, folder: str | Path, name: str = "report.html") -> Path:
        """Write the HTML page into ``folder`` (where the figures already are)."""
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / name
        path.write_text(self.to_html(), encoding="utf-8")
        return path

    def _repr_html_(self) -> str:
        return self.to_html()


def _cell(v: Any) -> str:
    if isinstance(v, float):
        if v != v:  # NaN is never shown as a number
            return "–"
        return f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
    return str(v)


def _width(text: str) -> int:
    """Terminal columns ``text`` takes: East Asian wide characters take two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int, left: bool) -> str:
    fill = " " * max(0, width - _width(text))
    return text + fill if left else fill + text


def format_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A plain-text table with aligned columns.

    >>> print(format_table(["a", "b"], [(1, 2.5), ("xx", 10.0)]))
    a  |   b
    ---+----
    1  | 2.5
    xx |  10
    """
    cells = [[_cell(v) for v in r] for r in rows]
    widths = [max([_width(h), *(_width(r[i]) for r in cells)]) for i, h in enumerate(headers)]

    def line(vals: Sequence[str]) -> str:
        return " | ".join(
            _pad(v, w, left=i == 0) for i, (v, w) in enumerate(zip(vals, widths, strict=True))
        ).rstrip()

    sep = "-+-".join("-" * w for w in widths)
    return "\n".join([line(list(headers)), sep, *(line(r) for r in cells)])


def html_table(headers: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """An HTML table of the same cells as :func:`format_table`."""
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(_cell(v))}</td>" for v in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
