"""Application robot types and triggers: what an OAuth application registers on a portal."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, StringConstraints

from b24provision.blueprint.model_types import Flag, Label, Model, Name


class AppRobotProperty(Model):
    """An input or output of an application robot type (bizproc.robot.add PROPERTIES)."""

    name: Name
    """The property's name in the robot's settings."""
    type: Literal["bool", "date", "datetime", "double", "file", "int", "select", "string", "text", "user"] = (
        "string"
    )
    """The property's type (bizproc.robot.add PROPERTIES.Type)."""
    description: str | None = None
    """A hint shown under the property."""
    required: Flag = False
    """The robot cannot be saved without a value."""
    multiple: Flag = False
    """The property holds several values."""
    default: str | int | float | bool | None = None
    """The value of a new robot."""
    options: dict[str, str] = Field(default_factory=dict)
    """For type select: value -> shown text."""


class AppRobot(Model):
    """A robot type an application registers (bizproc.robot.*); needs an OAuth application."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-zA-Z0-9.\-_]+$", min_length=1)]
    """The robot type's CODE, unique within the application."""
    name: Label
    """The robot type's name in the designer, one text or per language."""
    handler: Annotated[str, StringConstraints(pattern=r"^https?://\S+$")]
    """The URL of the application that runs the robot."""
    description: str | None = None
    """A description shown in the designer."""
    use_subscription: Flag = False
    """The robot waits for the handler's answer (USE_SUBSCRIPTION)."""
    auth_user_id: int | None = Field(default=None, ge=1)
    """The portal user the handler acts as (AUTH_USER_ID; differs between portals)."""
    properties: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*$")], AppRobotProperty
    ] = Field(default_factory=dict)
    """The robot's inputs, by name (letters, digits and _)."""
    return_properties: dict[
        Annotated[str, StringConstraints(pattern=r"^[a-zA-Z][a-zA-Z0-9_]*$")], AppRobotProperty
    ] = Field(default_factory=dict)
    """What the robot returns, by name."""


class Trigger(Model):
    """An application trigger (crm.automation.trigger.*); binding it to a stage is done by hand."""

    code: Annotated[str, StringConstraints(pattern=r"^[a-z0-9.\-_]+$", min_length=1)]
    """The trigger's CODE: a-z, 0-9, ., - or _."""
    name: Name
    """The trigger's name in the automation settings."""
