"""Plotly figures from plain lists: no requests, no database, so every chart is tested as a pure function.

Only bar and scatter traces: plotly.js's basic bundle (the one we serve) draws nothing else. Colours are the
Okabe–Ito palette, distinguishable with the common forms of colour blindness, and the text on every chart
(title, axis titles, bar labels) makes sense when the chart is seen out of context, on a phone or in print.
"""

from collections.abc import Sequence
from dataclasses import dataclass

import plotly.graph_objects as go

from .disclosure.rules import WITHHELD

# Okabe & Ito (2008), "Color Universal Design"; black first for a single series.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
AREA_COLOURS = {"Prevention": "#0072B2", "Detection": "#E69F00", "Response": "#009E73"}
TOTAL_COLOUR = "#6b6b6b"
TEXT_COLOUR = "#212529"
FONT = "system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif"

# Passed to Plotly.newPlot by static/js/charts.js; the mode bar is off (the CSV and table carry the data).
CONFIG = {"responsive": True, "displayModeBar": False, "displaylogo": False}


@dataclass(frozen=True)
class Bar:
    """One bar: `value` is None when the figure is withheld (suppressed) or was not published."""

    label: str
    value: float | None
    denominator: int | None = None
    suppressed: bool = False


def _years_axis() -> dict:
    """The x axis of a chart over survey years: one category per year, so a missing year leaves a gap."""
    return {"title": {"text": "Survey year"}, "type": "category", "fixedrange": True, "automargin": True}


# Layout sizes shared with static/js/charts.js, which re-wraps labels and recomputes heights for the width
# the chart actually gets (a phone's 320 px to a desktop's 1440 px).
TITLE_LINE = 22  # px per line of the 17 px title
LABEL_LINE = 18  # px per line of a 14 px label
BAR_MIN = 40  # px per bar, however short its label
AXIS_SPACE = 60  # px below the plot for the tick labels and the axis title


def _layout(*, title: str, height: int, **extra) -> dict:
    return {
        # Sitting on the plot area and growing upwards into the top margin static/js/charts.js makes for
        # the lines a wrapped title takes; automargin is the safety net should the estimate be short.
        "title": {
            "text": title,
            "x": 0,
            "xanchor": "left",
            "xref": "container",
            "y": 1,
            "yanchor": "bottom",
            "yref": "paper",
            "pad": {"b": 10},
            "automargin": True,
            "font": {"size": 17},
        },
        "font": {"family": FONT, "size": 14, "color": TEXT_COLOUR},
        "height": height,
        "autosize": True,
        "margin": {"l": 10, "r": 30, "t": 20 + TITLE_LINE, "b": AXIS_SPACE},
        "paper_bgcolor": "#ffffff",
        "plot_bgcolor": "#ffffff",
        "separators": ".,",
        "hoverlabel": {"font": {"family": FONT}},
        **extra,
    }


def wrap_lines(label: str, width: int = 28) -> list[str]:
    """A long label as lines of at most `width` characters (a longer word keeps its own line)."""
    lines, line = [], ""
    for word in label.split():
        if line and len(line) + 1 + len(word) > width:
            lines.append(line)
            line = word
        else:
            line = f"{line} {word}".strip()
    lines.append(line)
    return lines


def wrap(label: str, width: int = 28) -> str:
    """Break a long label into lines for Plotly (which does not wrap), so bars stay wide on a phone."""
    return "<br>".join(wrap_lines(label, width))


def bars_height(labels: Sequence[str], *, width: int = 28) -> int:
    """The height of a horizontal bar chart whose labels wrap at `width`: each bar as tall as its label."""
    # Plotly gives every bar the same slot, so the tallest label sets the height of each.
    tallest = max((len(wrap_lines(label, width)) for label in labels), default=1)
    return 20 + TITLE_LINE + AXIS_SPACE + max(len(labels), 1) * max(BAR_MIN, LABEL_LINE * tallest + 14) + 10


def _legend_below(names: Sequence[str]) -> tuple[dict, int]:
    """A legend listed under the x axis title (never over it), and the bottom margin that holds it."""
    lines = sum(len(wrap_lines(name, 60)) for name in names)
    legend = {
        "orientation": "v",
        "x": 0,
        "xanchor": "left",
        "y": 0,
        "yanchor": "bottom",
        "yref": "container",
        "traceorder": "normal",
    }
    return legend, AXIS_SPACE + 16 + LABEL_LINE * lines + 8 * len(names)


