"""Validation of a places file and the short names used in case numbers."""

from mediation.domain.places import parse_place_rows
from mediation.services.places import short_name_for


def test_tree_keeps_first_seen_order_and_skips_repeats():
    rows = [
        (2, ["城关镇", "石门村", "第一网格"]),
        (3, ["城关镇", "石门村", "第二网格"]),
        (4, ["东湖街道", "湖滨社区", ""]),
        (5, ["城关镇", "石门村", "第一网格"]),
        (6, ["城关镇", "大岭村", ""]),
    ]
    tree, errors = parse_place_rows(["镇街", "村居", "网格"], rows)
    assert errors == []
    assert list(tree.towns) == ["城关镇", "东湖街道"]
    assert list(tree.towns["城关镇"]) == ["石门村", "大岭村"]
    assert tree.towns["城关镇"]["石门村"] == ["第一网格", "第二网格"]
    assert tree.counts == (2, 3, 2)


def test_columns_in_any_order_and_grid_optional():
    tree, errors = parse_place_rows(["村居", "镇街"], [(2, ["石门村", "城关镇"])])
    assert errors == []
    assert tree.towns == {"城关镇": {"石门村": []}}


def test_errors_name_line_and_column():
    rows = [(2, ["城关镇", "", "第一网格"]), (3, ["城关/镇", "石门村", ""]), (4, ["城关镇", "石" * 101, ""])]
    _, errors = parse_place_rows(["镇街", "村居", "网格"], rows)
    assert [(e.line, e.column) for e in errors] == [(2, "村居"), (3, "镇街"), (4, "村居")]
    assert str(errors[0]) == "line 2, column 村居: is empty"


def test_unknown_and_missing_columns():
    _, errors = parse_place_rows(["镇街", "村名"], [(2, ["城关镇", "石门村"])])
    assert {(e.column, e.reason) for e in errors} == {("村名", "unknown column"), ("村居", "required column is missing")}


def test_empty_file_is_an_error():
    _, errors = parse_place_rows(["镇街", "村居", "网格"], [])
    assert errors and errors[0].reason == "the file has no place rows"


def test_short_names_drop_place_suffixes():
    assert short_name_for("城关镇") == "城关"
    assert short_name_for("东湖街道") == "东湖"
    assert short_name_for("城关镇", "石门村") == "城关石门"
    assert short_name_for("东湖街道", "湖滨社区") == "东湖湖滨"
    assert short_name_for("镇") == "镇"
