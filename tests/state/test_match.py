"""The one matcher: which portal pipeline, stage or item a blueprint's is (state/match.py)."""

from __future__ import annotations

import pytest

from b24provision.blueprint.model import EnumItem, Pipeline, Stage
from b24provision.state.match import (
    AmbiguousPipelineName,
    items_by_value,
    pair_pipelines,
    portal_pipeline,
    ui_stage_pairs,
)

WON = Stage(code="WON", name="Won", semantics="success")


def _pipeline(key: str, name: str, *, default: bool = False, previous: tuple[str, ...] = ()) -> Pipeline:
    return Pipeline(key=key, name=name, default=default, previous_names=list(previous), stages=[WON])


PORTAL = [_pipeline("general", "General", default=True), _pipeline("sales", "Sales")]


def test_the_default_pipeline_is_the_portals_default_whatever_its_name() -> None:
    assert portal_pipeline(_pipeline("main", "Sales", default=True), PORTAL) == PORTAL[0]


def test_others_match_by_name_never_the_default_one() -> None:
    assert portal_pipeline(_pipeline("s", "Sales"), PORTAL) == PORTAL[1]
    assert portal_pipeline(_pipeline("g", "General"), PORTAL) is None


def test_a_previous_name_makes_a_rename() -> None:
    assert pair_pipelines([_pipeline("retail", "Retail", previous=("Sales",))], PORTAL) == {
        "retail": PORTAL[1]
    }


def test_a_name_two_portal_pipelines_share_is_ambiguous_and_says_where() -> None:
    twins = [*PORTAL, _pipeline("sales_2", "Sales")]
    with pytest.raises(
        AmbiguousPipelineName, match=r"^bp.yaml:3:11: the portal has 2 pipelines named 'Sales' "
    ):
        portal_pipeline(_pipeline("s", "Sales"), twins, "bp.yaml:3:11")
    # A pipeline that names something else is not affected by the twins.
    assert portal_pipeline(_pipeline("g", "Other"), twins) is None


def test_stages_pair_by_name_only_when_a_ui_made_one_of_the_codes() -> None:
    have = [Stage(code="UC_LAFJPE", name="Замер"), Stage(code="OLD", name="Old")]
    want = [Stage(code="UC_K7M2PQ", name="Замер"), Stage(code="NEW", name="Old")]
    assert ui_stage_pairs(have, want) == {"UC_K7M2PQ": "UC_LAFJPE"}


def test_items_pair_by_text_when_their_xml_id_has_no_partner() -> None:
    have = [EnumItem(xml_id="a1", value="Site"), EnumItem(xml_id="b", value="Call")]
    want = [EnumItem(xml_id="site", value="Site"), EnumItem(xml_id="b", value="Call")]
    assert items_by_value(have, want) == {"site": "a1"}
