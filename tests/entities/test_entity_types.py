"""The entity-type table against the reference's own examples (bitrix24-rest.md §5-§8, §13.5).

Each expected value is copied from the reference (or the docs it cites), not from the code."""

from __future__ import annotations

import pytest

from b24provision.entities import entity_type, smart_process, stage_code


@pytest.mark.parametrize(
    ("key", "type_id", "document_type", "userfield_entity"),
    [
        ("deal", 2, ("crm", "CCrmDocumentDeal", "DEAL"), "CRM_DEAL"),
        ("lead", 1, ("crm", "CCrmDocumentLead", "LEAD"), "CRM_LEAD"),
        ("contact", 3, ("crm", "CCrmDocumentContact", "CONTACT"), "CRM_CONTACT"),
        ("company", 4, ("crm", "CCrmDocumentCompany", "COMPANY"), "CRM_COMPANY"),
    ],
)
def test_each_crm_entity_has_the_type_id_document_and_field_entity_the_reference_names(
    key: str, type_id: int, document_type: tuple[str, str, str], userfield_entity: str
) -> None:
    entity = entity_type(key)
    assert entity.type_id == type_id  # §5.1 (deal 2, contact 3, company 4), §12 (lead 1)
    assert entity.document_type == document_type  # §8.2 / §8.3 DOCUMENT_TYPE values
    assert entity.userfield_entity_id == userfield_entity  # §7.1 ENTITY_ID CRM_DEAL
    assert entity.field_name("HELLO_WORLD") == "UF_CRM_HELLO_WORLD"  # §7.2's example row
    assert entity.userfields.method("add") == f"crm.{key}.userfield.add"


def test_deal_stages_are_plain_in_the_default_pipeline_and_prefixed_in_others() -> None:
    stages = entity_type("deal").stages
    assert stages is not None
    # §6: DEAL_STAGE for pipeline 0; DECISION added to DEAL_STAGE_1 is saved as C1:DECISION.
    assert (stages.entity_id(0), stages.status_prefix(0)) == ("DEAL_STAGE", "")
    assert (stages.entity_id(1), stages.status_prefix(1) + "DECISION") == ("DEAL_STAGE_1", "C1:DECISION")
    assert stages.category_of("DEAL_STAGE_1") == 1
    assert stages.category_of("DEAL_STAGE") == 0
    assert stages.category_of("SOURCE") is None
    assert stage_code("C1:DECISION") == "DECISION"


def test_deal_stage_codes_get_shorter_as_pipeline_ids_grow() -> None:
    stages = entity_type("deal").stages
    assert stages is not None
    # §13.5: 22 in the default pipeline, 19 in C1-C9, 18 in C10-C99, 17 in C100-C999.
    assert [stages.max_code_length(c) for c in (0, 5, 10, 100)] == [22, 19, 18, 17]


def test_leads_have_one_status_list_and_no_pipelines() -> None:
    lead = entity_type("lead")
    assert lead.structure == "statuses"
    assert lead.pipelines is None  # crm.category.* answers ENTITY_TYPE_NOT_SUPPORTED (§5.1)
    assert lead.stages is not None
    assert (lead.stages.entity_id(), lead.stages.status_prefix()) == ("STATUS", "")


def test_a_smart_process_names_its_stages_with_its_type_and_pipeline() -> None:
    sp = smart_process(177)
    assert sp.stages is not None
    # §6: DYNAMIC_<entityTypeId>_STAGE_<categoryId>; the SPA tutorial's DT177_87:NEW.
    assert sp.stages.entity_id(87) == "DYNAMIC_177_STAGE_87"
    assert sp.stages.status_prefix(87) + "NEW" == "DT177_87:NEW"
    assert sp.stages.category_of("DYNAMIC_177_STAGE_87") == 87
    assert sp.stages.category_of("DEAL_STAGE_87") is None
    assert sp.pipelines is not None and sp.pipelines.params == {"entityTypeId": 177}
    assert (sp.list_method, dict(sp.list_params)) == ("crm.item.list", {"entityTypeId": 177})
    assert sp.document_type[2] == "DYNAMIC_177"


def test_a_smart_process_field_carries_its_type_id_in_the_name() -> None:
    # The docs' smart-process items page: UF_CRM_10_5186744711 (10 = the smart process's type id).
    sp = smart_process(1032, type_id=10)
    assert sp.field_name("5186744711") == "UF_CRM_10_5186744711"
    assert sp.userfield_entity_id == "CRM_10"
    assert sp.userfields.method("list") == "userfieldconfig.list"
    assert entity_type("smart_process_1032").type_id == 1032


@pytest.mark.parametrize("bad", [2, 127, 193, 1029])
def test_a_type_id_outside_the_smart_process_ranges_is_refused(bad: int) -> None:
    with pytest.raises(ValueError, match="not a smart process"):
        smart_process(bad)


def test_an_unknown_entity_key_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="deal, lead, contact, company"):
        entity_type("invoice")


def test_the_universal_methods_name_a_type_by_entity_type_id() -> None:
    # §5.1: crm.category.list(entityTypeId=2) lists deal pipelines; §12: crm.stagehistory.list too.
    assert entity_type("deal").type_param == {"entityTypeId": 2}
    assert smart_process(1032).type_param == {"entityTypeId": 1032}


def test_a_new_deal_pipeline_comes_with_the_references_eight_default_stages() -> None:
    # §6's default pipeline example: NEW ... FINAL_INVOICE in progress, WON "S", LOSE and APOLOGY "F".
    stages = entity_type("deal").default_stages
    assert list(stages) == [
        "NEW", "PREPARATION", "PREPAYMENT_INVOICE", "EXECUTING", "FINAL_INVOICE", "WON", "LOSE", "APOLOGY",
    ]  # fmt: skip
    assert [s for s, semantics in stages.items() if semantics != "process"] == ["WON", "LOSE", "APOLOGY"]
    assert (stages["WON"], stages["LOSE"]) == ("success", "failure")
