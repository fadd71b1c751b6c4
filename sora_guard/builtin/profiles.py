"""Built-in target profiles as of 2026-12-07: each value with its sources, their level and the date they
were read, and each service's and retired model's lifecycle."""

from __future__ import annotations

from sora_guard.plugins import hookimpl
from sora_guard.vocabulary.model import Availability, Fact, Level, Lifecycle, Profile, Size, Source

CHECKED = "2026-12-07"
"""The day the pages below were read and the installed SDKs' sources compared."""
NOTES_2026_11 = "2026-11"
"""Values carried over from the project's November survey of these pages, not re-read since."""
MB, MIB = 1_000_000, 1024 * 1024
SERVICE, SECONDARY, UNVERIFIED = Level.SERVICE, Level.SECONDARY, Level.UNVERIFIED
RETIRED, CLOSED = Availability.RETIRED, Availability.CLOSED
_JPEG_PNG_WEBP = frozenset({"JPEG", "PNG", "WEBP"})
_JPEG_PNG = frozenset({"JPEG", "PNG"})


def _read(where: str, says: str = "", checked: str = CHECKED) -> Source:
    return Source(where, checked, says)


def _fact(field: str, level: Level, *sources: Source, note: str = "", strict: int | None = None) -> Fact:
    return Fact(field, level, sources, note, strict)


# -- OpenAI ---------------------------------------------------------------------------------------

OPENAI = "openai 3.63.0: openai/"
SORA_CLOSED = Lifecycle(
    CLOSED,
    "2026-09-24",
    (),
    (
        _read(
            "https://developers.openai.com/de-DE/api/docs/models/sora-2",
            "the Sora 2 models and the Videos API were shut down on 24 September 2026; no direct replacement API",
        ),
        _read(OPENAI + "resources/videos.py", "every videos.* method: 'scheduled to permanently shut down on September 24, 2026'"),
    ),
    "OpenAI shut down Sora 2 and the Videos API",
)  # fmt: skip
SORA_GUIDE = _read(
    "https://developers.openai.com/zh-Hans/api/docs/guides/video-generation",
    "1920x1080 and 1080x1920 need sora-2-pro; sora-2 and sora-2-pro generate 16 and 20 second videos",
)
SORA_SIZES = (Size(1280, 720), Size(720, 1280))
SORA_PRO_SIZES = SORA_SIZES + (Size(1024, 1792), Size(1792, 1024), Size(1920, 1080), Size(1080, 1920))
SORA_SECONDS = ("4", "8", "12", "16", "20")
SORA_FACTS = (
    _fact("formats", SERVICE, _read("https://developers.openai.com/api/docs/guides/video-generation",
                                    "input_reference: image/jpeg, image/png, image/webp", NOTES_2026_11)),
    _fact("seconds", SERVICE, _read(OPENAI + "types/video_seconds.py", '"4", "8", "12"'), SORA_GUIDE),
    _fact("models", SERVICE, _read(OPENAI + "types/video_model.py", "sora-2, sora-2-pro and dated snapshots")),
)  # fmt: skip
GPT_IMAGE_MODELS = (
    "gpt-image-1.5", "gpt-image-1-mini", "gpt-image-2", "gpt-image-2.5-sunburst", "gpt-image-2.5-flare",
    "gpt-image-2.6-sunburst", "gpt-image-2.6-flare", "chatgpt-image-latest",
)  # fmt: skip
IMAGE_MODEL = _read(OPENAI + "types/image_model.py", "ImageModel, with its deprecated values")
EDIT_PARAMS = OPENAI + "types/image_edit_params.py"

# -- Runway ---------------------------------------------------------------------------------------

