"""The chart of papers per closed week on the archive index: a small SVG written here by hand (a
few dozen lines of markup need no library, and its bytes stay the same from run to run)."""

from __future__ import annotations

from collections.abc import Sequence

from mapdaily_cli.model import Week
from mapdaily_cli.site.xmltext import escape

WIDTH, HEIGHT, TOP, BOTTOM, LEFT = 800, 200, 20, 24, 36


def weeks_svg(counts: Sequence[tuple[Week, int]]) -> str:
    """Bars of the papers of each closed week (``counts`` newest first), oldest on the left, a
    year under the first week of each, and every bar's week and count as its title (a tooltip)."""
    weeks = list(reversed(counts))
    most = max((n for _, n in weeks), default=0) or 1
    slot = (WIDTH - LEFT) / max(len(weeks), 1)
    plot = HEIGHT - TOP - BOTTOM
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}"'
        f' viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-family="sans-serif" font-size="11">',
        f"<title>Papers per week, {len(weeks)} closed week{'s' if len(weeks) != 1 else ''}</title>",
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="#ffffff"/>',
        f'<text x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" fill="#555555">{most}</text>',
        f'<text x="{LEFT - 4}" y="{TOP + plot}" text-anchor="end" fill="#555555">0</text>',
        f'<line x1="{LEFT}" y1="{TOP + plot}" x2="{WIDTH}" y2="{TOP + plot}" stroke="#999999"/>',
    ]
    year = None
    for i, (week, n) in enumerate(weeks):
        x = LEFT + i * slot
        h = round(plot * n / most, 1)
        width = max(round(slot * 0.8, 2), 0.5)
        label = escape(f"{week.label}: {n} paper{'s' if n != 1 else ''}")
        out.append(
            f'<rect x="{round(x, 2)}" y="{round(TOP + plot - h, 1)}" width="{width}" height="{h}"'
            f' fill="#3b75af"><title>{label}</title></rect>'
        )
        if week.iso[0] != year:
            year = week.iso[0]
            out.append(f'<text x="{round(x, 2)}" y="{HEIGHT - 8}" fill="#555555">{year}</text>')
    return "\n".join([*out, "</svg>"]) + "\n"