def _number(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{float(value):.1f}"


def members_bar(*, title: str, bars: Sequence[Bar], threshold: int) -> go.Figure:
    """Horizontal bars of 'N of M members' for one group; a withheld bar is an annotation, never a zero."""
    denominators = [bar.denominator for bar in bars if bar.denominator]
    top = max(denominators) if denominators else max((bar.value or 0 for bar in bars), default=0) or 1
    labels = [wrap(bar.label) for bar in bars]
    values = [None if bar.suppressed else bar.value for bar in bars]
    plain_labels = [bar.label for bar in bars]
    texts = [
        ""
        if bar.suppressed or bar.value is None
        else (f"{_number(bar.value)} of {bar.denominator} asked" if bar.denominator else _number(bar.value))
        for bar in bars
    ]
    annotations = [
        {
            "x": 0,
            "y": index,
            "xref": "x",
            "yref": "y",
            "text": WITHHELD if bar.suppressed else "not published",
            "showarrow": False,
            "xanchor": "left",
            "font": {"style": "italic", "color": TEXT_COLOUR},
        }
        for index, bar in enumerate(bars)
        if bar.suppressed or bar.value is None
    ]
    figure = go.Figure(
        data=[
            go.Bar(
                orientation="h",
                x=values,
                y=labels,
                text=texts,
                # Inside the end of a bar longer than half the axis, after a shorter one: either way the
                # label has half the plot's width, so it never runs off the chart nor shrinks on a phone.
                textposition=["inside" if (value or 0) >= top / 2 else "outside" for value in values],
                textangle=0,
                constraintext="none",
                insidetextanchor="end",
                insidetextfont={"color": "#ffffff"},
                outsidetextfont={"color": TEXT_COLOUR},
                cliponaxis=False,
                marker={"color": OKABE_ITO[0]},
                hovertemplate="%{y}: %{text}<extra></extra>",
                name="Members",
            )
        ],
        layout=_layout(
            title=title,
            height=bars_height(plain_labels),
            meta={"labels": plain_labels},
            xaxis={
                "title": {"text": f"Number of members (of {top})" if denominators else "Number of members"},
                "range": [0, top * 1.15],
                "rangemode": "tozero",
                "gridcolor": "#e3e3e3",
                "zeroline": True,
                "zerolinecolor": "#6b6b6b",
                "fixedrange": True,
            },
            yaxis={"autorange": "reversed", "automargin": True, "fixedrange": True, "type": "category"},
            annotations=annotations,
            showlegend=False,
            bargap=0.3,
        ),
    )
    return figure


def trend_lines(
    *, title: str, years: Sequence[int], series: Sequence[tuple[str, Sequence[float | None]]], y_title: str
) -> go.Figure:
    """One line per series across years; None is a gap in the line (a year without a value), never a zero."""
    x = [str(year) for year in years]
    traces = [
        go.Scatter(
            x=x,
            y=list(values),
            name=label,
            mode="lines+markers",
            connectgaps=False,
            line={
                "color": OKABE_ITO[i % len(OKABE_ITO)],
                "width": 3,
                "dash": ("solid", "dash", "dot")[i % 3],
            },
            marker={"size": 9, "symbol": ("circle", "square", "diamond", "triangle-up")[i % 4]},
            hovertemplate=f"{label}, %{{x}}: %{{y}}<extra></extra>",
        )
        for i, (label, values) in enumerate(series)
    ]
    names = [label for label, _ in series]
    legend, bottom = _legend_below(names)
    return go.Figure(
        data=traces,
        layout=_layout(
            title=title,
            height=20 + TITLE_LINE + 300 + bottom,
            meta={"names": names, "plot_height": 300},
            xaxis=_years_axis(),
            yaxis={
                "title": {"text": y_title},
                "automargin": True,
                "rangemode": "tozero",
                "gridcolor": "#e3e3e3",
                "fixedrange": True,
            },
            legend=legend,
            margin={"l": 10, "r": 30, "t": 20 + TITLE_LINE, "b": bottom},
        ),
    )


def mileposts_by_area(
    *,
    years: Sequence[int],
    areas: Sequence[tuple[str, Sequence[float | None]]],
    totals: Sequence[float | None],
) -> go.Figure:
    """Mileposts advanced per year, stacked by area; a year published only as a total shows the total."""
    x = [str(year) for year in years]
    split = [any(values[i] is not None for _, values in areas) for i in range(len(years))]
    traces = [
        go.Bar(
            x=x,
            y=[values[i] if split[i] else None for i in range(len(years))],
            name=label,
            marker={"color": AREA_COLOURS.get(label, OKABE_ITO[n % len(OKABE_ITO)])},
            hovertemplate=f"{label}, %{{x}}: %{{y}} mileposts<extra></extra>",
        )
        for n, (label, values) in enumerate(areas)
    ]
    if not all(split):
        traces.append(
            go.Bar(
                x=x,
                y=[None if split[i] else totals[i] for i in range(len(years))],
                name="All areas (not split by area that year)",
                marker={"color": TOTAL_COLOUR},
                hovertemplate="All areas, %{x}: %{y} mileposts<extra></extra>",
            )
        )
    annotations = [
        # Bold through the font, not <b>: plotly.js writes rich-text tags as style attributes, which the CSP blocks.
        {
            # By category index: a year string like "2024" would be read as a number on a category axis.
            "x": i,
            "y": total,
            "text": _number(total),
            "showarrow": False,
            "yanchor": "bottom",
            "font": {"weight": 700},
        }
        for i, total in enumerate(totals)
        if total is not None
    ]
    names = [trace.name for trace in traces]
    legend, bottom = _legend_below(names)
    return go.Figure(
        data=traces,
        layout=_layout(
            title="Mileposts advanced by members each year, by area",
            height=20 + TITLE_LINE + 300 + bottom,
            meta={"names": names, "plot_height": 300},
            barmode="stack",
            xaxis=_years_axis(),
            yaxis={
                "title": {"text": "Mileposts advanced"},
                "automargin": True,
                "rangemode": "tozero",
                "gridcolor": "#e3e3e3",
                "fixedrange": True,
            },
            annotations=annotations,
            legend=legend,
            margin={"l": 10, "r": 30, "t": 20 + TITLE_LINE, "b": bottom},
        ),
    )


def as_json(figure: go.Figure) -> dict:
    """The figure as plain JSON data for `json_script`, with the config static/js/charts.js passes on."""
    data = figure.to_plotly_json()
    data["layout"].pop("template", None)
    return {"data": data["data"], "layout": data["layout"], "config": CONFIG}
