"""The handmade portal's robots beyond deals: one on a lead status, one on a smart-process stage,
as the robots editor saves them, and so in the portal's configuration export."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

from typer.testing import CliRunner

from b24provision.cli import app


def test_handmade_export_config_holds_a_lead_status_robot_and_a_smart_process_stage_robot(
    tmp_path: Path,
) -> None:
    out = tmp_path / "configuration.zip"
    result = CliRunner().invoke(app, ["emulator", "export-config", "--out", str(out), "--seed", "handmade"])
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(out) as archive:
        templates = [
            json.loads(archive.read(name)) for name in archive.namelist() if name.startswith("BIZPROC_MAIN/")
        ]
    by_status = {t["DOCUMENT_STATUS"]: t for t in templates}
    lead = by_status["UC_7HD2KQ"]
    assert (lead["ENTITY"], lead["DOCUMENT_TYPE"]) == ("CCrmDocumentLead", "LEAD")
    [smart] = [t for status, t in by_status.items() if status.endswith(":UC_M3ZR8P")]
    assert smart["DOCUMENT_TYPE"].startswith("DYNAMIC_")
    assert "Task2Activity" in json.dumps(smart["TEMPLATE_DATA"])
    assert "SocNetMessageActivity" in json.dumps(lead["TEMPLATE_DATA"])
