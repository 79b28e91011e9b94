"""Building blocks for motion graphics scenes: a flat 2D canvas, shapes, text, keys, render settings.

Units: the frame is 1.0 high and `aspect` wide, centred on the origin, y up; an
orthographic camera looks straight down. Every material is an emission of one
flat colour (and the same viewport colour), so Workbench's flat lighting on a CPU
and Cycles on a GPU draw identical pixels; the background stays transparent.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field

import bpy

Color = tuple[float, float, float, float]

PANEL = "#151a26"
TEXT = "#ffffff"
MUTED = "#aab2c0"
ACCENTS = ("#f5a623", "#2ec4b6", "#e94f64", "#7c8cf8", "#8bd17c", "#f78c6b")


def srgb(hex_color: str, alpha: float = 1.0) -> Color:
    """A CSS-style colour as linear RGBA (Blender's colour space), so it renders as the hex value."""
    channels = [int(hex_color[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return linear[0], linear[1], linear[2], alpha


def gpu_backend() -> str | None:
    """The first GPU backend Cycles can use here (and select it), or None on a CPU-only machine."""
    addon = bpy.context.preferences.addons.get("cycles")
    if addon is None:
        return None
    prefs = addon.preferences
    for backend in ("OPTIX", "CUDA", "HIP", "ONEAPI", "METAL"):
        try:
            devices = prefs.get_devices_for_type(backend)
        except (TypeError, ValueError, AttributeError):
            continue
        if any(device.type == backend for device in devices):
            prefs.compute_device_type = backend
            for device in devices:
                device.use = device.type == backend
            return backend
    return None


@dataclass
class Canvas:
    """One clip's scene: camera, render settings and a material per colour."""

    scene: bpy.types.Scene
    width: int
    height: int
    _materials: dict[str, bpy.types.Material] = field(default_factory=dict)

    @property
    def aspect(self) -> float:
        return self.width / self.height

    @classmethod
    def create(cls, name: str, width: int, height: int, frames: int) -> Canvas:
        scene = bpy.data.scenes.new(name)
        render = scene.render
        render.resolution_x, render.resolution_y, render.resolution_percentage = width, height, 100
        render.film_transparent = True
        settings = render.image_settings
        if hasattr(settings, "media_type"):
            settings.media_type = "IMAGE"
        settings.file_format, settings.color_mode, settings.color_depth = "PNG", "RGBA", "8"
        settings.compression = 15  # the PNGs go into the clip as they are: a little compression, fast
        scene.view_settings.view_transform = "Standard"
        scene.frame_start, scene.frame_end = 1, frames
        camera = bpy.data.cameras.new(name)
        camera.type, camera.sensor_fit, camera.ortho_scale = "ORTHO", "VERTICAL", 1.0
        camera_object = bpy.data.objects.new(name, camera)
        camera_object.location = (0.0, 0.0, 10.0)
        scene.collection.objects.link(camera_object)
        scene.camera = camera_object
        return cls(scene, width, height)

    def use_engine(self, gpu: str | None, gpu_samples: int, supersample: float) -> str:
        """Cycles on a GPU when there is one; on a CPU Workbench, flat-lit, without its (slow) anti-aliasing
        but `supersample` times larger, for the engine to scale down. Returns what renders."""
        scene = self.scene
        if gpu:
            scene.render.engine = "CYCLES"
            scene.cycles.device = "GPU"
            scene.cycles.samples = gpu_samples
            scene.cycles.use_denoising = False  # flat colours: the samples only smooth the edges
            scene.cycles.max_bounces = 0
            scene.render.use_persistent_data = True
            return f"Cycles {gpu} {gpu_samples} samples"
        scene.render.engine = "BLENDER_WORKBENCH"
        shading = scene.display.shading
        shading.light, shading.color_type = "FLAT", "MATERIAL"
        shading.show_object_outline = shading.show_cavity = shading.show_shadows = False
        scene.display.render_aa = "OFF"
        render = scene.render
        render.resolution_x = _even(self.width * supersample)
        render.resolution_y = _even(self.height * supersample)
        return f"Workbench {render.resolution_x}x{render.resolution_y}"

    def material(self, hex_color: str, alpha: float = 1.0) -> bpy.types.Material:
        key = f"{hex_color}/{alpha}"
        if key not in self._materials:
            color = srgb(hex_color, alpha)
            mat = bpy.data.materials.new(key)
            mat.diffuse_color = color  # what Workbench draws
            tree = mat.node_tree
            tree.nodes.clear()
            emission = tree.nodes.new("ShaderNodeEmission")
            emission.inputs["Color"].default_value = color
            output = tree.nodes.new("ShaderNodeOutputMaterial")
            tree.links.new(emission.outputs["Emission"], output.inputs["Surface"])
            self._materials[key] = mat
        return self._materials[key]

    def _link(self, name: str, data: bpy.types.ID, hex_color: str, z: float) -> bpy.types.Object:
        data.materials.append(self.material(hex_color))
        obj = bpy.data.objects.new(name, data)
        obj.location.z = z
        self.scene.collection.objects.link(obj)
        return obj

    def rect(self, name: str, x: float, y: float, w: float, h: float, hex_color: str, radius: float = 0.0,
             anchor: str = "center", z: float = 0.0) -> bpy.types.Object:
        """A (rounded) rectangle placed by its anchor: center, bottom (grows up when scaled in y) or left."""
        ox = {"left": 0.0}.get(anchor, -w / 2)
        oy = {"bottom": 0.0}.get(anchor, -h / 2)
        outline = _rounded_outline(ox, oy, w, h, radius)
        mesh = bpy.data.meshes.new(name)
        mesh.from_pydata(outline, [], [tuple(range(len(outline)))])
        obj = self._link(name, mesh, hex_color, z)
        obj.location.x, obj.location.y = x, y
        return obj

    def disc(self, name: str, x: float, y: float, radius: float, hex_color: str, z: float = 0.0) -> bpy.types.Object:
        return self.rect(name, x, y, 2 * radius, 2 * radius, hex_color, radius=radius, z=z)

    def triangle(self, name: str, x: float, y: float, size: float, angle: float, hex_color: str,
                 z: float = 0.0) -> bpy.types.Object:
        """An arrow head pointing along `angle` (radians), its tip at (x, y)."""
        mesh = bpy.data.meshes.new(name)
        mesh.from_pydata([(0.0, 0.0, 0.0), (-size, size * 0.6, 0.0), (-size, -size * 0.6, 0.0)], [], [(0, 1, 2)])
        obj = self._link(name, mesh, hex_color, z)
        obj.location.x, obj.location.y = x, y
        obj.rotation_euler.z = angle
        return obj

    def text(self, name: str, body: str, x: float, y: float, size: float, hex_color: str = TEXT,
             align: str = "CENTER", max_width: float | None = None, z: float = 0.1) -> bpy.types.Object:
        """Text whose size shrinks until it fits max_width (frame units)."""
        curve = bpy.data.curves.new(name, "FONT")
        curve.body = body
        curve.align_x, curve.align_y = align, "CENTER"
        curve.size = size
        obj = self._link(name, curve, hex_color, z)
        obj.location.x, obj.location.y = x, y
        if max_width:
            self.scene.view_layers[0].update()
            if obj.dimensions.x > max_width:
                curve.size = size * max_width / obj.dimensions.x
        return obj


def _even(value: float) -> int:
    return max(2, int(round(value / 2)) * 2)


def _rounded_outline(x: float, y: float, w: float, h: float, radius: float) -> list[tuple[float, float, float]]:
    radius = min(radius, w / 2, h / 2)
    if radius <= 0:
        return [(x, y, 0.0), (x + w, y, 0.0), (x + w, y + h, 0.0), (x, y + h, 0.0)]
    points = []
    corners = ((x + w - radius, y + radius, -90), (x + w - radius, y + h - radius, 0),
               (x + radius, y + h - radius, 90), (x + radius, y + radius, 180))
    for cx, cy, start in corners:
        for step in range(7):
            angle = math.radians(start + 15 * step)
            points.append((cx + radius * math.cos(angle), cy + radius * math.sin(angle), 0.0))
    return points


def key(obj: bpy.types.Object, path: str, frame: float, value: tuple[float, ...] | float) -> None:
    """Key a property of an object at a frame; Blender's default Bezier keys ease in and out."""
    setattr(obj, path, value)
    obj.keyframe_insert(path, frame=frame)


def pop_in(obj: bpy.types.Object, start: float, end: float, axes: str = "xy") -> None:
    """Grow from nothing to full size between two frames, along the given axes."""
    full = tuple(obj.scale)
    small = tuple(0.0 if "xyz"[i] in axes else full[i] for i in range(3))
    if start > 1:
        key(obj, "scale", 1, small)
    key(obj, "scale", start, small)
    key(obj, "scale", end, full)


def slide_in(obj: bpy.types.Object, start: float, end: float, dx: float = 0.0, dy: float = 0.0) -> None:
    """Move in from (dx, dy) away to where it stands between two frames."""
    final = tuple(obj.location)
    away = (final[0] + dx, final[1] + dy, final[2])
    if start > 1:
        key(obj, "location", 1, away)
    key(obj, "location", start, away)
    key(obj, "location", end, final)
