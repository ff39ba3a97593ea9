"""The suggested advisor and the conflict-of-interest check."""

from mediation.domain.assignment import AdvisorCandidate, Person, conflicts, rank_advisors


def test_village_advisor_first_then_town_by_workload():
    ranked = rank_advisors([
        AdvisorCandidate(1, "甲", serves_village=False, same_town=True, open_cases=5),
        AdvisorCandidate(2, "乙", serves_village=True, same_town=True, open_cases=9),
        AdvisorCandidate(3, "丙", serves_village=False, same_town=True, open_cases=1),
        AdvisorCandidate(4, "丁", serves_village=False, same_town=False, open_cases=0),
    ])
    assert [c.advisor_id for c in ranked] == [2, 3, 1]


def test_no_candidates_in_town():
    assert rank_advisors([AdvisorCandidate(4, "丁", False, False, 0)]) == []


def test_conflicts():
    parties = [Person("张三", "11010519491231002X"), Person("李四")]
    assert conflicts(Person("王五"), parties) == []
    assert conflicts(Person("张三"), parties) == ["与当事人张三同名"]
    assert conflicts(Person("张叁", "11010519491231002X"), parties) == ["与当事人张三身份证号相同"]
    assert conflicts(Person("王五"), parties, ["李四的表兄", " "]) == ["已申报关系：李四的表兄"]
