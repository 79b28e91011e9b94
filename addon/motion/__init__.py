"""Motion graphics built in Blender scenes by code: B-roll charts, diagrams, cards, a beat visualiser."""
