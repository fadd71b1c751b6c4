"""The built-in rules, codes grouped by family like ruff's (``SG1xx`` size ... ``SG6xx`` request parameters).

Each rule's docstring is its documentation (``sora-guard rules CODE``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from sora_guard.plugins import hookimpl
from sora_guard.vocabulary.formats import EXTENSION_FORMATS, FORMAT_MIME, HEIF_MIMES
from sora_guard.vocabulary.model import Finding, ImageInfo, Rule, Severity, Target, rule

W = Severity.WARNING


def _allowed(target: Target) -> str:
    return ", ".join(sorted(target.formats or ()))


@rule("SG101", "size-mismatch", fixable=True)
def size_mismatch(info: ImageInfo, target: Target) -> Iterator[str]:
    """Image size differs from the target size, even by one pixel.

    Why: Sora 2 rejects a reference image whose width and height are not exactly the requested
    ``size`` (HTTP 400 "Inpaint image must match the requested width and height"); Stability and
    other fixed-size services do the same.

    Fix: ``sora-guard fix --size 1280x720 --strategy cover FILE`` (or ``pad``, ``blur-pad``,
    ``smart``), or choose the target with ``--size``. With ``--size auto`` the target is the
    profile's allowed size nearest in aspect ratio to the image.
    """
    expected = target.size_for(info.displayed)
    if expected is not None and info.displayed != expected:
        shown = f"{info.displayed} as displayed" if info.displayed != info.stored else str(info.stored)
        yield f"{shown} does not match the target {expected} ({target.profile.name})"


@rule("SG102", "aspect-out-of-range", fixable=True)
def aspect_out_of_range(info: ImageInfo, target: Target) -> Iterator[str]:
    """Aspect ratio is outside the bounds the service accepts.

    Why: aspect-tolerant services (Kling, MiniMax) still refuse very wide or very tall images.

    Fix: crop or pad to an accepted ratio: ``sora-guard fix --size WxH FILE``.
    """
    bounds = target.profile.aspect
    if bounds and not bounds[0] - 1e-9 <= info.displayed.aspect <= bounds[1] + 1e-9:
        yield f"aspect {info.displayed.aspect:.3f} ({info.displayed}) is outside {bounds[0]:.3f}..{bounds[1]:.3f} ({target.profile.name})"


@rule("SG103", "side-too-small", fixable=True)
def side_too_small(info: ImageInfo, target: Target) -> Iterator[str]:
    """The shorter side is below the service's minimum.

    Why: services such as Kling and MiniMax refuse images with a side under about 300 px.

    Fix: upscale with ``sora-guard fix --size WxH FILE`` (quality suffers; a larger source is better).
    """
    minimum = target.profile.min_side
    if minimum and min(info.stored.width, info.stored.height) < minimum:
        yield f"shorter side {min(info.stored.width, info.stored.height)} px is below {minimum} px ({target.profile.name})"


@rule("SG104", "side-too-large", fixable=True)
def side_too_large(info: ImageInfo, target: Target) -> Iterator[str]:
    """The longer side is above the service's maximum.

    Why: Runway refuses images with a side of 8000 px or more.

    Fix: downscale with ``sora-guard fix --size WxH FILE``.
    """
    maximum = target.profile.max_side
    if maximum and max(info.stored.width, info.stored.height) > maximum:
        yield f"longer side {max(info.stored.width, info.stored.height)} px is above {maximum} px ({target.profile.name})"


@rule("SG105", "size-not-rendered", needs_header=False)
def size_not_rendered(info: ImageInfo, target: Target) -> Iterator[str]:
    """The requested size is not one the profile's model renders.

    Why: the SDK sends any size, and the service answers 400: ``sora-2`` renders only 1280x720 and
    720x1280; 1024x1792, 1792x1024 and 1080p need ``sora-2-pro``.

    Fix: ``sora-guard fix`` cannot help: the size is the request's, not the image's. Ask for a size
    the model renders (``sora-guard profiles NAME`` lists them; ``--size auto`` picks the nearest),
    or use the model that renders the size (``--profile sora-2-pro``, ``model="sora-2-pro"``).
    """
    sizes = target.profile.sizes
    if target.size is not None and sizes and target.size not in sizes:
        from sora_guard.plugins.host import default_registry  # the other profiles; only when the rule fires

        others = [p.name for p in default_registry().profiles.values() if p.models and target.size in p.sizes]
        elsewhere = f", or use {' or '.join(others)}, which renders it" if others else ""
        *some, last = map(str, sizes)
        choice = f"{', '.join(some)} or {last}" if some else last
        yield f"{target.profile.name} does not render {target.size}: ask for {choice}{elsewhere}"


@rule("SG106", "seconds-not-offered", needs_header=False)
def seconds_not_offered(info: ImageInfo, target: Target) -> Iterator[str]:
    """The requested clip length is not one the profile's model offers.

    Why: the SDK sends any ``seconds`` value and the service answers 400; Sora 2 offers 4, 8 and 12
    seconds (the guide also lists 16 and 20).

    Fix: pass one of the profile's ``seconds`` (``sora-guard profiles``), or set
    ``[tool.sora-guard.profiles.NAME] seconds = [...]`` if the service offers more.
    """
    offered = target.profile.seconds
    if target.seconds is not None and offered and str(target.seconds) not in offered:
        yield f"{target.profile.name} does not offer {target.seconds} seconds; it offers {', '.join(offered)}"


@rule("SG107", "aspect-adjusted", severity=W, fixable=True)
def aspect_adjusted(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image's aspect differs from the video's, so the service crops, pads or rescales it.

    Why: Veo and Runway render the video in the aspect the request asks for (``aspect_ratio``,
    ``ratio``) and adjust an image of another shape themselves (Veo's ``resize_mode`` crop or pad):
    the request is accepted, but what ends up in the frame is the service's choice.

    Fix: frame it yourself: ``sora-guard fix --size WxH --strategy cover FILE`` (or ``pad``,
    ``blur-pad``, ``smart``) at the video's aspect, or ask for the aspect the image has.
    """
    output = target.output
    if output is not None and abs(math.log(info.displayed.aspect / output.aspect)) > 0.01:
        yield f"{info.displayed} (aspect {info.displayed.aspect:.3f}) will be cropped or padded by the service to the video's {output.width}:{output.height}"


