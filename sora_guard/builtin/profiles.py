"""Built-in target profiles, one per service, from ``shared/reference/video-apis.md`` (2026-11)."""

from __future__ import annotations

from sora_guard.plugins import hookimpl
from sora_guard.vocabulary.model import Profile, Size

MB = 1024 * 1024
_JPEG_PNG_WEBP = frozenset({"JPEG", "PNG", "WEBP"})
_JPEG_PNG = frozenset({"JPEG", "PNG"})

SORA_SIZES = (Size(1280, 720), Size(720, 1280))
SORA_PRO_SIZES = SORA_SIZES + (Size(1024, 1792), Size(1792, 1024), Size(1920, 1080), Size(1080, 1920))
SORA_SECONDS = ("4", "8", "12", "16", "20")

BUILTIN_PROFILES = (
    Profile(
        name="sora-2",
        description="OpenAI Sora 2 (videos.create, model sora-2): the reference image must match the size exactly",
        formats=_JPEG_PNG_WEBP,
        sizes=SORA_SIZES,
        models=("sora-2",),
        seconds=SORA_SECONDS,
        notes="Upload size limit unverified: set max-bytes if you know it.",
    ),
    Profile(
        name="sora-2-pro",
        description="OpenAI Sora 2 Pro (videos.create, model sora-2-pro): exact sizes up to 1920x1080",
        formats=_JPEG_PNG_WEBP,
        sizes=SORA_PRO_SIZES,
        models=("sora-2-pro",),
        seconds=SORA_SECONDS,
        notes="Upload size limit unverified: set max-bytes if you know it.",
    ),
    Profile(
        name="openai-image-edit",
        description="OpenAI images.edit (GPT image models): PNG, WebP or JPEG under 50 MB",
        formats=_JPEG_PNG_WEBP,
        max_bytes=50 * MB,
        notes="The mask must be a PNG under 4 MB with the image's dimensions; the pre-flight guard checks that pair.",
    ),
    Profile(
        name="openai-image-mask",
        description="OpenAI images.edit mask: a PNG under 4 MB with transparency, the image's dimensions",
        formats=frozenset({"PNG"}),
        max_bytes=4 * MB,
        needs_alpha=True,
        notes="The pre-flight guard checks the mask against the size of the image it goes with.",
    ),
    Profile(
        name="runway-gen4",
        description="Runway Gen-4 / Gen-4.5: one of the listed ratios as exact pixel sizes, at most 16 MB",
        formats=_JPEG_PNG_WEBP,
        sizes=(
            Size(1280, 720),
            Size(720, 1280),
            Size(1104, 832),
            Size(832, 1104),
            Size(960, 960),
            Size(1584, 672),
        ),
        max_side=7999,
        max_bytes=16 * MB,
        notes="16 MB applies to URL uploads; data URIs are limited to 5 MB (set max-bytes = 5242880).",
    ),
    Profile(
        name="veo",
        description="Google Veo: 16:9 or 9:16 at 720p or 1080p, JPEG or PNG",
        formats=_JPEG_PNG,
        sizes=(Size(1280, 720), Size(720, 1280), Size(1920, 1080), Size(1080, 1920)),
        notes="Inline base64 length limit unverified: set max-bytes if you know it.",
    ),
    Profile(
        name="kling",
        description="Kling: any aspect from 1:2.5 to 2.5:1, each side at least 300 px, JPEG or PNG up to 10 MB",
        formats=_JPEG_PNG,
        aspect=(1 / 2.5, 2.5),
        min_side=300,
        max_bytes=10 * MB,
    ),
    Profile(
        name="minimax-hailuo",
        description="MiniMax Hailuo: aspect between 2:5 and 5:2, short side over 300 px, JPEG or PNG up to 20 MB",
        formats=_JPEG_PNG,
        aspect=(2 / 5, 5 / 2),
        min_side=301,
        max_bytes=20 * MB,
    ),
    Profile(
        name="stability-i2v",
        description="Stability image-to-video: exactly 1024x576, 576x1024 or 768x768, JPEG or PNG",
        formats=_JPEG_PNG,
        sizes=(Size(1024, 576), Size(576, 1024), Size(768, 768)),
        notes="Byte limit unverified: set max-bytes if you know it.",
    ),
)


@hookimpl
def sora_guard_profiles() -> list[Profile]:
    return list(BUILTIN_PROFILES)
