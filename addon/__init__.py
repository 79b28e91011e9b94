"""AI Video Editor: the Blender side. Registers preferences, operators and panels.

Nothing heavy is imported here: the engine runs in its own Python process
(see runner.py), so enabling the add-on costs Blender next to nothing.
"""
from __future__ import annotations

from . import operators, panels, preferences

_modules = (preferences, operators, panels)


def register() -> None:
    for module in _modules:
        module.register()


def unregister() -> None:
    for module in reversed(_modules):
        module.unregister()
