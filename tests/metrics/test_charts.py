"""Chart functions are pure: plain lists in, Plotly figures out; no database."""

import plotly.graph_objects as go

from metrics import charts, report


def test_members_bar_is_horizontal_with_n_of_m_labels():
    figure = charts.members_bar(
        title="Image hashing, 2025",
        bars=[charts.Bar("Microsoft PhotoDNA", 37, 57), charts.Bar("PDQ (Meta, open source)", 13, 57)],
        threshold=5,
    )

    assert isinstance(figure, go.Figure)
    bar = figure.data[0]
    assert bar.orientation == "h"
    assert list(bar.x) == [37, 13]
    assert list(bar.text) == ["37 of 57 asked", "13 of 57 asked"]
    assert figure.layout.xaxis.title.text == "Number of members (of 57)"
    assert figure.layout.title.text == "Image hashing, 2025"
    assert figure.layout.yaxis.autorange == "reversed"  # first measure on top, in report order


def test_suppressed_bar_has_no_bar_and_reads_withheld():
    figure = charts.members_bar(
        title="Classifiers",
        bars=[charts.Bar("Images", 41, 57), charts.Bar("Sextortion", None, 57, True)],
        threshold=5,
    )

    assert list(figure.data[0].x) == [41, None]
    assert list(figure.data[0].text) == ["41 of 57 asked", ""]
    assert [a.text for a in figure.layout.annotations] == ["withheld"]


def test_bar_without_denominator_shows_the_count_only():
    figure = charts.members_bar(title="Classifiers, 2022", bars=[charts.Bar("Images", 13)], threshold=5)

    assert list(figure.data[0].text) == ["13"]
    assert figure.layout.xaxis.title.text == "Number of members"


def test_long_labels_wrap_for_small_screens():
    assert charts.wrap("Formal safety reviews of new products and features before launch") == (
        "Formal safety reviews of new<br>products and features before<br>launch"
    )


def test_trend_lines_keep_gaps_as_none_not_zero():
    figure = charts.trend_lines(
        title="Classifiers by year",
        years=[2022, 2023, 2024, 2025],
        series=[("Images", [13, None, None, 41]), ("Videos", [4, None, None, 32])],
        y_title="Number of members",
    )

    assert [list(trace.y) for trace in figure.data] == [[13, None, None, 41], [4, None, None, 32]]
    assert all(trace.connectgaps is False for trace in figure.data)
    assert list(figure.data[0].x) == ["2022", "2023", "2024", "2025"]
    assert figure.data[0].line.color != figure.data[1].line.color
    assert figure.data[0].line.dash != figure.data[1].line.dash  # not colour alone
    assert figure.layout.yaxis.title.text == "Number of members"


def test_mileposts_by_area_stacks_areas_and_shows_totals_for_unsplit_years():
    figure = charts.mileposts_by_area(
        years=[2024, 2025],
        areas=[("Prevention", [None, 120]), ("Detection", [None, 110]), ("Response", [None, 87])],
        totals=[122, 317],
    )

    traces = {trace.name: list(trace.y) for trace in figure.data}
    assert traces["Prevention"] == [None, 120]
    assert traces["All areas (not split by area that year)"] == [122, None]
    assert figure.layout.barmode == "stack"
    assert [a.text for a in figure.layout.annotations] == ["122", "317"]
    assert "<b>" not in str(figure.to_plotly_json())  # rich-text tags become style attributes the CSP blocks


def test_mileposts_by_area_has_no_total_trace_when_every_year_is_split():
    figure = charts.mileposts_by_area(years=[2025], areas=[("Prevention", [317])], totals=[317])

    assert [trace.name for trace in figure.data] == ["Prevention"]


def test_palette_is_okabe_ito():
    assert charts.OKABE_ITO[:3] == ("#0072B2", "#E69F00", "#009E73")
    assert set(charts.AREA_COLOURS.values()) <= set(charts.OKABE_ITO)


def test_as_json_is_plain_data_with_config_and_no_template():
    import json

    data = charts.as_json(charts.members_bar(title="t", bars=[charts.Bar("a", 1, 2)], threshold=5))

    assert "template" not in data["layout"]
    assert data["config"]["responsive"] is True
    json.dumps(data)


def test_change_in_words():
    assert report.change_in_words(current=317, previous=122, previous_year=2024) == "more than double 2024"
    assert report.change_in_words(current=244, previous=122, previous_year=2024) == "double 2024"
    assert report.change_in_words(current=120, previous=100, previous_year=2024) == "up 20% on 2024"
    assert report.change_in_words(current=95, previous=100, previous_year=2024) == "down 5% on 2024"
    assert report.change_in_words(current=100, previous=100, previous_year=2024) == "the same as 2024"
    assert report.change_in_words(current=100, previous=None, previous_year=2024) == ""


def test_quotable_sentence():
    group = report.GROUPS_BY_CODE["image_hashing"]

    assert (
        report.quotable_sentence(
            year=2025, group=group, label="PhotoDNA", value=37, suppressed=False, denominator=57, threshold=5
        )
        == "In 2025, 37 of 57 members reported using PhotoDNA."
    )
    assert (
        report.quotable_sentence(
            year=2025,
            group=group,
            label="Internal hashing systems",
            value=None,
            suppressed=True,
            denominator=57,
            threshold=5,
        )
        == "In 2025, a withheld number of the 57 members reported using internal hashing systems."
    )


def test_report_pages_have_the_coalitions_groups_in_order():
    assert [(page.code, [g.code for g in page.groups]) for page in report.PAGES] == [
        ("prevention", ["safety_by_design", "deterrence", "age_assurance"]),
        ("detection", ["image_hashing", "internal_hashing_shared", "video_hashing", "classifiers"]),
        (
            "response",
            [
                "enforcement_tools",
                "authority_reporting",
                "supplemental_reports",
                "in_product_reporting",
                "trust_framework",
                "transparency_report_published",
            ],
        ),
    ]
