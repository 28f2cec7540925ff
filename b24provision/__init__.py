"""b24provision: declarative config-as-code for Bitrix24 CRM.

Blueprint (YAML) -> live state (read over REST) -> plan (a pure diff) -> apply (batched writes).
"""

from __future__ import annotations

__version__ = "0.1.0"
__all__ = ["__version__"]