RUNWAY_SDK = "runwayml 5.24.0: runwayml/types/"
RUNWAY_INPUTS = "https://docs.dev.runwayml.com/assets/inputs/"
"""Runway's inputs page as read in 2026-11 (the same text its staging copy, docs.dev-stage, still shows)."""
RUNWAY_FORMATS = _fact(
    "formats", SERVICE, _read(RUNWAY_INPUTS, "Content-Types image/jpeg, image/png, image/webp", NOTES_2026_11)
)
RUNWAY_URL_BYTES = _fact(
    "max_bytes",
    SERVICE,
    _read("https://docs.dev.runwayml.com/assets/inputs", "Image: URL size limit 16MB, data URI 5MB"),
    note="by URL; '16MB' read as 16,777,216 bytes (2^20 per MB, as the page's data URI limit is)",
    strict=16 * MB,
)
RUNWAY_DATA_URI_STRICT = (5 * MIB - 1 - len("data:image/jpeg;base64,")) // 4 * 3
"""The largest image whose ``data:image/jpeg;base64,`` URI has fewer than 5,242,880 characters: 3,932,142 bytes."""
RUNWAY_DATA_URI = _fact(
    "max_data_uri",
    SERVICE,
    _read("https://docs.dev.runwayml.com/assets/inputs", "Data URI size limit: Image 5MB"),
    _read(RUNWAY_INPUTS, "the length of the encoded data URI must be under 5MB (1024 x 1024 x 5 bytes)"),
    note="two readings: the image's bytes under 5 MiB (an error above 5,242,879), or the whole URI's "
    "characters under 5,242,880, which an image of at most 3,932,142 bytes stays within (a warning between)",
    strict=RUNWAY_DATA_URI_STRICT,
)
RUNWAY_GENERAL = (RUNWAY_FORMATS, RUNWAY_URL_BYTES, RUNWAY_DATA_URI)
RUNWAY_OTHER_MODELS = (
    "veo3.1", "veo3.1_fast", "hailuo3", "happyhorse_1_0", "kling2.5_turbo_pro", "kling3.0_pro",
    "kling3.0_standard", "kling3.0_4k", "klingO3_pro", "klingO3_standard", "klingO3_4k", "kling_4",
    "seedance2", "seedance2_fast", "seedance2_mini", "seedance2_5", "gemini_omni_flash", "gemini_omni_flash_1.1",
    "wan3", "wan3_prime", "aleph2", "act_two", "magnific_precision_upscaler_v2", "gen4_image", "gen4_image_turbo",
    "gpt_image_2", "gpt_image_2_5_flare", "gpt_image_2_5_sunburst", "gemini_image3.1_flash",
    "gemini_image3.1_flash_lite", "gemini_image3_pro", "gemini_2.5_flash", "nano_banana_2.1", "muse_image",
    "seedream5_pro", "seedream5_lite", "seedream5_flash", "grok_imagine_image_2", "bria_fibo_1_5",
    "bria_fibo_edit_1_5", "ideogram_4_0", "ideogram_4_5", "recraft_v4_1_flash", "recraft_v4_1_vector",
)  # fmt: skip
RUNWAY_MODELS = _read(
    RUNWAY_SDK + "{image_to_video,text_to_video,video_to_video,text_to_image}_create_params.py",
    "model literals",
)
H3_NODE = _read(
    "https://docs.comfy.org/zh/built-in-nodes/MinimaxHailuo03FirstLastFrameNode",
    "MiniMax H3 frames: at least 256 x 256 px, width/height between 0.4 and 2.5",
)

# -- Google ---------------------------------------------------------------------------------------

VEO_PAGE = "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/veo/"
VEO_RETIRED = (_read(VEO_PAGE + "3-0-generate", "Retirement date: June 30, 2026; migrate to veo-3.1(-fast)-generate-001"),
               _read(VEO_PAGE + "2-0-generate.md.txt", "veo-2.0-generate-001 discontinued; migrate to veo-3.1-generate-001"))  # fmt: skip
