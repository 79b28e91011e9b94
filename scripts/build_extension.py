"""Build the Blender extension zip from addon/ and blender_manifest.toml, and validate it.

Uses Blender's own extension tool (bl_pkg's blender_ext.py), which the bpy
module carries, so no `blender` binary is needed:

    .venv/bin/python scripts/build_extension.py [--out dist]            # the add-on; the engine runs in a venv
    .venv/bin/python scripts/build_extension.py --bundle [--out dist]   # self-contained, linux-x64

--bundle puts the engine and its runtime dependencies into the zip as wheels
(the manifest's `wheels`), for Blender's own Python 3.11 to run. The list comes from
pyproject.toml's dependencies at build time, pinned by constraints.txt, less those
the engine never imports (found by reading its imports), plus what they need.
"""
from __future__ import annotations

import argparse
import ast
import importlib.metadata
import importlib.util
import logging
import re
import shutil
import subprocess
import sys
import tempfile
import tomllib
from pathlib import Path

log = logging.getLogger("build_extension")
ROOT = Path(__file__).resolve().parent.parent
BUNDLE_PLATFORM = "linux-x64"
# Blender 4.2+ on Linux needs glibc 2.28, so wheels for any manylinux up to 2.28 run there.
# PySide6-Essentials 6.12 (movis's Qt) ships manylinux_2_34 wheels only: the self-contained build needs
# glibc 2.34 or newer (Ubuntu 22.04, Debian 12, RHEL 9 and later).
PIP_PLATFORMS = [f"manylinux_2_{minor}_x86_64" for minor in range(34, 4, -1)] + \
    ["manylinux2014_x86_64", "manylinux2010_x86_64", "manylinux1_x86_64", "linux_x86_64"]
PYTHON_VERSION = "3.11"  # Blender 4.2 to 5.0


def blender_ext_tool() -> Path:
    """bl_pkg's command line tool inside the installed bpy module (found without importing bpy)."""
    spec = importlib.util.find_spec("bpy")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("error: bpy is not installed in this Python; run scripts/setup")
    base = Path(next(iter(spec.submodule_search_locations)))
    tools = sorted(base.glob("*/scripts/addons_core/bl_pkg/cli/blender_ext.py"))
    if not tools:
        raise SystemExit(f"error: {base}: no bl_pkg/cli/blender_ext.py in this bpy")
    return tools[-1]


def _requirement_name(requirement: str) -> str:
    """The distribution name of a PEP 508 requirement."""
    return re.split(r"[\s<>=!~;\[(]", requirement.strip(), maxsplit=1)[0]


def engine_imports() -> set[str]:
    """Top-level modules the engine's code imports anywhere (functions included)."""
    names: set[str] = set()
    for path in (ROOT / "engine").rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name.split(".")[0] for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names.add(node.module.split(".")[0])
    return names


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def runtime_requirements() -> list[str]:
    """pyproject.toml's dependencies that the engine imports or that plug into a package it imports.

    Fails when the engine imports a package that pyproject.toml does not declare: the bundle would lack
    it, and so would a fresh scripts/setup. Warns about plugins of imported packages (entry points, such as
    OpenTimelineIO's adapters) that are installed here but not declared: the engine may load them.
    """
    declared = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    declared_names = {_normal(_requirement_name(r)) for r in declared + without_deps()}
    imported = engine_imports() - set(sys.stdlib_module_names) - {"engine"}
    providers: dict[str, set[str]] = {}
    for module, dists in importlib.metadata.packages_distributions().items():
        for dist in dists:
            providers.setdefault(_normal(dist), set()).add(module)
    plugins: dict[str, set[str]] = {}  # distribution -> the imported packages it plugs into (entry points)
    for dist in importlib.metadata.distributions():
        hosts = {ep.group.split(".")[0] for ep in dist.entry_points} & imported
        if hosts:
            plugins.setdefault(_normal(dist.metadata["Name"]), set()).update(hosts)
    missing = sorted(imported - {m for name in declared_names for m in providers.get(name, set())})
    if missing:
        raise SystemExit(f"error: the engine imports {', '.join(missing)}, which pyproject.toml's dependencies "
                         f"do not provide (or which are not installed here): declare them, then run scripts/setup")
    for dist, hosts in sorted(plugins.items()):
        if dist not in declared_names:
            log.warning("bundle: %s (a plugin of %s) is installed here but not declared, so it is not bundled",
                        dist, ", ".join(sorted(hosts)))
    kept = []
    needed = {_normal(n) for n in _tool_config()["needed-by-those"]}
    for requirement in declared:
        name = _normal(_requirement_name(requirement))
        modules = providers.get(name)
        if modules is not None and not modules & imported and name not in plugins and name not in needed:
            log.info("bundle: leaving out %s: the engine never imports it", requirement)
            continue
        kept.append(requirement)
    return kept


