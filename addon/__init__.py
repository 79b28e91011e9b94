"""AI Video Editor: the Blender side. Registers preferences, operators and panels.

Nothing heavy is imported here, and the UI modules only when Blender registers the
add-on: the engine runs in its own Python process (see runner.py), and the job
scripts and tests import the bpy-free modules (runner, vse_plan, layout) alone.
"""
from __future__ import annotations


def _modules() -> tuple:
    from . import operators, panels, preferences, properties

    return preferences, properties, operators, panels


def register() -> None:
    for module in _modules():
        module.register()


def unregister() -> None:
    for module in reversed(_modules()):
        module.unregister()
