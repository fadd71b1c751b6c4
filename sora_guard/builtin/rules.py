"""The built-in rules, codes grouped by family like ruff's (``SG1xx`` size ... ``SG6xx`` request parameters).

Each rule's docstring is its documentation (``sora-guard rules CODE``).
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from sora_guard.engine.fixnotes import FIX_RULES
from sora_guard.plugins import hookimpl
from sora_guard.vocabulary.formats import EXTENSION_FORMATS, FORMAT_MIME, HEIF_MIMES
from sora_guard.vocabulary.model import Finding, Fix, FixKind, ImageInfo, Level, Rule, Severity, Target, rule

W = Severity.WARNING
MARKS = {
    Level.SECONDARY: "; secondary sources",
    Level.UNVERIFIED: "; unverified: a single third-party source",
}


def _allowed(target: Target) -> str:
    return ", ".join(sorted(target.formats or ()))


def _breach(target: Target, field: str, message: str) -> Finding:
    """A breach of the profile's ``field``: an error, or a warning when only a single third party
    states the value (``Level.UNVERIFIED``). ``{profile}`` in ``message`` names the profile; without
    it, the profile is named at the end. A value not the service's own says its level there too."""
    fact = target.fact(field)
    mark = MARKS.get(fact.level, "") if fact else ""
    if "{profile}" in message:
        said = message.replace("{profile}", target.profile.name) + (f" ({mark[2:]})" if mark else "")
    else:
        said = f"{message} ({target.profile.name}{mark})"
    return Finding(said, fact.level.severity if fact else None)


