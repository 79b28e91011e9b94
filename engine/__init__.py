"""AI video editor engine: pure Python, never imports bpy."""

__version__ = "0.1.0"
