"""Built-in target profiles, one per service, from ``shared/reference/video-apis.md`` (2026-11)."""

from __future__ import annotations

from sora_guard.plugins import hookimpl
from sora_guard.vocabulary.model import Profile, Size

MB = 1024 * 1024
MB_DECIMAL = 1_000_000
_JPEG_PNG_WEBP = frozenset({"JPEG", "PNG", "WEBP"})
_JPEG_PNG = frozenset({"JPEG", "PNG"})

SORA_SIZES = (Size(1280, 720), Size(720, 1280))
SORA_PRO_SIZES = SORA_SIZES + (Size(1024, 1792), Size(1792, 1024), Size(1920, 1080), Size(1080, 1920))
SORA_SECONDS = ("4", "8", "12", "16", "20")
GPT_IMAGE_MODELS = (
    "gpt-image-1-mini", "gpt-image-1.5", "gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare",
    "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "chatgpt-image-latest",
)  # fmt: skip
VEO_MODELS = (
    "veo-2.0-generate-001", "veo-3.0-generate-001", "veo-3.0-fast-generate-001", "veo-3.1-generate-001",
    "veo-3.1-fast-generate-001", "veo-3.1-generate-preview", "veo-3.1-fast-generate-preview",
)  # fmt: skip

SORA_STATUS = (
    "OpenAI announced the Sora API's permanent shutdown for 2026-09-24 (the openai SDK's deprecation note on "
    "every videos.* method); kept for gateways that mirror the API"
)
SORA_SOURCES = (
    "openai SDK 3.57: types/video_size.py, types/video_seconds.py, resources/videos.py",
    "OpenAI video-generation guide: sizes per model, 16 and 20 seconds, exact-size reference images",
)
RUNWAY_SOURCES = (
    "runwayml SDK 5.24: types/image_to_video_create_params.py (ratio is the output; data URIs up to 5MB)",
    "Runway API input documentation (as summarised in shared/reference/video-apis.md)",
)
RUNWAY_BYTES = 16_000_000
"""Runway's "16 MB by URL", read as 10^6 bytes (the stricter reading); data URIs have their own 5 MB."""

