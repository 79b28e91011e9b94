"""Run with the bpy module: open a project.blend and list its scenes and strips. argv: BLEND; prints JSON."""
import json
import sys

import bpy

bpy.ops.wm.open_mainfile(filepath=sys.argv[1])
scene = bpy.context.scene
print(json.dumps({"scenes": [s.name for s in bpy.data.scenes], "scene": scene.name,
                  "strips": sorted((s.name, s.channel, s.frame_final_start, s.frame_final_end)
                                   for s in scene.sequence_editor.strips_all)}))
