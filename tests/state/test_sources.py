"""The live-state sources: the REST read and the configuration export, each naming where it read."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from b24provision.portal.client import PortalClient
from b24provision.portal.credentials import WebhookCredentials
from b24provision.robots.archive import ExportArchiveError
from b24provision.state.rest import RestSource
from b24provision.state.zip import ExportSource


def test_the_rest_source_reads_the_portal_and_names_its_host_not_its_secret(
    start_portal: Callable[..., Any],
) -> None:
    portal = start_portal("a")
    with PortalClient(WebhookCredentials(portal.server.webhook_url), rate=None) as client:
        source = RestSource(client)
        live = source.read()
        provenance = source.provenance
    assert any(p.default for p in live.blueprint.pipelines)  # every portal has its default pipeline
    assert portal.token not in provenance
    assert provenance and provenance in portal.server.webhook_url


def test_the_export_source_names_its_file_and_refuses_one_that_is_no_export(tmp_path: Path) -> None:
    path = tmp_path / "portal-export.zip"
    path.write_bytes(b"not a zip")
    source = ExportSource(path)
    assert source.provenance == "portal-export.zip"
    with pytest.raises(ExportArchiveError, match="portal-export.zip"):
        source.read()


def test_the_first_read_round_shares_one_batch_between_entities() -> None:
    from b24provision.entities.types import COMPANY, CONTACT, DEAL, LEAD
    from b24provision.state.rest import full_records

    # Deals alone: the labels of up to 30 fields come in the one read request (benchmarks/README.md).
    assert full_records((DEAL,)) == 30
    # Four entities: fewer full records each, so the batch stays within Bitrix24's 50 commands.
    four = full_records((DEAL, LEAD, CONTACT, COMPANY))
    assert 0 < four < 30
