"""Small server-side SVG charts: no JavaScript, no library, nothing fetched from elsewhere."""

from __future__ import annotations

import math

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT = 760, 300
LEFT, RIGHT, TOP, BOTTOM = 48, 56, 28, 58
RECEIVED_COLOUR, WITHIN_COLOUR, MEDIAN_COLOUR = "#7a8ea6", "#2e7d32", "#c45a00"


TICKS = 4  # both axes share the grid: four intervals each


def _axis_max(value: float, *, whole: bool) -> float:
    """The smallest round top (TICKS × step) at or above `value`; whole steps for counts."""
    raw = max(value, 1) / TICKS
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 1.5, 2, 2.5, 3, 5, 10):
        step = factor * power
        if step >= raw and (not whole or step == int(step)):
            return step * TICKS
    return 10 * power * TICKS  # pragma: no cover - the loop always returns


def _number(value: float) -> str:
    return f"{round(value, 2):g}"


def weekly_chart_svg(weeks: list[dict], *, title: str = "Weekly response numbers") -> SafeString:
    """Grouped bars (received, answered within the promise) and a line (median first
    response, business hours, right axis) per week of `weekly_response_numbers`.

    Every piece of text is escaped before it goes into the markup.
    """
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    count_max = _axis_max(max([w["received"] for w in weeks] + [0]), whole=True)
    medians = [w["median_first_response_hours"] for w in weeks]
    hours_max = _axis_max(max([m for m in medians if m is not None] + [0]), whole=False)
    slot = plot_w / max(1, len(weeks))
    bar = min(28.0, slot * 0.35)
    # Labels ("2026-W15") need about 64 px: on long periods only every n-th week has one.
    label_every = max(1, math.ceil(64 / slot))

    def y_count(value: float) -> float:
        return TOP + plot_h - value / count_max * plot_h

    def y_hours(value: float) -> float:
        return TOP + plot_h - value / hours_max * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="weekly-chart" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" width="100%" '
        f'aria-labelledby="weekly-chart-title">',
        f'<title id="weekly-chart-title">{escape(title)}</title>',
        '<g font-family="sans-serif" font-size="11" fill="currentColor">',
    ]
    # Grid and both axes' labels: questions on the left, business hours on the right.
    for i in range(TICKS + 1):
        share = i / TICKS
        y = TOP + plot_h - share * plot_h
        out.append(
            f'<line x1="{LEFT}" y1="{y:.1f}" x2="{LEFT + plot_w}" y2="{y:.1f}" '
            f'stroke="#ccc" stroke-width="{1 if i == 0 else 0.5}"/>'
        )
        out.append(
            f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end">'
            f"{escape(_number(count_max * share))}</text>"
        )
        out.append(
            f'<text x="{LEFT + plot_w + 6}" y="{y + 4:.1f}" fill="{MEDIAN_COLOUR}">'
            f"{escape(_number(hours_max * share))} h</text>"
        )
    points = []
    for index, week in enumerate(weeks):
        centre = LEFT + slot * index + slot / 2
        for offset, key, colour, label in (
            (-bar, "received", RECEIVED_COLOUR, "received"),
            (0.0, "within_promise", WITHIN_COLOUR, "answered within the promise"),
        ):
            top = y_count(week[key])
            out.append(
                f'<rect x="{centre + offset:.1f}" y="{top:.1f}" width="{bar:.1f}" '
                f'height="{TOP + plot_h - top:.1f}" fill="{colour}">'
                f"<title>{escape(week['week'])}: {escape(week[key])} {escape(label)}</title>"
                "</rect>"
            )
        if index % label_every == 0:
            out.append(
                f'<text x="{centre:.1f}" y="{TOP + plot_h + 16}" text-anchor="middle">'
                f"{escape(week['week'])}</text>"
            )
        median = week["median_first_response_hours"]
        if median is not None:
            points.append((centre, y_hours(median), week["week"], median))
    if len(points) > 1:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y, _, _ in points)
        out.append(
            f'<polyline points="{path}" fill="none" stroke="{MEDIAN_COLOUR}" stroke-width="2"/>'
        )
    for x, y, week, median in points:
        out.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3.5" fill="{MEDIAN_COLOUR}">'
            f"<title>{escape(week)}: median first response "
            f"{escape(_number(median))} business hours</title></circle>"
        )
    legend_y = HEIGHT - 14
    for x, colour, label in (
        (LEFT, RECEIVED_COLOUR, "received"),
        (LEFT + 110, WITHIN_COLOUR, "answered within the promise"),
        (LEFT + 320, MEDIAN_COLOUR, "median first response (business hours, right axis)"),
    ):
        out.append(f'<rect x="{x}" y="{legend_y - 9}" width="10" height="10" fill="{colour}"/>')
        out.append(f'<text x="{x + 14}" y="{legend_y}">{escape(label)}</text>')
    out.append("</g></svg>")
    # Safe: the markup above is ours and every interpolated text went through escape().
    return mark_safe("".join(out))  # noqa: S308  # nosec B308
