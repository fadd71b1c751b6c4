"""A third-party plugin's source, as a user would write it from the README (a rule and a profile), and
its installation as pip would leave it."""

from __future__ import annotations

import textwrap
from pathlib import Path

STUDIO = textwrap.dedent(
    '''
    from sora_guard.plugins import Profile, Size, hookimpl, rule


    @rule("STU001", "wider-than-two-to-one")
    def wider_than_two_to_one(info, target):
        """The image is wider than 2:1.

        Why: our compositor letterboxes anything wider.

        Fix: crop it.
        """
        if info.displayed.aspect > 2:
            yield f"aspect {info.displayed.aspect:.2f} is wider than 2:1"


    @hookimpl
    def sora_guard_rules():
        return [wider_than_two_to_one]


    @hookimpl
    def sora_guard_profiles():
        return [Profile(name="studio", description="our render farm", formats=frozenset({"PNG"}), sizes=(Size(1024, 512), Size(512, 512)))]
    '''
)


def install_plugin(site: Path, dist: str, entry_points: dict[str, str], modules: dict[str, str]) -> None:
    """Write modules and a ``.dist-info`` with entry points into ``site`` (what pip would leave behind)."""
    site.mkdir(parents=True, exist_ok=True)
    for name, source in modules.items():
        (site / f"{name}.py").write_text(source)
    info = site / f"{dist}-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: 0.1\n")
    lines = "".join(f"{name} = {target}\n" for name, target in entry_points.items())
    (info / "entry_points.txt").write_text(f"[sora_guard]\n{lines}")


LOGOS = textwrap.dedent(
    '''
    from PIL import ImageChops

    from sora_guard.plugins import Finder, Subject, hookimpl


    def find_logos(image):
        """Our logo is the one pure red patch in a picture: keep it whole."""
        r, g, b = image.convert("RGB").split()
        red = ImageChops.subtract(r, ImageChops.add(g, b)).point(lambda v: 255 if v > 128 else 0)
        box = red.getbbox()
        if box is None:
            return []
        w, h = image.size
        return [Subject((box[0] / w, box[1] / h, box[2] / w, box[3] / h), kind="logo", weight=1.0)]


    @hookimpl
    def sora_guard_finders():
        return [Finder("logos", "our red logo", find_logos)]
    '''
)
