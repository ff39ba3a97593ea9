"""The 枫桥 routing rule: the lowest level able to resolve a dispute, and why."""

import pytest

from mediation.domain.routing import (
    GROUP_DISPUTE_PEOPLE,
    LEVELS,
    SPECIALISED_TYPES,
    PartyPlace,
    RoutingInput,
    RoutingSuggestion,
    level_above,
    suggest_level,
)

TOWN_A = 1
TOWN_B = 2
VILLAGE_A1 = 11
VILLAGE_A2 = 12
VILLAGE_B1 = 21
HOME = PartyPlace(TOWN_A, VILLAGE_A1)
NEIGHBOUR_VILLAGE = PartyPlace(TOWN_A, VILLAGE_A2)
OTHER_TOWN = PartyPlace(TOWN_B, VILLAGE_B1)


def routing_input(**changes) -> RoutingInput:
    """A one-village, ordinary-risk, two-person neighbourhood dispute, with `changes` applied."""
    values = {
        "case_place": HOME,
        "party_places": [HOME, HOME],
        "risk_level": "ordinary",
        "people_involved": 2,
        "dispute_type": "neighbourhood",
    }
    values.update(changes)
    return RoutingInput(**values)


def test_village_is_the_default():
    suggestion = suggest_level(routing_input())
    assert suggestion.level == "village"
    assert suggestion.specialised is False
    assert suggestion.reasons == ("一般风险、发生在本村居的纠纷，就地化解",)


def test_village_when_there_are_no_party_places():
    assert suggest_level(routing_input(party_places=[])).level == "village"


def test_town_for_parties_in_different_villages_of_one_town():
    suggestion = suggest_level(routing_input(party_places=[HOME, NEIGHBOUR_VILLAGE]))
    assert suggestion.level == "town"
    assert suggestion.reasons == ("当事人分属同一镇街的不同村居",)


def test_a_party_in_another_village_than_the_case_counts():
    suggestion = suggest_level(routing_input(party_places=[NEIGHBOUR_VILLAGE, NEIGHBOUR_VILLAGE]))
    assert suggestion.level == "town"


def test_town_for_serious_risk():
    suggestion = suggest_level(routing_input(risk_level="serious"))
    assert suggestion.level == "town"
    assert suggestion.reasons == ("风险等级为较大",)


def test_town_when_a_village_attempt_failed():
    suggestion = suggest_level(routing_input(failed_at="village"))
    assert suggestion.level == "town"
    assert suggestion.reasons == ("村居调解未成功",)


def test_town_lists_every_town_reason():
    suggestion = suggest_level(
        routing_input(party_places=[HOME, NEIGHBOUR_VILLAGE], risk_level="serious", failed_at="village")
    )
    assert suggestion.level == "town"
    assert suggestion.reasons == ("当事人分属同一镇街的不同村居", "风险等级为较大", "村居调解未成功")


def test_district_for_parties_in_different_towns():
    suggestion = suggest_level(routing_input(party_places=[HOME, OTHER_TOWN]))
    assert suggestion.level == "district"
    assert suggestion.reasons == ("当事人分属不同镇街",)


def test_district_for_major_risk():
    suggestion = suggest_level(routing_input(risk_level="major"))
    assert suggestion.level == "district"
    assert suggestion.reasons == ("风险等级为重大",)


def test_district_for_ten_people_involved():
    suggestion = suggest_level(routing_input(people_involved=GROUP_DISPUTE_PEOPLE))
    assert GROUP_DISPUTE_PEOPLE == 10
    assert suggestion.level == "district"
    assert suggestion.reasons == ("涉及 10 人（群体性纠纷）",)


def test_district_for_many_people_names_the_count():
    suggestion = suggest_level(routing_input(people_involved=57))
    assert suggestion.level == "district"
    assert suggestion.reasons == ("涉及 57 人（群体性纠纷）",)


def test_nine_people_stay_in_the_village():
    assert suggest_level(routing_input(people_involved=9)).level == "village"


def test_nine_people_with_serious_risk_stay_in_the_town():
    assert suggest_level(routing_input(people_involved=9, risk_level="serious")).level == "town"


def test_district_when_a_town_attempt_failed():
    suggestion = suggest_level(routing_input(failed_at="town"))
    assert suggestion.level == "district"
    assert suggestion.reasons == ("镇街调解未成功，由镇街提级",)