VEO_PREVIEWS_GONE = (
    _read("https://docs.apiyi.com/en/live/2026-10/veo-3-1-preview-retired.md",
          "Google shut down veo-3.1-(fast-,lite-)generate-preview on October 22, 2026; replacement gemini-omni-1.1-flash"),
    _read("https://docs.cloud.google.com/vertex-ai/generative-ai/docs/models/veo/2-0-generate?hl=it",
          "Vertex AI: the preview video endpoints are retired and removed on April 2, 2026"),
)  # fmt: skip
VEO_LIVE = ("veo-3.1-generate-001", "veo-3.1-fast-generate-001")
VEO_FORMATS = _fact(
    "formats",
    SERVICE,
    _read(
        "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/Shared.Types/VideoGenerationModelInstance",
        "Image.mimeType: only image/jpeg and image/png are supported",
    ),
)
OMNI_PAGE = _read(
    "https://docs.cloud.google.com/gemini-enterprise-agent-platform/models/gemini/omni-flash-preview",
    "Image: Maximum images per prompt: 10; Supported MIME types: image/png, image/jpeg, image/webp, image/heic, image/heif",
)
GENAI = "google-genai 3.6.1: google/genai/_gaos/types/interactions/"
INTERACTION_MODELS = _read(GENAI + "model.py", "Model literal")
GEMINI_MODELS = (
    "gemma-4-26b-a4b-it", "gemma-4-31b-it", "gemini-flash-latest", "gemini-flash-lite-latest", "gemini-pro-latest",
    "gemini-2.5-flash", "gemini-2.5-pro", "gemini-2.5-flash-lite", "gemini-3.5-flash-lite", "gemini-2.5-flash-image",
    "gemini-3-flash-preview", "gemini-3.1-pro-preview", "gemini-3.1-pro-preview-customtools", "gemini-3.1-flash-lite",
    "gemini-3.1-flash-lite-image", "gemini-3-pro-image", "nano-banana-pro-preview", "gemini-3.1-flash-image",
    "gemini-nano-banana-2.1", "gemini-3.5-flash", "gemini-3.6-flash", "gemini-3.7-flash", "gemini-3.8-flash",
    "gemini-4-argon", "gemini-4-carbon", "gemini-4-hydrogen", "gemini-4-neon", "lyria-3-clip-preview",
    "lyria-3-pro-preview", "lyria-3.5", "gemini-robotics-er-1.6-preview", "gemini-robotics-er-2-preview",
)  # fmt: skip

# -- MiniMax, Kling, Stability, Luma --------------------------------------------------------------

KLING_PAGES = (
    _read("https://novita.ai/docs/api-reference/model-apis-kling-v3.0-std-i2v",
          ".jpg, .jpeg, .png; must not exceed 10MB; width and height >= 300px; aspect 1:2.5 to 2.5:1"),
    _read("https://novita.ai/docs/api-reference/model-apis-kling-v2.6-pro-i2v", "the same for Kling v2.6 Pro"),
    _read("https://docs.myrouter.ai/docs/models/reference-kling-v3.0-std-i2v", "the same wording"),
)  # fmt: skip
MINIMAX_PAGES = (
    _read("https://docs.fast-token.com/en/minimax/video/MiniMaxFirstLastFrameVideoGeneration",
          "MiniMax official API: JPG/JPEG/PNG/WebP, size < 20MB, short side > 300px, aspect 2:5 to 5:2"),
    _read("https://doc.vtrix.ai/docs/api/minimax/minimax-hailuo-23-fast", "JPG, JPEG, PNG, WebP; less than 20MB; the same bounds"),
    _read("https://astraflow.ucloud.cn/en-us/docs/modelverse/modelverse/video_api/MiniMax-Hailuo-2.3-I2V",
          "JPG, JPEG, PNG, WebP; <= 20MB; the same bounds"),
)  # fmt: skip
MINIMAX_MODELS = (
    "MiniMax-Hailuo-2.3", "MiniMax-Hailuo-2.3-Fast", "MiniMax-Hailuo-02", "I2V-01-Director", "I2V-01-live", "I2V-01",
    "fal-ai/minimax/*", "fal-ai/minimax-video/*", "minimax/video-01*", "minimax/hailuo-*",
)  # fmt: skip
STABILITY_PAGE = _read(
    "https://stabilityai.apidog.io/api-6070375",
    "a copy of Stability's reference (2024): jpeg, png; 1024x576, 576x1024, 768x768",
)
FAL_VEO_REFERENCE = _read(
    "https://fal.ai/models/fal-ai/veo3.1/reference-to-video/api",
    "fal-ai/veo3.1/reference-to-video: Input images up to 8MB in size",
)
FAL_VEO = _read(
    "https://fal.ai/docs/model-api-reference/video-generation-api/veo3.1-image-to-video",
    "Endpoint ID: fal-ai/veo3.1/image-to-video; an image not in 16:9 or 9:16 'will be cropped to fit'",
)
VEO_REFERENCES = _read(
    "https://docs.cloud.google.com/vertex-ai/generative-ai/docs/video/use-reference-images-to-guide-video-generation?hl=es-419",
    "asset images: up to three images of a single person, character or product",
)
LUMA_SDK = "luma-agents 0.5.0: luma_agents/types/"
LUMA_REFS = _read(
    LUMA_SDK + "generation_create_params.py",
    "image_ref: Up to 9 for type 'image', up to 8 for type 'image_edit'",
)
LUMA_UPLOADS = _read(
    "https://useapi.net/docs/api-luma-v1/post-luma-assets",
    "a third-party API over Luma's app: JPEG, PNG and WebP, at most 20 MB",
)

