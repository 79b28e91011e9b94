"""Run with the bpy module: import an output folder into the Sequencer twice, save project.blend; report.

argv: PROJECT; prints one JSON line: import seconds, strips, scene settings, zoom keys.
"""
import json
import sys
import time
from pathlib import Path

import bpy  # first: it puts Blender's own modules on the path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
from addon import compat, project_file, vse  # noqa: E402

project = Path(sys.argv[1])
started = time.perf_counter()
first = vse.import_project(project)
seconds = time.perf_counter() - started
again = vse.import_project(project)  # replaces what the first made
scene = again.scene
sed = scene.sequence_editor
strips = [{"name": s.name, "type": s.type, "channel": s.channel, "start": s.frame_final_start,
           "end": s.frame_final_end, "offset": s.frame_offset_start, "blend": s.blend_type,
           "offset_x": s.transform.offset_x if hasattr(s, "transform") else None,
           "text": getattr(s, "text", None)} for s in compat.top_strips(sed)]
action = scene.animation_data.action
bag = action.layers[0].strips[0].channelbags[0] if hasattr(action, "layers") and action.layers else action
zoom_curves = {f"{c.data_path}[{c.array_index}]": [(round(k.co[0]), round(k.co[1], 4), k.interpolation)
                                                   for k in c.keyframe_points] for c in bag.fcurves}
written = project_file.write_project_file(project)
print(json.dumps({
    "seconds": seconds, "same_scene": first.scene == again.scene, "scenes": [s.name for s in bpy.data.scenes],
    "fps": scene.render.fps, "fps_base": scene.render.fps_base, "size": [scene.render.resolution_x,
                                                                        scene.render.resolution_y],
    "frame_start": scene.frame_start, "frame_end": scene.frame_end, "strips": strips, "zoom": zoom_curves,
    "warnings": written.warnings, "counts": [written.movie, written.sound, written.text, written.overlay],
}))