@rule("SG201", "format-not-allowed", fixable=True, needs_header=False)
def format_not_allowed(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image's real format (read from its content) is not one the service accepts.

    Why: Sora accepts JPEG, PNG and WebP; Veo, Kling, MiniMax and Stability accept JPEG and PNG
    only. HEIC photos from phones, GIF, TIFF and BMP are refused.

    Fix: ``sora-guard fix FILE`` converts to an allowed format and renames the extension (HEIC
    and HEIF are read through pillow-heif, which sora-guard installs).
    """
    if info.format and target.formats and info.format not in target.formats:
        yield f"{info.format} is not accepted by {target.profile.name} (allowed: {_allowed(target)})"


@rule("SG202", "extension-mismatch", fixable=True, needs_header=False)
def extension_mismatch(info: ImageInfo, target: Target) -> Iterator[str]:
    """The file name's extension does not match the content.

    Why: uploads take their MIME type from the file name, not the bytes: a PNG named ``.jpg`` is
    sent as ``image/jpeg`` and may be refused or misread, and a name without an image extension
    goes out as ``application/octet-stream``.

    Fix: ``sora-guard fix FILE`` renames the file to match its content (and converts it if the
    format is not allowed).
    """
    if not info.format or info.name.startswith("<"):
        return
    promised = EXTENSION_FORMATS.get(info.extension)
    if promised is None:
        yield f"extension {info.extension or '(none)'!r} does not name an image format; the content is {info.format}"
    elif promised != info.format:
        yield f"content is {info.format} but the extension {info.extension!r} says {promised}"


@rule("SG203", "mime-mismatch", fixable=True, needs_header=False)
def mime_mismatch(info: ImageInfo, target: Target) -> Iterator[str]:
    """The MIME type the upload declares contradicts its content.

    Why: SDKs send the type they are given or guess it from a file name (a data URI's
    ``data:image/png``, ``types.Image(mime_type=...)``, ``Image.from_file`` and ``upload_file``
    use the extension): a JPEG declared ``image/png`` is refused or decoded wrongly by the service.

    Fix: declare the type of the content (rename the file: ``sora-guard fix FILE``), or let the
    guard send it under its real type: ``sora_guard.guard(client, fix="cover")``.
    """
    declared = (info.declared_mime or "").split(";")[0].strip().lower()
    if declared and info.format:
        real = FORMAT_MIME.get(info.format) or f"image/{info.format.lower()}"
        if declared != real and not {declared, real} <= HEIF_MIMES:
            yield f"declared {declared} but the content is {info.format} ({real})"


@rule("SG301", "file-too-large", fixable=True, needs_header=False)
def file_too_large(info: ImageInfo, target: Target) -> Iterator[str]:
    """The file is larger than the service's upload limit.

    Why: Kling takes 10 MB, MiniMax 20 MB, Runway 16 MB by URL and 5 MB as a data URI; larger
    uploads are refused.

    Fix: ``sora-guard fix FILE`` re-encodes at the target size; set ``max-bytes`` to the limit
    that applies to you.
    """
    if target.max_bytes and info.byte_size is not None and info.byte_size > target.max_bytes:
        yield f"{info.byte_size} bytes is over the limit of {target.max_bytes} bytes ({target.profile.name})"


@rule("SG302", "empty-file", needs_header=False)
def empty_file(info: ImageInfo, target: Target) -> Iterator[str]:
    """The file is empty.

    Why: an empty upload is refused, and usually means an interrupted copy or a placeholder.

    Fix: restore the image from its source.
    """
    if info.byte_size == 0:
        yield "file is empty (0 bytes)"


@rule("SG401", "cmyk-colour", fixable=True)
def cmyk_colour(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image is CMYK (print colour), not RGB.

    Why: video services expect RGB; CMYK JPEGs are refused or decoded with wrong, inverted colours,
    and cannot be saved as PNG at all.

    Fix: ``sora-guard fix FILE`` converts to sRGB through the embedded ICC profile.
    """
    if info.mode == "CMYK":
        yield "CMYK colour; services expect RGB"


@rule("SG402", "high-bit-depth", fixable=True)
def high_bit_depth(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image has more than 8 bits per channel.

    Why: 16-bit PNGs and TIFFs and 10-bit HEIF phone photos are read inconsistently (some decoders
    truncate, others refuse); the service's behaviour is not documented, so sora-guard does not
    wave them through.

    Fix: ``sora-guard fix FILE`` converts to 8-bit RGB.
    """
    if info.bits > 8:
        yield f"{info.bits}-bit channels ({info.mode}); use 8-bit"


@rule("SG403", "exif-orientation", fixable=True)
def exif_orientation(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The image carries an EXIF orientation tag, so its displayed and stored pictures differ.

    Why: a JPEG stored 1280x720 with orientation 6 displays as 720x1280. Whether the service
    rotates is not documented: one reading of the file matches the size and the other does not.
    Orientations that only flip or turn by 180 degrees keep the size but may upload upside down.

    Fix: ``sora-guard fix FILE`` applies the rotation to the pixels and removes the tag.
    """
    if info.orientation in (5, 6, 7, 8):
        yield Finding(
            f"EXIF orientation {info.orientation}: stored {info.stored}, displayed {info.displayed}"
        )
    elif info.orientation != 1:
        yield Finding(f"EXIF orientation {info.orientation} flips or turns the picture", Severity.WARNING)


@rule("SG404", "animated", fixable=True)
def animated(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image is animated (more than one frame), or a HEIF holds several top-level images.

    Why: a reference image is one frame; services take the first frame, a different one, or refuse.
    A HEIF burst or collection is several pictures, of which viewers show the primary one; its depth
    maps, HDR gain maps and thumbnails are auxiliary images, not frames, and do not count.

    Fix: ``sora-guard fix FILE`` keeps the first frame (a HEIF's primary image).
    """
    if info.n_frames > 1 and info.format == "HEIF":
        yield f"{info.n_frames} top-level images (a burst or collection); viewers show the primary one"
    elif info.n_frames > 1:
        yield f"animated: {info.n_frames} frames"


@rule("SG405", "unusual-mode", severity=W, fixable=True)
def unusual_mode(info: ImageInfo, target: Target) -> Iterator[str]:
    """The colour mode is not plain RGB, RGBA or greyscale (palette, 1-bit, and similar).

    Why: most decoders cope, but palette and bilevel images are converted in ways that vary by
    service; plain 8-bit RGB is what every service reads the same way.

    Fix: ``sora-guard fix FILE`` converts to 8-bit RGB.
    """
    if info.mode not in ("RGB", "RGBA", "L", "CMYK") and info.bits <= 8:
        yield f"colour mode {info.mode}"


@rule("SG406", "transparency", severity=W, fixable=True)
def transparency(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image has an alpha channel or a transparent colour.

    Why: video frames are opaque; services flatten transparency onto a colour they choose (often
    black), which may not be what you meant.

    Fix: ``sora-guard fix FILE`` flattens onto the background you configure (``background``).
    """
    if info.has_transparency and not target.profile.needs_alpha:
        yield "has transparency; the service will flatten it onto a colour it chooses"


@rule("SG407", "missing-alpha")
def missing_alpha(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image has no transparency, but the target needs it (an edit mask).

    Why: ``images.edit`` edits where the mask is transparent; a mask without an alpha channel
    (or a transparent colour) is refused.

    Fix: save the mask as a PNG with an alpha channel, transparent where the image should change.
    """
    if target.profile.needs_alpha and not info.has_transparency:
        yield f"{info.mode} image has no alpha channel; {target.profile.name} needs transparent pixels"


@rule("SG501", "unreadable", needs_header=False)
def unreadable(info: ImageInfo, target: Target) -> Iterator[str | Finding]:
    """The file, or a folder that may hold images, cannot be read.

    Why: a missing file, a broken symbolic link, a symbolic link loop or a permission problem
    fails the upload, and an unreadable folder hides the images in it. A symbolic link that
    points outside the folders being checked is not followed (a warning; ``follow-symlinks =
    true`` or ``--follow-symlinks`` follows it).

    Fix: check the path and its permissions.
    """
    if info.read_error:
        yield f"cannot read file: {info.read_error}"
    if info.skipped:
        yield Finding(f"not read: {info.skipped}", Severity.WARNING)


@rule("SG502", "not-an-image", needs_header=False)
def not_an_image(info: ImageInfo, target: Target) -> Iterator[str]:
    """The content is not an image sora-guard can read.

    Why: text, HTML error pages saved as ``.jpg`` and unknown formats are refused by every service.
    HEIC and HEIF are read (through pillow-heif, installed with sora-guard); one whose container
    libheif cannot read is damaged, usually cut short.

    Fix: restore the image from its source.
    """
    if info.identify_error and not info.too_many_pixels and info.byte_size != 0:
        yield info.identify_error


@rule("SG503", "corrupt-data", needs_header=True)
def corrupt_data(info: ImageInfo, target: Target) -> Iterator[str]:
    """The header is valid but the image data is truncated or corrupt.

    Why: the service decodes the whole image and refuses it (or renders garbage) when the data
    stops early or is damaged. Interrupted downloads and copies cause this.

    Fix: restore the image from its source; it cannot be repaired reliably.
    """
    if info.decode_error:
        yield info.decode_error


@rule("SG504", "too-many-pixels", needs_header=False)
def too_many_pixels(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image declares more pixels than the configured limit (a decompression bomb, or a huge image).

    Why: decoding it would take gigabytes of memory. sora-guard refuses it before decoding.

    Fix: downscale it with another tool, or raise ``max-pixels`` if the image is genuine.
    """
    if info.too_many_pixels:
        size = f"{info.stored} = {info.stored.pixels} pixels" if info.stored else info.identify_error
        yield f"{size}, over the limit of {target.limits.max_pixels} pixels; not decoded"


@rule("SG505", "decode-timeout", needs_header=False)
def decode_timeout(info: ImageInfo, target: Target) -> Iterator[str]:
    """Decoding the image took longer than the configured ``max-decode-seconds``.

    Why: pathological files (progressive JPEGs with thousands of scans, huge compressed streams)
    tie up a worker for minutes; the service's decoder is likely to give up too, and a hostile
    file must not stall a whole run.

    Fix: re-encode the image with another tool, or raise ``max-decode-seconds`` if it is genuine.
    """
    if info.decode_timeout is not None:
        yield f"decoding stopped after {info.decode_timeout:g} s (max-decode-seconds); integrity not proven"


@rule("SG506", "jpeg-extraneous-bytes", severity=W)
def jpeg_extraneous_bytes(info: ImageInfo, target: Target) -> Iterator[str]:
    """A JPEG has extraneous bytes between its header segments, which libjpeg skips with a warning.

    Why: libjpeg (Pillow, browsers) decodes the file after printing "Corrupt JPEG data: N
    extraneous bytes before marker", but strict decoders (libvips with ``fail=True``, some
    upload pipelines) refuse it, so a service may reject an image that opens everywhere else.
    Damaged EXIF blocks and careless editors leave such bytes behind.

    Fix: rewrite the file losslessly, which drops the extraneous bytes and keeps every pixel:
    ``jpegtran -copy all FILE > FIXED.jpg`` (libjpeg-turbo's tools). ``sora-guard fix`` leaves a
    file with only warnings as it is; when it re-encodes the image for an error, the result is
    clean. Extraneous bytes after the coded image data are not found: telling them from image data
    takes a full decode, which ``check`` avoids for baseline JPEGs.
    """
    if info.extraneous_bytes:
        count, marker = info.extraneous_bytes
        yield (
            f"{count} extraneous byte{'s' if count != 1 else ''} before JPEG marker 0x{marker:02X}: libjpeg "
            "skips them with a warning, strict decoders refuse the file"
        )


@rule("SG601", "request-refused", needs_header=False)
def request_refused(info: ImageInfo, target: Target) -> Iterator[str]:
    """The call's own parameters are a combination the service refuses (pre-flight guard).

    Why: the SDKs send them anyway and the service answers 400: an ``images.edit`` output size not
    divisible by 16, more than 16 images, a mask together with a markup; Veo reference images
    together with a first or last frame.

    Fix: change the call's parameters as the message says.
    """
    yield from target.problems


BUILTIN_RULES: tuple[Rule, ...] = (
    size_mismatch,
    aspect_out_of_range,
    side_too_small,
    side_too_large,
    size_not_rendered,
    seconds_not_offered,
    aspect_adjusted,
    format_not_allowed,
    extension_mismatch,
    mime_mismatch,
    file_too_large,
    empty_file,
    cmyk_colour,
    high_bit_depth,
    exif_orientation,
    animated,
    unusual_mode,
    transparency,
    missing_alpha,
    unreadable,
    not_an_image,
    corrupt_data,
    too_many_pixels,
    decode_timeout,
    jpeg_extraneous_bytes,
    request_refused,
)


@hookimpl
def sora_guard_rules() -> list[Rule]:
    return list(BUILTIN_RULES)
