"""Moved to ``b24provision.state.rest``; this re-export stays until every lane's imports follow."""

from b24provision.state.counts import count_losses
from b24provision.state.rest import FULL_RECORDS, read_after, read_portal, status_id

__all__ = ["FULL_RECORDS", "count_losses", "read_after", "read_portal", "status_id"]
