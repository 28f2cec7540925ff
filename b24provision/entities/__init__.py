"""Bitrix24's per-entity REST facts: the entity-type table (``types.py``), stage id schemes
(``stages.py``) and the field-type codec table (``fields.py``). Nothing outside this package (and the
emulator) names ``DEAL_STAGE``, ``UF_CRM_`` or an ``entityTypeId``.
"""

from b24provision.entities.stages import stage_code
from b24provision.entities.types import DEAL, EntityType, entity_type, smart_process

__all__ = ["DEAL", "EntityType", "entity_type", "smart_process", "stage_code"]
