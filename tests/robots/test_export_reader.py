"""Reading robots from a hand-written configuration export, and refusing hostile archives."""

from __future__ import annotations

import io
import stat
import tarfile
import zipfile
from pathlib import Path

import pytest

from b24provision.blueprint import load_blueprint
from b24provision.robots import archive
from b24provision.robots.archive import ExportArchiveError
from b24provision.robots.export_reader import read_export
from tests.robots.export_fixtures import KITCHEN, KITCHEN_BLUEPRINT, kitchen_doc, pack_tar, pack_zip


@pytest.fixture
def kitchen_zip(tmp_path: Path) -> Path:
    return pack_zip(KITCHEN, tmp_path / "configuration.zip")


def _robots(export_path: Path) -> dict[str, list[dict[str, object]]]:
    export = read_export(export_path, load_blueprint([KITCHEN_BLUEPRINT]))
    return {
        f"{s.pipeline_key}/{s.stage_code}": [
            r.robot.model_dump(mode="json", exclude_defaults=True) if r.robot else {"activity": r.activity}
            for r in s.robots
        ]
        for s in export.stages
    }


def test_every_robot_type_with_delay_condition_and_chain_is_read(kitchen_zip: Path) -> None:
    robots = _robots(kitchen_zip)
    assert robots["general/NEW"] == [
        {"type": "notify", "message": "Новая заявка: {=Document:TITLE}"},
        {  # after the message in the same chain, behind a one-day DelayActivity
            "type": "create_task",
            "title": "Звонок клиенту",
            "task_title": "Позвонить клиенту",
            "responsible": "user:12",
            "deadline": "3 days",
            "description": "Уточнить размеры кухни",
            "delay": "1 day",
            "after_previous": True,
        },
        {  # its own chain, inside an IfElseActivity
            "type": "set_field",
            "field": "PRIORITY",
            "value": "high",
            "condition": {"field": "OPPORTUNITY", "op": ">", "value": "100000"},
        },
        {"activity": "CrmControlNotifyActivity"},  # no blueprint type: kept, not guessed
    ]
    assert robots["general/WON"] == [
        {
            "type": "copy_deal",
            "to_pipeline": "mount",
            "to_stage": "NEW",
            "deal_title": "Монтаж: {=Document:TITLE}",
        },
        {
            "type": "create_deal",
            "pipeline": "mount",
            "stage": "PREPARATION",
            "deal_title": "Замер для {=Document:TITLE}",
            "responsible": "user:7",
        },
    ]
    assert robots["mount/NEW"] == [
        # RobotDelayActivity before a robot is its delay (the newest convertTemplate) ...
        {"type": "change_stage", "stage": "EXECUTING", "delay": "2 hours"},
        # ... and with nothing after it, a pause robot of its own (older cores)
        {"type": "wait", "duration": "1 day"},
    ]


def test_a_template_edited_in_the_designer_is_reported_not_guessed(kitchen_zip: Path) -> None:
    export = read_export(kitchen_zip)
    edited = export.stage("montazh", "EXECUTING")
    assert edited is not None and edited.robots == ()
    assert "root holds 2 activities" in edited.designer_edited


def test_pipelines_get_keys_from_names_without_a_blueprint_and_lead_robots_are_left_aside(
    kitchen_zip: Path,
) -> None:
    export = read_export(kitchen_zip)
    assert [(p.key, p.category_id, p.default) for p in export.pipelines] == [
        ("obshchee", 0, True),
        ("montazh", 3, False),
    ]
    assert export.manifest_code == "vertical_crm"
    assert any("LEAD" in why for why in export.ignored)
    # the ordinary business process (AUTO_EXECUTE 1) is not a stage's robots at all
    assert {s.status_id for s in export.stages} == {"NEW", "WON", "C3:NEW", "C3:EXECUTING"}


def test_tar_gz_reads_the_same(tmp_path: Path, kitchen_zip: Path) -> None:
    assert _robots(pack_tar(KITCHEN, tmp_path / "configuration.tar.gz")) == _robots(kitchen_zip)


def test_what_the_blueprint_cannot_say_becomes_a_note(tmp_path: Path) -> None:
    doc = kitchen_doc("BIZPROC_MAIN/1.json")
    chain = doc["TEMPLATE_DATA"]["TEMPLATE"][0]["Children"][0]["Children"][0]["Children"]
    chain[1]["Properties"] = {"TimeoutTime": '=dateadd({=Document:CLOSEDATE},"-1d")', "Title": "Ожидание"}
    branch = doc["TEMPLATE_DATA"]["TEMPLATE"][0]["Children"][0]["Children"][1]["Children"][0]["Children"][0]
    # the legacy form of a condition, with two parts joined by OR
    branch["Properties"] = {"fieldcondition": [["OPPORTUNITY", ">", "1", "0"], ["TITLE", "=", "x", "1"]]}
    export = read_export(pack_zip(KITCHEN, tmp_path / "x.zip", replace={"BIZPROC_MAIN/1.json": doc}))
    stage = export.stage("obshchee", "NEW")
    assert stage is not None
    task, field = stage.robots[1], stage.robots[2]
    assert task.robot is not None and task.robot.delay is None
    assert any("TimeoutTime" in n for n in task.notes)
    assert field.robot is not None and field.robot.condition is None
    assert any("condition of 2 parts" in n for n in field.notes)


# ------------------------------------------------------------------------------ hostile archives


def _error(path: Path) -> str:
    with pytest.raises(ExportArchiveError) as caught:
        read_export(path)
    message = caught.value.message
    assert "\n" not in message and str(path) in message
    return message