def _tool_config() -> dict:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["ai-video-editor"]


def without_deps() -> list[str]:
    """Requirements installed with --no-deps (pyproject.toml's [tool.ai-video-editor])."""
    return _tool_config()["install-without-deps"]


def engine_source(staging: Path) -> Path:
    """A copy of what the engine's wheel is built from, so that building leaves nothing in the checkout."""
    source = staging / "engine-source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "engine", source / "engine", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return source


def download_wheels(dest: Path, staging: Path) -> list[Path]:
    """The engine's own wheel and linux-x64 CPython 3.11 wheels of everything it needs at run time."""
    dest.mkdir(parents=True, exist_ok=True)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check"]
    platforms = [arg for tag in PIP_PLATFORMS for arg in ("--platform", tag)]
    steps = [
        [*pip, "wheel", "--no-deps", "--wheel-dir", str(dest), str(engine_source(staging))],
        [*pip, "download", "--only-binary=:all:", "--dest", str(dest), "--python-version", PYTHON_VERSION,
         "--implementation", "cp", "--abi", f"cp{PYTHON_VERSION.replace('.', '')}", *platforms,
         "-c", str(ROOT / "constraints.txt"), *runtime_requirements()],
        [*pip, "download", "--only-binary=:all:", "--no-deps", "--dest", str(dest), "--python-version",
         PYTHON_VERSION, "--implementation", "cp", "--abi", f"cp{PYTHON_VERSION.replace('.', '')}", *platforms,
         *without_deps()],
    ]
    for command in steps:
        proc = subprocess.run(command, capture_output=True, text=True)
        if proc.returncode != 0:
            raise SystemExit(f"error: {' '.join(command[3:5])} failed:\n{(proc.stdout + proc.stderr).strip()[-3000:]}")
    wheels = sorted(dest.glob("*.whl"))
    log.info("bundle: %d wheels, %.0f MB", len(wheels), sum(w.stat().st_size for w in wheels) / 1e6)
    return wheels


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(f'"{v}"' for v in values) + "]"


def stage_sources(staging: Path, bundle: bool) -> Path:
    """Lay out the extension's files as Blender expects: the manifest beside the add-on's __init__.py."""
    manifest_text = (ROOT / "blender_manifest.toml").read_text()
    manifest = tomllib.loads(manifest_text)
    package = staging / manifest["id"]
    shutil.copytree(ROOT / "addon", package, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    if bundle:
        wheels = download_wheels(package / "wheels", staging)
        extra = (f"\nplatforms = {_toml_list([BUNDLE_PLATFORM])}\n"
                 f"wheels = {_toml_list([f'./wheels/{w.name}' for w in wheels])}\n")
        # Top-level keys must come before the first [table] of the manifest.
        head, sep, tables = manifest_text.partition("\n[")
        manifest_text = head.rstrip("\n") + "\n" + extra + (sep + tables if sep else "")
    (package / "blender_manifest.toml").write_text(manifest_text)
    return package


def build(out_dir: Path, bundle: bool = False) -> Path:
    tool = blender_ext_tool()
    manifest = tomllib.loads((ROOT / "blender_manifest.toml").read_text())
    out_dir.mkdir(parents=True, exist_ok=True)
    suffix = f"-{BUNDLE_PLATFORM.replace('-', '_')}" if bundle else ""
    zip_path = out_dir / f"{manifest['id']}-{manifest['version']}{suffix}.zip"
    with tempfile.TemporaryDirectory() as tmp:
        package = stage_sources(Path(tmp), bundle)
        for command in (["build", "--source-dir", str(package), "--output-filepath", str(zip_path)],
                        ["validate", str(zip_path)]):
            proc = subprocess.run([sys.executable, str(tool), *command], capture_output=True, text=True)
            if proc.returncode != 0:
                raise SystemExit(f"error: blender_ext {command[0]} failed: {(proc.stdout + proc.stderr).strip()}")
            log.info("%s", proc.stdout.strip())
    return zip_path


def main() -> None:
    logging.basicConfig(level=logging.INFO, format="%(message)s", stream=sys.stderr)
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--bundle", action="store_true",
                        help=f"self-contained {BUNDLE_PLATFORM} build: the engine and its dependencies as wheels")
    args = parser.parse_args()
    print(build(args.out, args.bundle))


if __name__ == "__main__":
    main()