BUILTIN_PROFILES = (
    Profile(
        name="sora-2",
        description="OpenAI Sora 2 (videos.create, model sora-2): the reference image must match the size exactly",
        formats=_JPEG_PNG_WEBP,
        sizes=SORA_SIZES,
        models=("sora-2",),
        seconds=SORA_SECONDS,
        notes="No source states an upload size limit: set max-bytes if you know it.",
        facts=(
            *SORA_FACTS,
            _fact(
                "sizes",
                SERVICE,
                _read(OPENAI + "types/video_size.py", "720x1280, 1280x720, 1024x1792, 1792x1024"),
                SORA_GUIDE,
                note="sora-2 renders 1280x720 and 720x1280; the other sizes need sora-2-pro",
            ),
        ),
        lifecycle=SORA_CLOSED,
    ),
    Profile(
        name="sora-2-pro",
        description="OpenAI Sora 2 Pro (videos.create, model sora-2-pro): exact sizes up to 1920x1080",
        formats=_JPEG_PNG_WEBP,
        sizes=SORA_PRO_SIZES,
        models=("sora-2-pro",),
        seconds=SORA_SECONDS,
        notes="No source states an upload size limit: set max-bytes if you know it.",
        facts=(
            *SORA_FACTS,
            _fact(
                "sizes",
                SERVICE,
                _read(OPENAI + "types/video_size.py", "720x1280, 1280x720, 1024x1792, 1792x1024"),
                SORA_GUIDE,
            ),
        ),
        lifecycle=SORA_CLOSED,
    ),
    Profile(
        name="openai-image-edit",
        description="OpenAI images.edit (GPT image models): PNG, WebP or JPEG, each less than 50 MB, up to 16",
        formats=_JPEG_PNG_WEBP,
        max_bytes=50 * MIB - 1,
        models=(*GPT_IMAGE_MODELS, "gpt-image-1", "dall-e-2", "dall-e-3"),
        max_images=16,
        notes="The mask (openai-image-mask) or markup (openai-image-markup) is checked against the first image's size.",
        facts=(
            _fact(
                "formats",
                SERVICE,
                _read(EDIT_PARAMS, "image: a png, webp, or jpg file less than 50MB; up to 16 images"),
            ),
            _fact(
                "max_bytes",
                SERVICE,
                _read(EDIT_PARAMS, "less than 50MB"),
                strict=50 * MB - 1,
                note="'less than 50MB': under 52,428,800 bytes, or under 50,000,000 if MB is 10^6",
            ),
            _fact("max_images", SERVICE, _read(EDIT_PARAMS, "You can provide up to 16 images")),
            _fact("models", SERVICE, IMAGE_MODEL),
        ),
        model_lifecycles=(
            Lifecycle(
                RETIRED,
                "2026-10-23",
                ("gpt-image-2.5-sunburst", "gpt-image-2.5-flare"),
                (IMAGE_MODEL,),
                "OpenAI: 'GPT Image 1 was shut down on October 23, 2026'",
                model="gpt-image-1",
            ),
            *(
                Lifecycle(
                    RETIRED,
                    "2026-05-12",
                    ("a GPT image model",),
                    (IMAGE_MODEL,),
                    "OpenAI retired DALL-E",
                    model=m,
                )
                for m in ("dall-e-2", "dall-e-3")
            ),
        ),
    ),
    Profile(
        name="openai-image-mask",
        description="OpenAI images.edit mask: a PNG less than 4 MB with transparency, the first image's dimensions",
        formats=frozenset({"PNG"}),
        max_bytes=4 * MIB - 1,
        needs_alpha=True,
        notes="The pre-flight guard checks the mask against the size of the image it goes with.",
        facts=(
            _fact("formats", SERVICE, _read(EDIT_PARAMS, "mask: a valid PNG file, less than 4MB")),
            _fact(
                "max_bytes",
                SERVICE,
                _read(EDIT_PARAMS, "less than 4MB"),
                strict=4 * MB - 1,
                note="'less than 4MB': under 4,194,304 bytes, or under 4,000,000 if MB is 10^6",
            ),
            _fact(
                "needs_alpha",
                SERVICE,
                _read(EDIT_PARAMS, "fully transparent areas indicate where image should be edited"),
            ),
        ),
    ),
    Profile(
        name="openai-image-markup",
        description="OpenAI images.edit markup: a transparent PNG at the first image's displayed size (not with a mask)",
        formats=frozenset({"PNG"}),
        needs_alpha=True,
        notes="Markup 'Supports GPT Image 2.5' (the SDK); no source states a byte limit.",
        facts=(
            _fact(
                "formats",
                SERVICE,
                _read(EDIT_PARAMS, "markup: a transparent PNG overlaid on the first image"),
            ),
            _fact("needs_alpha", SERVICE, _read(EDIT_PARAMS, "must contain transparent pixels")),
        ),
    ),
    Profile(
        name="openai-vision",
        description="OpenAI image inputs (responses, conversations, chat, files purpose=vision): PNG, JPEG, WebP, still GIF",
        formats=frozenset({"JPEG", "PNG", "WEBP", "GIF"}),
        notes="No per-image byte limit is stated (stored chat completions drop images over 8MB); realtime takes PNG and JPEG.",
        facts=(
            _fact(
                "formats",
                SERVICE,
                _read(
                    "https://developers.openai.com/docs/guides/vision",
                    "PNG, JPEG, WEBP and non-animated GIF",
                    NOTES_2026_11,
                ),
            ),
        ),
    ),
    Profile(
        name="runway-gen4",
        description="Runway gen4.5 / gen4_turbo: JPEG, PNG or WebP; ratio is the output's, so any input shape is cropped",
        formats=_JPEG_PNG_WEBP,
        aspect=(0.5, 2.0),
        max_side=7999,
        max_bytes=16 * MIB,
        max_data_uri=5 * MIB - 1,
        models=("gen4.5", "gen4_turbo"),
        notes="An image of another aspect than `ratio` is cropped by the service: a warning (SG107), not an error.",
        facts=(
            *RUNWAY_GENERAL,
            _fact("models", SERVICE, RUNWAY_MODELS),
            *(
                _fact(
                    f,
                    UNVERIFIED,
                    _read(
                        RUNWAY_INPUTS,
                        "input aspect 0.5 to 2, sides under 8000 px: stated in 2026-11, "
                        "no longer on the page",
                        NOTES_2026_11,
                    ),
                    note="no current source states it",
                )
                for f in ("aspect", "max_side")
            ),
        ),
    ),
    Profile(
        name="runway-grok-imagine",
        description="Runway grok_imagine_1_5 / _lite: the input's aspect (the output keeps it) between 0.4 and 2.5",
        formats=_JPEG_PNG_WEBP,
        aspect=(0.4, 2.5),
        max_bytes=16 * MIB,
        max_data_uri=5 * MIB - 1,
        models=("grok_imagine_1_5", "grok_imagine_1_5_lite"),
        facts=(
            *RUNWAY_GENERAL,
            _fact("models", SERVICE, RUNWAY_MODELS),
            _fact(
                "aspect",
                SERVICE,
                _read(
                    RUNWAY_SDK + "image_to_video_create_params.py",
                    "GrokImagine1_5: aspect ratio (width / height) must be between 0.4 and 2.5",
                ),
            ),
        ),
    ),
    Profile(
        name="runway-h3-max",
        description="Runway h3_max (MiniMax H3): each image at least 256 px on both sides, aspect 0.4 to 2.5",
        formats=_JPEG_PNG_WEBP,
        min_side=256,
        aspect=(0.4, 2.5),
        max_bytes=16 * MIB,
        max_data_uri=5 * MIB - 1,
        models=("h3_max",),
        facts=(
            *RUNWAY_GENERAL,
            _fact("models", SERVICE, RUNWAY_MODELS),
            _fact(
                "min_side",
                SERVICE,
                _read(
                    RUNWAY_SDK + "image_to_video_create_params.py",
                    "H3Max: each image must be at least 256 pixels on both sides",
                ),
            ),
            _fact("aspect", UNVERIFIED, H3_NODE, note="Runway's SDK states no aspect bounds for h3_max"),
        ),
    ),
    Profile(
        name="runway",
        description="Runway, other models (veo3.1, kling*, hailuo3, seedance*, ...): JPEG, PNG or WebP, 16 MB by URL",
        formats=_JPEG_PNG_WEBP,
        max_bytes=16 * MIB,
        max_data_uri=5 * MIB - 1,
        models=RUNWAY_OTHER_MODELS,
        notes="The SDK states no per-model image bounds for these models.",
        facts=(*RUNWAY_GENERAL, _fact("models", SERVICE, RUNWAY_MODELS)),
    ),
    Profile(
        name="runway-upload",
        description="Runway uploads.create_ephemeral: an image uploaded for later tasks, up to 200 MB",
        formats=_JPEG_PNG_WEBP,
        max_bytes=200 * MIB,
        facts=(
            RUNWAY_FORMATS,
            _fact(
                "max_bytes",
                SERVICE,
                _read(
                    "https://docs.dev.runwayml.com/assets/uploads",
                    "ephemeral uploads: images up to 200MB",
                    "2026-12-06",
                ),
                strict=200 * MB,
                note="'200MB' read as 209,715,200 bytes, or 200,000,000 if MB is 10^6",
            ),
        ),
    ),
    Profile(
        name="veo",
        description="Google Veo 3.1 (models.generate_videos on Vertex AI): the video is 16:9 or 9:16; Veo crops or pads the image",
        formats=_JPEG_PNG,
        models=(
            *VEO_LIVE,
            "veo-2.0-generate-001",
            "veo-3.0-generate-001",
            "veo-3.0-fast-generate-001",
            "veo-3.1-generate-preview",
            "veo-3.1-fast-generate-preview",
            "veo-3.1-lite-generate-preview",
            "fal-ai/veo3.1/*",
        ),
        notes="aspect_ratio and resolution describe the video, not the image: Veo fits the image with resize_mode "
        "(crop or pad), so another aspect is a warning (SG107). models.generate_videos works on Vertex AI only; on "
        "the Developer API video goes through Gemini Omni (interactions, profile gemini-omni).",
        facts=(
            VEO_FORMATS,
            _fact(
                "models",
                SERVICE,
                _read(
                    VEO_PAGE + "3-1-generate.md.txt",
                    "Model ID veo-3.1-generate-001, veo-3.1-fast-generate-001",
                ),
                FAL_VEO,
                note="fal's endpoints as a pattern (fal-ai/veo3.1/image-to-video, ...); its reference-to-video "
                "is veo-reference-fal",
            ),
        ),
        model_lifecycles=(
            Lifecycle(
                RETIRED, "2026-06-30", ("veo-3.1-generate-001",), VEO_RETIRED, model="veo-2.0-generate-001"
            ),
            Lifecycle(
                RETIRED, "2026-06-30", ("veo-3.1-generate-001",), VEO_RETIRED, model="veo-3.0-generate-001"
            ),
            Lifecycle(
                RETIRED,
                "2026-06-30",
                ("veo-3.1-fast-generate-001",),
                VEO_RETIRED,
                model="veo-3.0-fast-generate-001",
            ),
            *(
                Lifecycle(
                    RETIRED,
                    "2026-10-22",
                    (ga, "gemini-omni-1.1-flash"),
                    VEO_PREVIEWS_GONE,
                    "gone from Vertex AI on 2026-04-02 and, by a relay's notice, from the Gemini API on 2026-10-22",
                    model=m,
                )
                for m, ga in (
                    ("veo-3.1-generate-preview", VEO_LIVE[0]),
                    ("veo-3.1-fast-generate-preview", VEO_LIVE[1]),
                    ("veo-3.1-lite-generate-preview", VEO_LIVE[1]),
                )
            ),
        ),
    ),
    Profile(
        name="veo-reference",
        description="Google Veo 3.1 reference images (config.reference_images, ASSET): up to 3 of one subject",
        formats=_JPEG_PNG,
        max_images=3,
        notes="STYLE reference images work on veo-2.0-generate-exp only; reference images go without a first or last frame.",
        facts=(VEO_FORMATS, _fact("max_images", SERVICE, VEO_REFERENCES)),
    ),
    Profile(
        name="veo-reference-fal",
        description="Google Veo 3.1 reference images through fal (fal-ai/veo3.1/reference-to-video): up to 3, each up to 8 MB",
        formats=_JPEG_PNG,
        max_bytes=8 * MIB,
        max_images=3,
        models=("fal-ai/veo3.1/reference-to-video",),
        notes="fal hosts Google's model: Veo's formats and reference count apply; fal states the byte limit.",
        facts=(
            VEO_FORMATS,
            _fact("max_images", SERVICE, VEO_REFERENCES),
            _fact(
                "max_bytes",
                SERVICE,
                FAL_VEO_REFERENCE,
                strict=8 * MB,
                note="'up to 8MB': 8,388,608 bytes, or 8,000,000 if MB is 10^6",
            ),
            _fact("models", SERVICE, FAL_VEO_REFERENCE),
        ),
    ),
    Profile(
        name="gemini-omni",
        description="Google Gemini Omni (interactions, video generation): PNG, JPEG, WebP, HEIC or HEIF, at most 10 images",
        formats=frozenset({"JPEG", "PNG", "WEBP", "HEIF"}),
        max_images=10,
        models=("gemini-omni-1.2-flash", "gemini-omni-1.1-flash", "gemini-omni-flash-preview"),
        notes="The video is 16:9 or 9:16 at 720p; an image of another shape is framed by the model.",
        facts=(
            _fact("formats", SERVICE, OMNI_PAGE),
            _fact("max_images", SERVICE, OMNI_PAGE),
            _fact("models", SERVICE, INTERACTION_MODELS),
        ),
    ),
    Profile(
        name="gemini",
        description="Google Gemini models through interactions (image parts): PNG, JPEG, WebP, HEIC/HEIF, GIF, BMP, TIFF",
        formats=frozenset({"JPEG", "PNG", "WEBP", "HEIF", "GIF", "BMP", "TIFF"}),
        models=GEMINI_MODELS,
        notes="Text-to-speech and transcription models take no images and are not mapped.",
        facts=(
            _fact(
                "formats",
                SERVICE,
                _read(
                    GENAI + "imagecontent.py",
                    "ImageContentMimeType: png, jpeg, webp, heic, heif, gif, bmp, tiff",
                ),
            ),
            _fact("models", SERVICE, INTERACTION_MODELS),
        ),
    ),
    Profile(
        name="kling",
        description="Kling: any aspect from 1:2.5 to 2.5:1, each side at least 300 px, JPEG or PNG up to 10 MB",
        formats=_JPEG_PNG,
        aspect=(1 / 2.5, 2.5),
        min_side=300,
        max_bytes=10 * MIB,
        models=("kling-video/*", "fal-ai/kling-video/*", "kling/*", "kwaivgi/kling-*"),
        notes="Hosts (fal, Replicate) may add limits of their own.",
        facts=(
            *(_fact(f, SECONDARY, *KLING_PAGES) for f in ("formats", "aspect", "min_side")),
            _fact(
                "models",
                SERVICE,
                _read(
                    "https://fal.ai/models/fal-ai/kling-video/v2.1/pro/image-to-video",
                    "fal endpoints fal-ai/kling-video/..., kling/v4/...",
                ),
                note="fal endpoint ids and Replicate model references, as patterns",
            ),
            _fact(
                "max_bytes",
                SECONDARY,
                *KLING_PAGES,
                strict=10 * MB,
                note="'must not exceed 10MB': 10,485,760 bytes, or 10,000,000 if MB is 10^6",
            ),
        ),
    ),
    Profile(
        name="minimax-hailuo",
        description="MiniMax Hailuo: aspect between 2:5 and 5:2, short side over 300 px, JPEG, PNG or WebP under 20 MB",
        formats=_JPEG_PNG_WEBP,
        aspect=(2 / 5, 5 / 2),
        min_side=301,
        max_bytes=20 * MIB,
        models=MINIMAX_MODELS,
        notes="Hosts (fal, Replicate) may add limits of their own. One older relay lists JPG/JPEG/PNG only.",
        facts=(
            *(_fact(f, SECONDARY, *MINIMAX_PAGES) for f in ("formats", "aspect", "min_side")),
            _fact(
                "models",
                SECONDARY,
                _read(
                    "https://gpt.morphogen.top/en/video/hailuo/generate-image-to-video.html",
                    "model: MiniMax-Hailuo-2.3, -2.3-Fast, -02, I2V-01-Director, I2V-01-live, I2V-01",
                ),
                *MINIMAX_PAGES[:1],
            ),
            _fact(
                "max_bytes",
                SECONDARY,
                *MINIMAX_PAGES,
                strict=20 * MB - 1,
                note="'< 20MB' and '<= 20MB': up to 20,971,520 bytes, or under 20,000,000 if MB is 10^6",
            ),
        ),
    ),
    Profile(
        name="minimax-h3",
        description="MiniMax H3 (gateways' /v1/videos model minimax/h3, fal and Replicate endpoints): sides >= 256 px, aspect 0.4 to 2.5",
        formats=frozenset(),
        min_side=256,
        aspect=(0.4, 2.5),
        models=("minimax/h3", "minimax/h3-*"),
        notes="No source states its formats or byte limit: set formats and max-bytes if you know them. The output "
        "follows the image's aspect.",
        facts=(
            _fact("min_side", UNVERIFIED, H3_NODE),
            _fact("aspect", UNVERIFIED, H3_NODE),
            _fact(
                "models",
                UNVERIFIED,
                _read(
                    "https://dev.to/poppymogmachine/sora-api-replacement-keep-your-openai-videos-code-change-the-base-url-43oc",
                    "a gateway's /v1/videos serves model minimax/h3",
                ),
                note="also fal's minimax/h3-max/... and Replicate's minimax/h3-highspeed (services notes, 2026-12-06)",
            ),
        ),
    ),
    Profile(
        name="stability-i2v",
        description="Stability image-to-video: exactly 1024x576, 576x1024 or 768x768, JPEG or PNG",
        formats=_JPEG_PNG,
        sizes=(Size(1024, 576), Size(576, 1024), Size(768, 768)),
        notes="No byte limit is stated. A third party says the hosted Stable Video API was discontinued "
        "(https://theaimap.app/sora-api-alternatives.html, 2026-06-04); no date or notice from Stability was found.",
        facts=(_fact("formats", UNVERIFIED, STABILITY_PAGE), _fact("sizes", UNVERIFIED, STABILITY_PAGE)),
    ),
    Profile(
        name="luma",
        description="Luma (luma-agents: ray-3.2 video, uni-1 images): up to 9 reference images, inline base64 with media_type",
        formats=_JPEG_PNG_WEBP,
        max_bytes=20 * MIB,
        max_images=9,
        models=("ray-3.2", "uni-1", "uni-1-max"),
        notes="The legacy lumaai SDK (Dream Machine API) took keyframes by URL only.",
        facts=(
            _fact("formats", UNVERIFIED, LUMA_UPLOADS),
            _fact("max_bytes", UNVERIFIED, LUMA_UPLOADS, strict=20 * MB),
            _fact(
                "max_images",
                SERVICE,
                LUMA_REFS,
                note="image_ref of type 'image' (luma-image-edit: 'image_edit')",
            ),
            _fact("models", SERVICE, _read(LUMA_SDK + "model.py", '"uni-1", "uni-1-max", "ray-3.2"')),
        ),
    ),
    Profile(
        name="luma-image-edit",
        description="Luma image edits (luma-agents generations.create type image_edit): up to 8 reference images",
        formats=_JPEG_PNG_WEBP,
        max_bytes=20 * MIB,
        max_images=8,
        notes="The guard picks it by the call's type, not by model (uni-1 edits).",
        facts=(
            _fact("formats", UNVERIFIED, LUMA_UPLOADS),
            _fact("max_bytes", UNVERIFIED, LUMA_UPLOADS, strict=20 * MB),
            _fact("max_images", SERVICE, LUMA_REFS),
        ),
    ),
)


@hookimpl
def sora_guard_profiles() -> list[Profile]:
    return list(BUILTIN_PROFILES)
