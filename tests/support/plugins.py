"""A third-party plugin's source, as a user would write it from the README (a rule and a profile)."""

from __future__ import annotations

import textwrap

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
