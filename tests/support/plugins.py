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