def test_a_damaged_archive_is_one_clear_error(tmp_path: Path, kitchen_zip: Path) -> None:
    damaged = tmp_path / "damaged.zip"
    damaged.write_bytes(kitchen_zip.read_bytes()[:700])
    assert "damaged" in _error(damaged)
    text = tmp_path / "notes.zip"
    text.write_text("hello", encoding="utf-8")
    assert "neither a .zip nor a .tar.gz" in _error(text)


def test_a_zip_bomb_is_refused(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", "{}")
        z.writestr("BIZPROC_MAIN/0.json", b" " * (3 * 1024 * 1024))
    assert "expands more than" in _error(bomb)


def test_a_member_too_large_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBER_BYTES", 1000)
    big = tmp_path / "big.tar.gz"
    with tarfile.open(big, "w:gz") as t:
        data = b"[" + b"1," * 1000 + b"1]"
        info = tarfile.TarInfo("BIZPROC_MAIN/0.json")
        info.size = len(data)
        t.addfile(info, io.BytesIO(data))
    assert "more than" in _error(big)


def test_too_many_members_are_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_MEMBERS", 5)
    many = tmp_path / "many.zip"
    with zipfile.ZipFile(many, "w") as z:
        for i in range(6):
            z.writestr(f"files/{i}", "x")
    assert "more than 5 files" in _error(many)


@pytest.mark.parametrize("name", ["../evil.json", "/etc/passwd", "CRM_STATUS\\..\\x.json"])
def test_path_traversal_names_are_refused(tmp_path: Path, name: str) -> None:
    evil = tmp_path / "evil.zip"
    with zipfile.ZipFile(evil, "w") as z:
        z.writestr("manifest.json", "{}")
        z.writestr(name, "{}")
    assert "member name" in _error(evil)


def test_links_are_refused(tmp_path: Path) -> None:
    linked = tmp_path / "link.zip"
    with zipfile.ZipFile(linked, "w") as z:
        info = zipfile.ZipInfo("manifest.json")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        z.writestr(info, "/etc/passwd")
    assert "symbolic link" in _error(linked)
    tar_link = tmp_path / "link.tar.gz"
    with tarfile.open(tar_link, "w:gz") as t:
        info = tarfile.TarInfo("manifest.json")
        info.type = tarfile.SYMTYPE
        info.linkname = "/etc/passwd"
        t.addfile(info)
    assert "is a link" in _error(tar_link)


def test_deeply_nested_json_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.zip"
    with zipfile.ZipFile(deep, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("manifest.json", "[" * 200_000 + "]" * 200_000)
    assert "nested too deeply" in _error(deep)


def test_an_export_without_deal_stages_says_so(tmp_path: Path) -> None:
    bare = tmp_path / "bare.zip"
    with zipfile.ZipFile(bare, "w") as z:
        z.writestr("manifest.json", '{"CODE": "vertical_crm"}')
    assert "no deal stages" in _error(bare)


def test_a_tar_gz_that_unpacks_too_far_is_stopped(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(archive, "MAX_TAR_STREAM_BYTES", 1024 * 1024)
    bomb = tmp_path / "bomb.tar.gz"
    with tarfile.open(bomb, "w:gz") as t:
        blob = b"\0" * (3 * 1024 * 1024)  # not a member the reader wants: skipping it still unpacks it
        info = tarfile.TarInfo("files/1")
        info.size = len(blob)
        t.addfile(info, io.BytesIO(blob))
    assert "unpacks to more than 1 MB" in _error(bomb)


def test_corrupted_member_data_is_damage(tmp_path: Path, kitchen_zip: Path) -> None:
    data = bytearray(kitchen_zip.read_bytes())
    start = data.index(b"BIZPROC_MAIN/1.json") + 40  # inside the member's compressed data
    data[start : start + 64] = bytes(64)
    broken = tmp_path / "broken.zip"
    broken.write_bytes(bytes(data))
    assert "damaged" in _error(broken)


def test_a_designer_activity_inside_a_chain_marks_the_template_edited(tmp_path: Path) -> None:
    doc = kitchen_doc("BIZPROC_MAIN/3.json")
    chain = doc["TEMPLATE_DATA"]["TEMPLATE"][0]["Children"][0]["Children"][0]["Children"]
    chain.insert(1, {"Type": "SetVariableActivity", "Name": "A1_1_1_1", "Properties": {}, "Children": []})
    export = read_export(pack_zip(KITCHEN, tmp_path / "x.zip", replace={"BIZPROC_MAIN/3.json": doc}))
    stage = export.stage("montazh", "NEW")
    assert stage is not None and stage.robots == ()
    assert "SetVariableActivity" in stage.designer_edited


def test_two_pipelines_of_one_name_never_share_a_key(tmp_path: Path) -> None:
    twin = kitchen_doc("CRM_STATUS/DEAL_STAGE_3.json")
    twin["ENTITY"]["ID"] = "DEAL_STAGE_4"
    for item in twin["ITEMS"]:
        item["STATUS_ID"] = item["STATUS_ID"].replace("C3:", "C4:")
    path = pack_zip(KITCHEN, tmp_path / "x.zip", replace={"CRM_STATUS/DEAL_STAGE_4.json": twin})
    export = read_export(path, load_blueprint([KITCHEN_BLUEPRINT]))
    assert [(p.key, p.category_id) for p in export.pipelines] == [
        ("general", 0),
        ("mount", 3),
        ("montazh", 4),
    ]