BUILTIN_PROFILES = (
    Profile(
        name="sora-2",
        description="OpenAI Sora 2 (videos.create, model sora-2): the reference image must match the size exactly",
        formats=_JPEG_PNG_WEBP,
        sizes=SORA_SIZES,
        models=("sora-2",),
        seconds=SORA_SECONDS,
        notes="Upload size limit unverified: set max-bytes if you know it.",
        sources=SORA_SOURCES,
        unverified=(
            "max-bytes: no source states the upload limit",
            "seconds: 16 and 20 are in the guide, not the SDK",
        ),
        status=SORA_STATUS,
    ),
    Profile(
        name="sora-2-pro",
        description="OpenAI Sora 2 Pro (videos.create, model sora-2-pro): exact sizes up to 1920x1080",
        formats=_JPEG_PNG_WEBP,
        sizes=SORA_PRO_SIZES,
        models=("sora-2-pro",),
        seconds=SORA_SECONDS,
        notes="Upload size limit unverified: set max-bytes if you know it.",
        sources=SORA_SOURCES,
        unverified=(
            "max-bytes: no source states the upload limit",
            "sizes: 1920x1080 and 1080x1920 are in the guide, not the SDK",
        ),
        status=SORA_STATUS,
    ),
    Profile(
        name="openai-image-edit",
        description="OpenAI images.edit (GPT image models): PNG, WebP or JPEG, each less than 50 MB, up to 16",
        formats=_JPEG_PNG_WEBP,
        max_bytes=50 * MB_DECIMAL - 1,
        models=GPT_IMAGE_MODELS,
        notes="The mask (openai-image-mask) or markup (openai-image-markup) is checked against the first image's size.",
        sources=("openai SDK 3.57: types/image_edit_params.py (image, mask, markup, size)",),
        unverified=(
            "max-bytes: the SDK's 'less than 50MB' read as under 50,000,000 bytes (10^6, exclusive); "
            "the service may allow up to 52,428,800",
        ),
        status="gpt-image-1 shut down 2026-10-23; dall-e-2 and dall-e-3 retired 2026-05-12; images.create_variation is retired",
    ),
    Profile(
        name="openai-image-mask",
        description="OpenAI images.edit mask: a PNG less than 4 MB with transparency, the first image's dimensions",
        formats=frozenset({"PNG"}),
        max_bytes=4 * MB_DECIMAL - 1,
        needs_alpha=True,
        notes="The pre-flight guard checks the mask against the size of the image it goes with.",
        sources=("openai SDK 3.57: types/image_edit_params.py, mask",),
        unverified=("max-bytes: 'less than 4MB' read as under 4,000,000 bytes (10^6, exclusive)",),
    ),
    Profile(
        name="openai-image-markup",
        description="OpenAI images.edit markup: a transparent PNG at the first image's displayed size (not with a mask)",
        formats=frozenset({"PNG"}),
        needs_alpha=True,
        sources=("openai SDK 3.57: types/image_edit_params.py, markup",),
        unverified=("max-bytes: no source states a limit",),
    ),
    Profile(
        name="openai-vision",
        description="OpenAI image inputs (responses, conversations, chat, files purpose=vision): PNG, JPEG, WebP, still GIF",
        formats=frozenset({"JPEG", "PNG", "WEBP", "GIF"}),
        sources=(
            "openai SDK 3.57: types/responses/response_input_image_param.py, chat completion content parts",
            "OpenAI vision guide: PNG, JPEG, WEBP and non-animated GIF",
        ),
        unverified=(
            "formats: from the guide; the SDK states none (realtime says PNG and JPEG)",
            "max-bytes: no per-image limit stated (stored chat completions drop images over 8MB)",
        ),
    ),
    Profile(
        name="runway-gen4",
        description="Runway gen4.5 / gen4_turbo: JPEG, PNG or WebP, aspect 0.5 to 2, sides under 8000 px; ratio is the output's",
        formats=_JPEG_PNG_WEBP,
        aspect=(0.5, 2.0),
        max_side=7999,
        max_bytes=RUNWAY_BYTES,
        models=("gen4.5", "gen4_turbo"),
        notes="Data URIs are limited to 5 MB (the guard applies it to data URIs). An image of another aspect than "
        "`ratio` is cropped by the service: a warning (SG107), not an error.",
        sources=RUNWAY_SOURCES,
        unverified=("aspect, max-side: medium confidence (Runway's input docs, not the SDK)",),
    ),
    Profile(
        name="runway-grok-imagine",
        description="Runway grok_imagine_1_5 / _lite: the input's aspect (the output keeps it) between 0.4 and 2.5",
        formats=_JPEG_PNG_WEBP,
        aspect=(0.4, 2.5),
        max_bytes=RUNWAY_BYTES,
        models=("grok_imagine_1_5", "grok_imagine_1_5_lite"),
        sources=RUNWAY_SOURCES,
        unverified=("formats, max-bytes: Runway's general input rules, not stated for this model",),
    ),
    Profile(
        name="runway-h3-max",
        description="Runway h3_max: each image at least 256 px on both sides",
        formats=_JPEG_PNG_WEBP,
        min_side=256,
        max_bytes=RUNWAY_BYTES,
        models=("h3_max",),
        sources=RUNWAY_SOURCES,
        unverified=("formats, max-bytes: Runway's general input rules, not stated for this model",),
    ),
    Profile(
        name="runway",
        description="Runway, other models (veo3.1, kling*, hailuo3, ...): JPEG, PNG or WebP, 16 MB by URL",
        formats=_JPEG_PNG_WEBP,
        max_bytes=RUNWAY_BYTES,
        sources=RUNWAY_SOURCES,
        unverified=("per-model bounds: the SDK states none for these models",),
    ),
    Profile(
        name="veo",
        description="Google Veo: JPEG or PNG; the video is 16:9 or 9:16, and an image of another shape is cropped or padded",
        formats=_JPEG_PNG,
        models=VEO_MODELS,
        notes="aspect_ratio and resolution describe the video, not the image: Veo fits the image with resize_mode "
        "(crop or pad), so another aspect is a warning (SG107). Inline base64 length limit unverified.",
        sources=(
            "google-genai SDK 3.6.1: types.py GenerateVideosConfig (aspect_ratio, resolution, resize_mode, "
            "reference_images, mask), Image.from_file",
        ),
        unverified=(
            "max-bytes: the inline base64 length limit is not stated",
            "formats: JPEG and PNG only confirmed",
        ),
        status="models.generate_videos works on Vertex AI only; the Developer API raises ValueError (use interactions)",
    ),
    Profile(
        name="kling",
        description="Kling: any aspect from 1:2.5 to 2.5:1, each side at least 300 px, JPEG or PNG up to 10 MB",
        formats=_JPEG_PNG,
        aspect=(1 / 2.5, 2.5),
        min_side=300,
        max_bytes=10 * MB,
        sources=("Kling API documentation (as summarised in shared/reference/video-apis.md)",),
        unverified=("hosts: fal and Replicate may add limits of their own",),
    ),
    Profile(
        name="minimax-hailuo",
        description="MiniMax Hailuo: aspect between 2:5 and 5:2, short side over 300 px, JPEG or PNG up to 20 MB",
        formats=_JPEG_PNG,
        aspect=(2 / 5, 5 / 2),
        min_side=301,
        max_bytes=20 * MB,
        sources=("MiniMax API documentation (as summarised in shared/reference/video-apis.md)",),
        unverified=("hosts: fal and Replicate may add limits of their own",),
    ),
    Profile(
        name="stability-i2v",
        description="Stability image-to-video: exactly 1024x576, 576x1024 or 768x768, JPEG or PNG",
        formats=_JPEG_PNG,
        sizes=(Size(1024, 576), Size(576, 1024), Size(768, 768)),
        notes="Byte limit unverified: set max-bytes if you know it.",
        sources=("Stability image-to-video documentation (as summarised in shared/reference/video-apis.md)",),
        unverified=("max-bytes: not stated",),
    ),
    Profile(
        name="luma",
        description="Luma Dream Machine: keyframe images by URL; aspect_ratio is the video's, any image shape is fitted",
        formats=_JPEG_PNG,
        notes="lumaai 1.21 takes keyframes as URL strings only (a data URI passes through unchanged). "
        "Output aspects: 1:1, 16:9, 9:16, 4:3, 3:4, 21:9, 9:21.",
        sources=("lumaai SDK 1.21: generations.create keyframes frame0/frame1 {type: image, url}",),
        unverified=(
            "formats: JPEG and PNG assumed",
            "max-bytes: not stated",
            "input size or aspect rules: none stated",
        ),
    ),
)


@hookimpl
def sora_guard_profiles() -> list[Profile]:
    return list(BUILTIN_PROFILES)
