"""Tariff checks: what a blueprint needs from a Bitrix24 plan, and whether a plan has it.

:mod:`.table` holds the plans and their facts (``data/tariffs.yaml``), :mod:`.needs` reads what a
blueprint asks for, :mod:`.check` compares the two, :mod:`.detect` tells a live portal's plan from
evidence, :mod:`.allows` answers "does plan X allow N smart processes / robots on a lead", and
:mod:`.status` is the five answers they share. All of it is pure. ``b24provision.tariffs``
re-exports the public names.
"""
