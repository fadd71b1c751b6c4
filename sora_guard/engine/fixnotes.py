"""The diagnostics only ``fix`` makes (``SG9xx``): rules whose findings come from a repair, registered
with the other built-ins so ``sora-guard rules SG914`` documents them and selectors name them."""

from __future__ import annotations

from collections.abc import Iterator

from sora_guard.vocabulary.model import ImageInfo, Rule, Severity, Target, rule

__all__ = [
    "FIX_RULES",
    "distorted",
    "enlarged",
    "finder_failed",
    "gain_map_dropped",
    "name_taken",
    "not_fixed",
    "profile_ignored",
    "renamed",
    "subjects_cut",
    "write_failed",
]

W = Severity.WARNING


@rule("SG901", "write-failed", needs_header=False, always=True, stage="fix")
def write_failed(info: ImageInfo, target: Target) -> Iterator[str]:
    """The fixed file could not be written; the original is untouched.

    Why: a read-only file or folder, a full disk, or a symbolic link that leads out of ``--out``
    stops the write. Writes are atomic, so nothing is left half-written.

    Fix: make the file or folder writable (or free space) and run ``sora-guard fix`` again.
    """
    return iter(())


@rule("SG902", "not-fixed", needs_header=False, always=True, stage="fix")
def not_fixed(info: ImageInfo, target: Target) -> Iterator[str]:
    """The repaired image would still fail the check, or the strategy failed: nothing was written.

    Why: ``fix`` checks its own result before writing it and never writes one that fails (a byte
    limit no quality meets, a plugin strategy returning the wrong size).

    Fix: the message names what still fails; choose another strategy, size or ``convert-to``.
    """
    return iter(())


@rule("SG903", "name-taken", needs_header=False, always=True, stage="fix")
def name_taken(info: ImageInfo, target: Target) -> Iterator[str]:
    """The converted file needs a new extension, but a file with that name exists: nothing was written.

    Why: converting ``photo.heic`` writes ``photo.jpg``; an existing ``photo.jpg`` is never replaced.

    Fix: rename or remove one of the two files, then run ``sora-guard fix`` again.
    """
    return iter(())


@rule("SG911", "enlarged", severity=W, needs_header=False, stage="fix")
def enlarged(info: ImageInfo, target: Target) -> Iterator[str]:
    """The picture had to be enlarged more than 2x: it will look soft.

    Why: a small source stretched to the target size loses detail the model then copies.

    Fix: start from a larger original, or choose a smaller target size.
    """
    return iter(())


@rule("SG912", "distorted", severity=W, needs_header=False, stage="fix")
def distorted(info: ImageInfo, target: Target) -> Iterator[str]:
    """The ``stretch`` strategy changed the picture's proportions.

    Why: ``stretch`` fills the target size whatever the picture's aspect, so round things turn oval.

    Fix: use ``cover``, ``pad``, ``blur-pad`` or ``smart``, which keep the proportions.
    """
    return iter(())


@rule("SG913", "profile-ignored", severity=W, needs_header=False, stage="fix")
def profile_ignored(info: ImageInfo, target: Target) -> Iterator[str]:
    """The embedded colour profile could not be applied; the pixels were taken as sRGB.

    Why: a damaged ICC profile, or an HDR curve (PQ, HLG) that no ICC profile can hold, cannot
    convert the colours; the picture may look washed out or too dark.

    Fix: export the image in sRGB from the application that made it.
    """
    return iter(())


@rule("SG914", "renamed", severity=W, needs_header=False, stage="fix")
def renamed(info: ImageInfo, target: Target) -> Iterator[str]:
    """The file's format changed, so its extension changed with it.

    Why: uploads take their type from the file name: a converted HEIC saved as JPEG must be
    named ``.jpg``. The old file is removed once the new one is written.

    Fix: nothing to do; update references to the old name.
    """
    return iter(())


@rule("SG915", "gain-map-dropped", severity=W, needs_header=False, stage="fix")
def gain_map_dropped(info: ImageInfo, target: Target) -> Iterator[str]:
    """The HEIF's HDR gain map was left out: the output is the standard-range picture.

    Why: the formats video services take have no place for Apple's gain map; the JPEG shows what
    every viewer without HDR shows.

    Fix: nothing to do; keep the original if you need the HDR rendition.
    """
    return iter(())


@rule("SG916", "subjects-cut", severity=W, needs_header=False, stage="fix")
def subjects_cut(info: ImageInfo, target: Target) -> Iterator[str]:
    """No crop of the target's shape keeps every face (or other subject) whole.

    Why: ``smart`` keeps the largest faces whole and drops a face rather than halving it, but a
    group photo fitted to another shape may not fit everyone; a face cut at the edge ruins the
    generation.

    Fix: use ``blur-pad`` (or ``pad``), which keeps the whole picture, or crop it yourself
    (``--strategy crop --crop-box``).
    """
    return iter(())


@rule("SG917", "finder-failed", severity=W, needs_header=False, stage="fix")
def finder_failed(info: ImageInfo, target: Target) -> Iterator[str]:
    """A subject finder failed on this picture; the fit went on without it.

    Why: a finder plugin (the built-in face finder, or a third party's) raised an error; the window
    was chosen without the subjects it would have found.

    Fix: look at the picture the fix wrote; report the failure to the finder's author.
    """
    return iter(())


FIX_RULES: tuple[Rule, ...] = (
    write_failed,
    not_fixed,
    name_taken,
    enlarged,
    distorted,
    profile_ignored,
    renamed,
    gain_map_dropped,
    subjects_cut,
    finder_failed,
)
