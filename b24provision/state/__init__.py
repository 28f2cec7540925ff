"""Live state: what a portal holds (``live.py``) and the sources that read it (``rest.py``, ``zip.py``).

``from b24provision.state import LiveState`` keeps working: the package re-exports ``live``.
"""

from b24provision.state.live import DealCountQuery, LiveState, UnsupportedField

__all__ = ["DealCountQuery", "LiveState", "UnsupportedField"]