def test_district_lists_every_district_reason():
    suggestion = suggest_level(
        routing_input(party_places=[OTHER_TOWN], risk_level="major", people_involved=12, failed_at="town")
    )
    assert suggestion.level == "district"
    assert suggestion.reasons == (
        "当事人分属不同镇街",
        "风险等级为重大",
        "涉及 12 人（群体性纠纷）",
        "镇街调解未成功，由镇街提级",
    )


def test_district_wins_over_town_reasons():
    suggestion = suggest_level(
        routing_input(party_places=[NEIGHBOUR_VILLAGE], risk_level="serious", people_involved=30)
    )
    assert suggestion.level == "district"
    assert suggestion.reasons == ("涉及 30 人（群体性纠纷）",)
    assert "风险等级为较大" not in suggestion.reasons
    assert "当事人分属同一镇街的不同村居" not in suggestion.reasons


def test_different_towns_do_not_also_count_as_different_villages():
    suggestion = suggest_level(routing_input(party_places=[OTHER_TOWN]))
    assert "当事人分属同一镇街的不同村居" not in suggestion.reasons


def test_specialised_when_the_type_has_a_committee_at_the_resulting_level():
    suggestion = suggest_level(
        routing_input(dispute_type="medical", risk_level="serious", specialised_at={"town": frozenset({"medical"})})
    )
    assert suggestion.level == "town"
    assert suggestion.specialised is True
    assert suggestion.reasons == ("风险等级为较大", "该纠纷类型有本级行业性专业性调委会")


def test_specialised_at_the_district():
    suggestion = suggest_level(
        routing_input(
            dispute_type="traffic_accident",
            risk_level="major",
            specialised_at={"district": frozenset({"traffic_accident", "labour"})},
        )
    )
    assert suggestion.level == "district"
    assert suggestion.specialised is True
    assert suggestion.reasons[-1] == "该纠纷类型有本级行业性专业性调委会"


def test_not_specialised_when_the_committee_is_at_another_level():
    suggestion = suggest_level(
        routing_input(dispute_type="medical", risk_level="major", specialised_at={"town": frozenset({"medical"})})
    )
    assert suggestion.level == "district"
    assert suggestion.specialised is False
    assert "该纠纷类型有本级行业性专业性调委会" not in suggestion.reasons


def test_specialised_type_with_no_committee_at_all():
    suggestion = suggest_level(routing_input(dispute_type="labour", risk_level="serious"))
    assert suggestion.level == "town"
    assert suggestion.specialised is False


def test_specialised_type_with_an_empty_committee_map():
    suggestion = suggest_level(routing_input(dispute_type="labour", risk_level="serious", specialised_at={}))
    assert suggestion.specialised is False


def test_specialised_type_whose_level_has_committees_for_other_types_only():
    suggestion = suggest_level(
        routing_input(dispute_type="labour", risk_level="serious", specialised_at={"town": frozenset({"medical"})})
    )
    assert suggestion.specialised is False


def test_type_without_a_specialised_kind_is_never_specialised():
    assert "neighbourhood" not in SPECIALISED_TYPES
    suggestion = suggest_level(
        routing_input(risk_level="serious", specialised_at={"town": frozenset({"neighbourhood"})})
    )
    assert suggestion.level == "town"
    assert suggestion.specialised is False


def test_specialised_types_are_the_five_of_the_domain():
    assert SPECIALISED_TYPES == {
        "traffic_accident", "medical", "labour", "property_management", "marriage_family",
    }


@pytest.mark.parametrize(
    ("changes", "level"),
    [
        ({}, "village"),
        ({"risk_level": "serious"}, "town"),
        ({"risk_level": "major"}, "district"),
    ],
)
def test_reasons_are_chinese_and_non_empty(changes, level):
    suggestion = suggest_level(routing_input(**changes))
    assert suggestion.level == level
    assert suggestion.reasons
    for reason in suggestion.reasons:
        assert any("\u4e00" <= character <= "\u9fff" for character in reason)


def test_level_above():
    assert level_above("village") == "town"
    assert level_above("town") == "district"
    assert level_above("district") is None


def test_level_above_refuses_an_unknown_level():
    with pytest.raises(ValueError):
        level_above("province")


def test_levels_run_upwards():
    assert LEVELS == ("village", "town", "district")


@pytest.mark.parametrize(
    ("level", "specialised", "label"),
    [
        ("village", False, "村居"),
        ("town", False, "镇街"),
        ("district", False, "区中心"),
        ("town", True, "镇街（行业性专业性调委会）"),
        ("district", True, "区中心（行业性专业性调委会）"),
    ],
)
def test_suggestion_label(level, specialised, label):
    assert RoutingSuggestion(level, specialised, ()).label == label
