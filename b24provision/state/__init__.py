"""Live state: what a portal holds now (``live.py``), and how blueprint and portal objects pair up."""
