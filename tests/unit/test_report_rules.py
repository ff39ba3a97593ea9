"""Month arithmetic, comparisons, corrections and chart geometry of the monthly report (pure rules)."""

from __future__ import annotations

from datetime import date

from mediation.domain.charts import PLOT_HEIGHT, grouped_bars, horizontal_bars, nice_ceiling
from mediation.domain.reports import (
    COMPARED_COLUMNS,
    FIXED_COLUMNS,
    change_text,
    compare,
    differences,
    parse_month,
    shift_month,
    trailing_months,
)

TODAY = date(2026, 11, 26)


def test_months_shift_across_year_ends_and_keep_their_reference_date():
    march = parse_month("2026-03", TODAY)
    assert shift_month(march, -3, TODAY).key == "2025-12"
    assert shift_month(march, -12, TODAY).key == "2025-03"
    assert shift_month(parse_month("2024-02", TODAY), 0, TODAY).last == date(2024, 2, 29)
    current = parse_month("2026-11", TODAY)
    assert current.reference == TODAY and shift_month(current, -1, TODAY).reference == date(2026, 10, 31)


def test_a_trend_is_twelve_months_ending_with_the_month():
    months = trailing_months(parse_month("2026-03", TODAY), 12, TODAY)
    assert [m.key for m in months][:2] == ["2025-04", "2025-05"] and months[-1].key == "2026-03"
    assert len(months) == 12


def test_change_text_like_published_reports():
    assert change_text("12", "8") == "+50.0%"
    assert change_text("6", "8") == "-25.0%"
    assert change_text("8", "8") == "持平"
    assert change_text("5", "0") == "—" and change_text("5", None) == "—"
    assert change_text("85.6", "86.8") == "-1.4%"
    assert change_text("1", "3") == "-66.7%"  # rounded half away from zero


def test_compare_picks_the_columns_by_name():
    header = [*FIXED_COLUMNS, "婚姻家庭"]
    current = ["合计", "4", "2", "1", "50.0", "1.24", "1", "0", "1", "4", "1", "15.5", "1", "2", "1", "5", "0"]
    previous = ["合计", "2", *current[2:]]
    items = compare(header, current, previous, None)
    assert [item.column for item in items] == list(COMPARED_COLUMNS)
    accepted = items[0]
    assert (accepted.current, accepted.previous, accepted.month_on_month) == ("4", "2", "+100.0%")
    assert accepted.last_year is None and accepted.year_on_year == "—"
    assert items[1].month_on_month == "持平"


def test_differences_match_rows_by_unit_and_cells_by_column():
    header = ["单位", "受理数", "结案数"]
    reported = [["城关镇", "2", "2"], ["合计", "2", "2"]]
    now = [["城关镇", "2", "3"], ["新城街道", "1", "0"], ["合计", "3", "3"]]
    found = [(d.unit, d.column, d.reported, d.now) for d in differences(header, reported, now)]
    assert found == [("城关镇", "结案数", "2", "3"), ("新城街道", "受理数", "", "1"), ("新城街道", "结案数", "", "0"),
                     ("合计", "受理数", "2", "3"), ("合计", "结案数", "2", "3")]
    assert differences(header, reported, reported) == []


def test_grid_lines_are_round_numbers():
    assert [nice_ceiling(v) for v in (0, 1, 3, 10, 11, 420, 636, 5000, 5001)] == [1, 1, 5, 10, 20, 500, 1000, 5000,
                                                                                  10000]


def test_grouped_bars_scale_to_the_largest_value():
    chart = grouped_bars("趋势", ["1月", "2月"], [("受理数", [10, 5]), ("结案数", [0, 2])])
    first, second = chart.columns
    assert first.bars[0].height == PLOT_HEIGHT and first.bars[0].y == chart.plot_top
    assert second.bars[0].height == PLOT_HEIGHT / 2 and first.bars[1].height == 0
    assert first.bars[1].x > first.bars[0].x and second.center > first.center
    assert chart.rows == [["1月", "10", "0"], ["2月", "5", "2"]]
    assert [value for _, value in chart.ticks] == [0, 2, 5, 7, 10]


def test_horizontal_bars_give_shares_of_the_total():
    chart = horizontal_bars("类型", [("邻里", 3), ("合同", 1), ("其他", 0)])
    assert chart.total == 4
    assert [(s.label, s.percent) for s in chart.shares] == [("邻里", "75.0%"), ("合同", "25.0%"), ("其他", "0.0%")]
    assert chart.shares[0].width == 3 * chart.shares[1].width and chart.shares[2].width == 0
    empty = horizontal_bars("来源", [("当事人申请", 0)])
    assert empty.total == 0 and empty.shares[0].percent == "0.0%"