@rule("SG101", "size-mismatch", fix="fit to the target size with the configured strategy")
def size_mismatch(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """Image size differs from the target size, even by one pixel.

    Why: fixed-size services reject a reference image whose width and height are not exactly the
    requested ``size`` (the Sora 2 API answered HTTP 400 "Inpaint image must match the requested
    width and height"); a pipeline that renders one frame size needs its inputs at that size.

    Fix: ``sora-guard fix --size 1280x720 --strategy cover FILE`` (or ``pad``, ``blur-pad``,
    ``smart``), or choose the size with ``--size`` (``size`` in the configuration). With ``--size
    auto`` the size is the profile's allowed size nearest in aspect ratio to the image.
    """
    expected = target.size_for(info.displayed)
    if expected is not None and info.displayed != expected:
        shown = f"{info.displayed} as displayed" if info.displayed != info.stored else str(info.stored)
        yield _breach(target, "sizes", f"{shown} does not match the target {expected}")


@rule("SG102", "aspect-out-of-range", fix="fit to the target size with the configured strategy")
def aspect_out_of_range(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """Aspect ratio is outside the bounds the service accepts.

    Why: aspect-tolerant services (Kling, MiniMax) still refuse very wide or very tall images.

    Fix: crop or pad to an accepted ratio: ``sora-guard fix --size WxH FILE``.
    """
    bounds = target.profile.aspect
    if bounds and not bounds[0] - 1e-9 <= info.displayed.aspect <= bounds[1] + 1e-9:
        shape = f"aspect {info.displayed.aspect:.3f} ({info.displayed})"
        yield _breach(target, "aspect", f"{shape} is outside {bounds[0]:.3f}..{bounds[1]:.3f}")


@rule("SG103", "side-too-small", fix="enlarge to the target size")
def side_too_small(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The shorter side is below the service's minimum.

    Why: services such as Kling and MiniMax refuse images with a side under about 300 px.

    Fix: upscale with ``sora-guard fix --size WxH FILE`` (quality suffers; a larger source is better).
    """
    minimum = target.profile.min_side
    if minimum and min(info.stored.width, info.stored.height) < minimum:
        shorter = min(info.stored.width, info.stored.height)
        yield _breach(target, "min_side", f"shorter side {shorter} px is below {minimum} px")


@rule("SG104", "side-too-large", fix="shrink to the target size")
def side_too_large(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The longer side is above the service's maximum.

    Why: Runway refuses images with a side of 8000 px or more.

    Fix: downscale with ``sora-guard fix --size WxH FILE``.
    """
    maximum = target.profile.max_side
    if maximum and max(info.stored.width, info.stored.height) > maximum:
        longer = max(info.stored.width, info.stored.height)
        yield _breach(target, "max_side", f"longer side {longer} px is above {maximum} px")


@rule("SG105", "size-not-rendered", needs_header=False)
def size_not_rendered(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The requested size is not one the profile's model renders.

    Why: the SDK sends any size, and the service answers 400: ``sora-2`` renders only 1280x720 and
    720x1280; 1024x1792, 1792x1024 and 1080p need ``sora-2-pro``.

    Fix: ``sora-guard fix`` cannot help: the size is the request's, not the image's. Ask for a size
    the model renders (``sora-guard profiles NAME`` lists them; ``--size auto`` picks the nearest),
    or use the model that renders the size (``--profile sora-2-pro``, ``model="sora-2-pro"``).
    """
    sizes = target.profile.sizes
    if target.size is not None and sizes and target.size not in sizes:
        others = target.alternatives
        elsewhere = f", or use {' or '.join(others)}, which renders it" if others else ""
        *some, last = map(str, sizes)
        choice = f"{', '.join(some)} or {last}" if some else last
        yield _breach(
            target,
            "sizes",
            f"{{profile}} does not render {target.size}: ask for {choice}{elsewhere}",
        )


@rule("SG106", "seconds-not-offered", needs_header=False)
def seconds_not_offered(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The requested clip length is not one the profile's model offers.

    Why: the SDK sends any ``seconds`` value and the service answers 400; Sora 2 offers 4, 8 and 12
    seconds (the guide also lists 16 and 20).

    Fix: pass one of the profile's ``seconds`` (``sora-guard profiles``), or set
    ``[tool.sora-guard.profiles.NAME] seconds = [...]`` if the service offers more.
    """
    offered = target.profile.seconds
    if target.seconds is not None and offered and str(target.seconds) not in offered:
        said = f"{{profile}} does not offer {target.seconds} seconds; it offers {', '.join(offered)}"
        yield _breach(target, "seconds", said)


@rule(
    "SG107", "aspect-adjusted", severity=W, fix="frame it at the video's aspect with the configured strategy"
)
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


@rule(
    "SG201",
    "format-not-allowed",
    fix="convert to a format the target accepts, renamed to match",
    needs_header=False,
)
def format_not_allowed(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The image's real format (read from its content) is not one the service accepts.

    Why: Sora accepts JPEG, PNG and WebP; Veo, Kling, MiniMax and Stability accept JPEG and PNG
    only. HEIC photos from phones, GIF, TIFF and BMP are refused.

    Fix: ``sora-guard fix FILE`` converts to an allowed format and renames the extension (HEIC
    and HEIF are read through pillow-heif, which sora-guard installs).
    """
    if info.format and target.formats and info.format not in target.formats:
        yield _breach(
            target, "formats", f"{info.format} is not accepted by {{profile}} (allowed: {_allowed(target)})"
        )


@rule(
    "SG202", "extension-mismatch", fix=Fix("rename to match the content", FixKind.RENAME), needs_header=False
)
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


@rule(
    "SG203",
    "mime-mismatch",
    fix=Fix("send it under the type of its content", FixKind.RENAME),
    needs_header=False,
)
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


@rule(
    "SG301",
    "file-too-large",
    fix=Fix("encode again, at lower qualities until it fits", FixKind.SHRINK),
    needs_header=False,
)
def file_too_large(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The file is larger than the service's upload limit.

    Why: Kling takes 10 MB, MiniMax 20 MB, Runway 16 MB by URL and 5 MB as a data URI; larger
    uploads are refused. Where the source leaves the unit unclear (is "10MB" 10,000,000 or
    10,485,760 bytes?), a file over the larger reading is an error and one between the two readings
    a warning (``sora-guard profiles NAME`` shows both).

    Fix: ``sora-guard fix FILE`` re-encodes at the target size; set ``max-bytes`` to the limit
    that applies to you.
    """
    size, limit = info.byte_size, target.max_bytes
    if not limit or size is None:
        return
    fact = target.fact("max_bytes")
    if size > limit:
        yield _breach(target, "max_bytes", f"{size} bytes is over the limit of {limit} bytes")
    elif fact is not None and fact.strict is not None and size > fact.strict:
        yield Finding(
            f"{size} bytes is over {fact.strict} bytes, the stricter reading of the source's limit (at most "
            f"{limit} under the other); the service may refuse it ({target.profile.name})",
            W,
        )


@rule("SG302", "empty-file", needs_header=False, always=True)
def empty_file(info: ImageInfo, target: Target) -> Iterator[str]:
    """The file is empty.

    Why: an empty upload is refused, and usually means an interrupted copy or a placeholder.

    Fix: restore the image from its source.
    """
    if info.byte_size == 0:
        yield "file is empty (0 bytes)"


@rule("SG401", "cmyk-colour", fix="convert to sRGB through its colour profile")
def cmyk_colour(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image is CMYK (print colour), not RGB.

    Why: video services expect RGB; CMYK JPEGs are refused or decoded with wrong, inverted colours,
    and cannot be saved as PNG at all.

    Fix: ``sora-guard fix FILE`` converts to sRGB through the embedded ICC profile.
    """
    if info.mode == "CMYK":
        yield "CMYK colour; services expect RGB"


@rule("SG402", "high-bit-depth", fix="convert to 8 bits a channel")
def high_bit_depth(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image has more than 8 bits per channel.

    Why: 16-bit PNGs and TIFFs and 10-bit HEIF phone photos are read inconsistently (some decoders
    truncate, others refuse); the service's behaviour is not documented, so sora-guard does not
    wave them through.

    Fix: ``sora-guard fix FILE`` converts to 8-bit RGB.
    """
    if info.bits > 8:
        yield f"{info.bits}-bit channels ({info.mode}); use 8-bit"


@rule("SG403", "exif-orientation", fix="turn the pixels upright and drop the tag")
def exif_orientation(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The image carries an EXIF orientation tag, so its displayed and stored pictures differ.

    Why: a JPEG stored 1280x720 with orientation 6 displays as 720x1280. Whether the service
    rotates is not documented: one reading of the file matches the size and the other does not.
    Orientations that only flip or turn by 180 degrees keep the size but may upload upside down.

    Fix: ``sora-guard fix FILE`` applies the rotation to the pixels and removes the tag. A flip or a
    half turn (a warning) is applied when the rule is selected by its code (``--select SG403``), or
    when ``fix`` re-encodes the file for an error.
    """
    if info.orientation in (5, 6, 7, 8):
        yield Finding(
            f"EXIF orientation {info.orientation}: stored {info.stored}, displayed {info.displayed}"
        )
    elif info.orientation != 1:
        yield Finding(f"EXIF orientation {info.orientation} flips or turns the picture", Severity.WARNING)


@rule("SG404", "animated", fix="keep the first frame")
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


@rule("SG405", "unusual-mode", severity=W, fix="convert to 8-bit RGB")
def unusual_mode(info: ImageInfo, target: Target) -> Iterator[str]:
    """The colour mode is not plain RGB, RGBA or greyscale (palette, 1-bit, and similar).

    Why: most decoders cope, but palette and bilevel images are converted in ways that vary by
    service; plain 8-bit RGB is what every service reads the same way.

    Fix: select it by its code (``--select SG405``) and ``sora-guard fix`` converts to 8-bit RGB;
    a file ``fix`` re-encodes for an error is converted too.
    """
    if info.mode not in ("RGB", "RGBA", "L", "CMYK") and info.bits <= 8:
        yield f"colour mode {info.mode}"


@rule("SG406", "transparency", severity=W, fix=Fix("flatten onto `background`", FixKind.FLATTEN))
def transparency(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image has an alpha channel or a transparent colour.

    Why: video frames are opaque; services flatten transparency onto a colour they choose (often
    black), which may not be what you meant.

    Fix: select it by its code (``--select SG406``, or ``extend-select = ["SG406"]``) and
    ``sora-guard fix`` flattens the transparency onto ``background`` (default black;
    ``--background white``). Unless selected by its code, ``fix`` leaves a file with only this
    warning as it is, and one it re-encodes for an error keeps its alpha where the format holds it.
    """
    if info.has_transparency and not target.profile.needs_alpha:
        yield "has transparency; the service will flatten it onto a colour it chooses"


@rule("SG407", "missing-alpha")
def missing_alpha(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The image has no transparency, but the target needs it (an edit mask).

    Why: ``images.edit`` edits where the mask is transparent; a mask without an alpha channel
    (or a transparent colour) is refused.

    Fix: save the mask as a PNG with an alpha channel, transparent where the image should change.
    """
    if target.profile.needs_alpha and not info.has_transparency:
        yield _breach(
            target,
            "needs_alpha",
            f"{info.mode} image has no alpha channel; {{profile}} needs transparent pixels",
        )


@rule("SG501", "unreadable", needs_header=False, always=True)
def unreadable(info: ImageInfo, target: Target) -> Iterator[str | Finding]:
    """The file, or a folder that may hold images, cannot be read.

    Why: a missing file, a broken symbolic link, a symbolic link loop or a permission problem
    fails the upload, and an unreadable folder hides the images in it. A symbolic link that
    points outside the folders being checked is not followed (a warning; ``follow-symlinks =
    true`` or ``--follow-symlinks`` follows it).

    Fix: check the path and its permissions.
    """
    if info.read_error:
        yield f"cannot read {'folder' if info.folder else 'file'}: {info.read_error}"
    if info.skipped:
        yield Finding(f"not read: {info.skipped}", Severity.WARNING)


@rule("SG502", "not-an-image", needs_header=False, always=True)
def not_an_image(info: ImageInfo, target: Target) -> Iterator[str]:
    """The content is not an image sora-guard can read.

    Why: text, HTML error pages saved as ``.jpg`` and unknown formats are refused by every service.
    HEIC and HEIF are read (through pillow-heif, installed with sora-guard); one whose container
    libheif cannot read is damaged, usually cut short.

    Fix: restore the image from its source.
    """
    if info.identify_error and not info.too_many_pixels and info.byte_size != 0:
        yield info.identify_error


@rule("SG503", "corrupt-data", needs_header=True, always=True)
def corrupt_data(info: ImageInfo, target: Target) -> Iterator[str]:
    """The header is valid but the image data is truncated or corrupt.

    Why: the service decodes the whole image and refuses it (or renders garbage) when the data
    stops early or is damaged. Interrupted downloads and copies cause this.

    Fix: restore the image from its source; it cannot be repaired reliably.
    """
    if info.decode_error:
        yield info.decode_error


@rule("SG504", "too-many-pixels", needs_header=False, always=True)
def too_many_pixels(info: ImageInfo, target: Target) -> Iterator[str]:
    """The image declares more pixels than the configured limit (a decompression bomb, or a huge image).

    Why: decoding it would take gigabytes of memory. sora-guard refuses it before decoding.

    Fix: downscale it with another tool, or raise ``max-pixels`` if the image is genuine.
    """
    if info.too_many_pixels and info.stored is not None:
        yield f"{info.stored} = {info.stored.pixels} pixels, over the limit of {target.limits.max_pixels} pixels; not decoded"
    elif info.too_many_pixels:  # a Pillow plugin's own limit refused it before its size was known
        yield f"{info.identify_error}; not decoded"


@rule("SG505", "decode-timeout", needs_header=False, always=True)
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


@rule("SG602", "too-many-images", needs_header=False)
def too_many_images(info: ImageInfo, target: Target) -> Iterator[Finding]:
    """The call sends more images in one place than the service takes in one request (pre-flight guard).

    Why: the SDKs send them all and the service answers 400: ``images.edit`` takes up to 16 images,
    Gemini Omni 10 a prompt, Veo 3.1 three ASSET reference images, Luma 9 references (8 for an edit).

    Fix: send fewer images (``sora-guard profiles NAME`` shows ``max-images`` and its source), or
    split the work into several requests.
    """
    limit = target.profile.max_images
    if target.images is not None and limit is not None and target.images > limit:
        yield _breach(
            target, "max_images", f"{target.images} images: {{profile}} takes at most {limit} in one request"
        )


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
    too_many_images,
)


@hookimpl
def sora_guard_rules() -> list[Rule]:
    return [*BUILTIN_RULES, *FIX_RULES]
