"""Loopback stand-ins for Veo (Vertex AI and the Gemini interactions API), Runway, fal, Replicate and Luma.

Each validates an image the way the service does (declared type allowed, content of that type,
decodes whole, still, within the byte limit) and answers with a service-shaped 400 otherwise; every
request is recorded on the :class:`~loopback.Loopback` it runs on, and every image that passed is
kept in ``images`` as ``(declared MIME, bytes)`` for the tests to inspect.
"""

from __future__ import annotations

import base64
import io
import re
import threading
import uuid
from dataclasses import dataclass, field

from PIL import Image

from support.loopback import Loopback, Reject, Request
from support.openai_server import parse_multipart

PIL_MIME = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp", "GIF": "image/gif"}
HEIF_MIMES = ("image/heic", "image/heif")
"""Both name HEIF content (RFC 8536 registers image/heic for HEVC-coded HEIF, image/heif for any)."""
FAL_HOSTS = ("fal.run", "queue.fal.run", "rest.fal.ai", "v3.fal.media", "falrun.com", "queue.falrun.com")


class ImageRefused(ValueError):
    pass


def inspect_image(
    data: bytes, declared: str | None, allowed: tuple[str, ...], max_bytes: int | None = None
) -> Image.Image:
    """The service's own check: declared type allowed and true to the content, whole, still, within the limit."""
    if declared not in allowed:
        raise ImageRefused(f"unsupported MIME type {declared!r}; supported: {', '.join(allowed)}")
    if max_bytes is not None and len(data) > max_bytes:
        raise ImageRefused(f"image is {len(data)} bytes, over {max_bytes}")
    if declared in HEIF_MIMES:
        from pillow_heif import register_heif_opener

        register_heif_opener()
    try:
        im = Image.open(io.BytesIO(data))
        im.load()
    except Exception:
        raise ImageRefused("the image could not be decoded") from None
    if im.format == "HEIF" and declared in HEIF_MIMES:
        return im
    if PIL_MIME.get(im.format) != declared:
        raise ImageRefused(f"declared {declared} but the content is {im.format}")
    if getattr(im, "n_frames", 1) > 1:
        raise ImageRefused("animated images are not supported")
    return im


def decode_data_uri(uri: str) -> tuple[str, bytes]:
    head, _, payload = uri.partition(",")
    if not head.startswith("data:") or not head.endswith(";base64"):
        raise ImageRefused("not a base64 data URI")
    return head[5:-7], base64.b64decode(payload, validate=True)


@dataclass
class Service:
    """A validating handler; ``images`` holds what it accepted."""

    images: list[tuple[str, bytes]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)
    url: str = ""

    def accept(self, mime: str, data: bytes) -> None:
        with self.lock:
            self.images.append((mime, data))

    def serve(self, **kwargs) -> Loopback:
        loop = Loopback(self, **kwargs)
        self.url = loop.url
        return loop


# -- Veo -------------------------------------------------------------------------------------------

VEO_MIMES = ("image/jpeg", "image/png")
GEMINI_MIMES = (
    "image/png",
    "image/jpeg",
    "image/webp",
    "image/heic",
    "image/heif",
    "image/gif",
    "image/bmp",
    "image/tiff",
)


IMAGEN_MIMES = ("image/jpeg", "image/png", "image/webp")
MAX_ASSETS = 3
"""Veo: 'up to three images of a single person, character, or product' (Vertex AI's reference-image page)."""
MAX_OMNI_IMAGES = 10
"""Gemini Omni: 'Maximum images per prompt: 10' (its Agent Platform model page)."""


class VeoService(Service):
    """Vertex AI ``:predictLongRunning`` for Veo models, ``:predict`` for the image models (edit,
    upscale, recontext, segment), ``:generateContent`` for Gemini, and the Developer API's ``/interactions``."""

    def __call__(self, r: Request) -> tuple:
        if r.method == "POST" and r.path.endswith(":predictLongRunning"):
            return self._predict(r)
        if r.method == "POST" and r.path.endswith(":predict"):
            self._inline(r.json(), "bytesBase64Encoded", IMAGEN_MIMES)
            return 200, {"predictions": []}
        if r.method == "POST" and re.search(r":(stream)?[gG]enerateContent(\?.*)?$", r.path):
            self._inline(r.json(), "data", GEMINI_MIMES, under="inlineData")
            return 200, {"candidates": [{"content": {"role": "model", "parts": [{"text": "ok"}]}}]}
        if r.method == "POST" and re.fullmatch(r"/v1\w*/interactions(\?.*)?", r.path):
            return self._interaction(r)
        raise Reject(404, {"error": {"code": 404, "message": f"no route {r.path}", "status": "NOT_FOUND"}})

    @staticmethod
    def _refuse(message: str) -> Reject:
        return Reject(400, {"error": {"code": 400, "message": message, "status": "INVALID_ARGUMENT"}})

    def _predict(self, r: Request) -> tuple:
        body = r.json()
        (instance,) = body["instances"]
        images = [instance.get("image"), instance.get("lastFrame")]
        references = instance.get("referenceImages", [])
        if sum(str(ref.get("referenceType", "")).lower() == "asset" for ref in references) > MAX_ASSETS:
            raise self._refuse(f"At most {MAX_ASSETS} asset reference images are supported.")
        images += [ref.get("image") for ref in references]
        images += [(instance.get("mask") or {}).get("image")] if instance.get("mask") else []
        checked = []
        for image in filter(lambda i: i is not None, images):
            if "gcsUri" in image:
                continue
            if "bytesBase64Encoded" not in image:
                raise self._refuse("Image must have either bytesBase64Encoded or gcsUri.")
            data = base64.b64decode(image["bytesBase64Encoded"])
            try:
                inspect_image(data, image.get("mimeType"), VEO_MIMES)
            except ImageRefused as exc:
                raise self._refuse(f"Invalid image: {exc}") from None
            checked.append((image.get("mimeType"), data))
        for item in checked:
            self.accept(*item)
        return 200, {"name": f"projects/p/locations/us-central1/operations/{uuid.uuid4().hex[:8]}"}

    def _inline(self, body: object, key: str, allowed: tuple[str, ...], under: str | None = None) -> None:
        """Every base64 image at ``key`` (with ``mimeType`` beside it) anywhere in the body, checked."""
        found = []

        def walk(value, parent_key=None):
            if isinstance(value, dict):
                if key in value and (under is None or parent_key == under):
                    mime = value.get("mimeType", value.get("mime_type"))
                    found.append(
                        (mime, base64.urlsafe_b64decode(value[key].replace("+", "-").replace("/", "_")))
                    )
                for k, v in value.items():
                    walk(v, k)
            elif isinstance(value, list):
                for v in value:
                    walk(v, parent_key)

        walk(body)
        for mime, data in found:
            try:
                inspect_image(data, mime, allowed)
            except ImageRefused as exc:
                raise self._refuse(f"Invalid image: {exc}") from None
        for item in found:
            self.accept(*item)

    def _interaction(self, r: Request) -> tuple:
        body = r.json()
        parts = []

        def walk(value):
            if isinstance(value, dict):
                if value.get("type") == "image":
                    parts.append(value)
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        walk(body.get("input"))
        if str(body.get("model", "")).startswith("gemini-omni-") and len(parts) > MAX_OMNI_IMAGES:
            raise self._refuse(f"At most {MAX_OMNI_IMAGES} images are supported per prompt.")
        for part in parts:
            if "data" not in part:
                continue
            data = base64.b64decode(part["data"])
            try:
                inspect_image(data, part.get("mime_type"), GEMINI_MIMES)
            except ImageRefused as exc:
                raise self._refuse(f"Invalid image content: {exc}") from None
            self.accept(part.get("mime_type"), data)
        return 200, {"id": "interaction-1", "status": "completed", "object": "interaction", "outputs": []}


# -- Runway ----------------------------------------------------------------------------------------

RUNWAY_MIMES = ("image/jpeg", "image/png", "image/webp")
RUNWAY_DATA_URI_BYTES = 5 * 1024 * 1024
"""The image in a data URI must be under 5 MiB (the inputs page's larger reading; see the adapter)."""
RUNWAY_UPLOAD_BYTES = (512, 200 * 1024 * 1024)
"""An ephemeral upload's smallest and largest size (the uploads page: 512 bytes to "200MB")."""


class RunwayService(Service):
    """``/v1/image_to_video`` and friends (data URIs in JSON), ``/v1/uploads`` and the upload target."""

    def __call__(self, r: Request) -> tuple:
        if r.method == "POST" and r.path == "/v1/uploads":
            return 200, {
                "uploadUrl": self.url + "/upload-target",
                "fields": {"key": "k1"},
                "runwayUri": "runway://upload/1",
            }
        if r.method == "POST" and r.path == "/upload-target":
            parts = parse_multipart(r.headers.get("content-type", ""), r.body)
            (part,) = [p for p in parts if p.filename is not None]
            smallest, largest = RUNWAY_UPLOAD_BYTES
            if not smallest <= len(part.data) <= largest:
                raise Reject(400, {"error": f"Uploads take {smallest} bytes to 200MB"})
            if not (part.content_type or "").startswith(
                ("video/", "audio/")
            ):  # media it takes besides images
                self._check(part.content_type, part.data)
            return 204, b""
        if r.method in ("POST", "PATCH") and r.path.startswith("/v1/"):
            for uri in self._uris(r.json()):
                try:
                    mime, data = decode_data_uri(uri)
                except (ImageRefused, ValueError) as exc:
                    raise Reject(400, {"error": f"Invalid data URI: {exc}"}) from None
                if len(data) >= RUNWAY_DATA_URI_BYTES:
                    raise Reject(400, {"error": "Data URI exceeds 5MB"})
                self._check(mime, data)
            return 200, {"id": str(uuid.uuid4())}
        raise Reject(404, {"error": f"no route {r.path}"})

    def _check(self, mime: str | None, data: bytes) -> None:
        try:
            inspect_image(data, mime, RUNWAY_MIMES)
        except ImageRefused as exc:
            raise Reject(400, {"error": f"Invalid asset: {exc}"}) from None
        self.accept(mime, data)

    @staticmethod
    def _uris(value) -> list[str]:
        if isinstance(value, str):
            return [value] if value.startswith("data:") else []
        if isinstance(value, dict):
            return [u for v in value.values() for u in RunwayService._uris(v)]
        if isinstance(value, list):
            return [u for v in value for u in RunwayService._uris(v)]
        return []


# -- fal -------------------------------------------------------------------------------------------

FAL_MIMES = ("image/jpeg", "image/png", "image/webp")
FAL_MAX_BYTES = {"fal-ai/veo3.1/reference-to-video": 8 * 1024 * 1024}
"""Endpoints whose page states a byte limit ("Input images up to 8MB"; refused above the larger reading)."""


class FalService(Service):
    """fal.run, queue.fal.run (submit, status, result), rest.fal.ai (CDN token) and v3.fal.media (upload)."""

    def __call__(self, r: Request) -> tuple:
        path = r.path.split("?")[0]
        if r.host == "rest.fal.ai" and path == "/storage/auth/token":
            return 200, {
                "token": "cdn",
                "token_type": "Bearer",
                "base_url": "https://v3.fal.media",
                "expires_at": "2099-01-01T00:00:00+00:00",
            }
        if r.host == "v3.fal.media" and path == "/files/upload":
            self._check(r.headers.get("content-type"), r.body, ["upload"])
            return 200, {"access_url": f"https://v3.fal.media/files/{uuid.uuid4().hex[:8]}"}
        if r.host == "fal.run" and r.method == "POST":
            self._arguments(r.json(), FAL_MAX_BYTES.get(path.strip("/")))
            return 200, {"video": {"url": "https://v3.fal.media/files/out.mp4"}}
        if r.host == "queue.fal.run":
            return self._queue(r, path)
        raise Reject(404, {"detail": f"no route {r.host}{path}"})

    def _queue(self, r: Request, path: str) -> tuple:
        if r.method == "POST":
            self._arguments(r.json(), FAL_MAX_BYTES.get(path.strip("/")))
            base = f"https://queue.fal.run{path}/requests/1"
            return 200, {
                "request_id": "1",
                "response_url": base,
                "status_url": base + "/status",
                "cancel_url": base + "/cancel",
            }
        if path.endswith("/status"):
            return 200, {"status": "COMPLETED", "logs": [], "metrics": {}}
        return 200, {"video": {"url": "https://v3.fal.media/files/out.mp4"}}

    def _arguments(self, body, max_bytes: int | None = None) -> None:
        def walk(value, loc):
            if isinstance(value, str) and value.startswith("data:"):
                try:
                    mime, data = decode_data_uri(value)
                except (ImageRefused, ValueError) as exc:
                    raise Reject(
                        422, {"detail": [{"loc": ["body", *loc], "msg": str(exc), "type": "value_error"}]}
                    ) from None
                self._check(mime, data, loc, max_bytes)
            elif isinstance(value, dict):
                for k, v in value.items():
                    walk(v, [*loc, k])
            elif isinstance(value, list):
                for i, v in enumerate(value):
                    walk(v, [*loc, i])

        walk(body, [])

    def _check(self, mime: str | None, data: bytes, loc: list, max_bytes: int | None = None) -> None:
        try:
            inspect_image(data, mime, FAL_MIMES, max_bytes)
        except ImageRefused as exc:
            raise Reject(
                422, {"detail": [{"loc": ["body", *loc], "msg": str(exc), "type": "image_load_error"}]}
            ) from None
        self.accept(mime, data)


# -- Replicate -------------------------------------------------------------------------------------

REPLICATE_MIMES = ("image/jpeg", "image/png", "image/webp")


class ReplicateService(Service):
    """``/v1/files`` (multipart), ``/v1/models/OWNER/NAME/predictions``, ``/v1/predictions`` and
    ``/v1/deployments/OWNER/NAME`` (its ``/predictions`` too)."""

    def __call__(self, r: Request) -> tuple:
        if r.method == "POST" and r.path == "/v1/files":
            (part,) = [
                p
                for p in parse_multipart(r.headers.get("content-type", ""), r.body)
                if p.filename is not None
            ]
            if not (part.content_type or "").startswith(
                ("audio/", "video/")
            ):  # media it takes besides images
                self._check(part.content_type, part.data)
            return 201, {
                "id": "file1", "name": part.filename, "content_type": part.content_type, "size": len(part.data),
                "etag": "e", "checksums": {}, "metadata": {}, "created_at": "2026-11-25T00:00:00Z",
                "expires_at": None, "urls": {"get": "https://api.replicate.com/v1/files/file1"},
            }  # fmt: skip
        deployment = re.fullmatch(r"/v1/deployments/([^/]+)/([^/]+)", r.path)
        if r.method == "GET" and deployment:
            return 200, {"owner": deployment[1], "name": deployment[2], "current_release": None}
        if r.method == "POST" and (r.path == "/v1/predictions" or r.path.endswith("/predictions")):
            body = r.json()
            for value in self._data_uris(body.get("input")):
                mime, data = decode_data_uri(value)
                self._check(mime, data)
            return 201, {
                "id": "p1", "model": "m", "version": "v", "status": "succeeded", "input": body.get("input"),
                "output": "https://replicate.delivery/out.mp4", "logs": "", "error": None, "metrics": {},
                "created_at": "2026-11-25T00:00:00Z", "urls": {"get": self.url + "/v1/predictions/p1"},
            }  # fmt: skip
        raise Reject(404, {"detail": f"no route {r.path}"})

    def _check(self, mime: str | None, data: bytes) -> None:
        try:
            inspect_image(data, mime, REPLICATE_MIMES)
        except ImageRefused as exc:
            raise Reject(422, {"title": "Invalid input", "detail": str(exc), "status": 422}) from None
        self.accept(mime, data)

    @staticmethod
    def _data_uris(value) -> list[str]:
        if isinstance(value, str):
            return [value] if value.startswith("data:") else []
        if isinstance(value, dict):
            return [u for v in value.values() for u in ReplicateService._data_uris(v)]
        if isinstance(value, list):
            return [u for v in value for u in ReplicateService._data_uris(v)]
        return []


# -- Luma ------------------------------------------------------------------------------------------

LUMA_MIMES = ("image/jpeg", "image/png", "image/webp")
LUMA_MAX_REFS = {"image": 9, "image_edit": 8}
"""``image_ref``: 'Up to 9 for type 'image', up to 8 for type 'image_edit'' (luma-agents 0.5.0)."""


class LumaService(Service):
    """luma-agents' ``/generations``: every inline image reference (``data`` with ``media_type``) checked."""

    def __call__(self, r: Request) -> tuple:
        if r.method == "POST" and r.path == "/generations":
            body, refs = r.json(), []

            def walk(value):
                if isinstance(value, dict):
                    if "data" in value and str(value.get("media_type", "")).startswith("image/"):
                        refs.append(value)
                    elif "data" in value and "media_type" not in value:
                        raise Reject(400, {"detail": "media_type is required with data"})
                    for v in value.values():
                        walk(v)
                elif isinstance(value, list):
                    for v in value:
                        walk(v)

            walk(body)
            limit = LUMA_MAX_REFS.get(body.get("type", "image"))
            if limit is not None and len(body.get("image_ref") or []) > limit:
                raise Reject(
                    400, {"detail": f"image_ref: up to {limit} for type {body.get('type', 'image')}"}
                )
            checked = []
            for ref in refs:
                try:
                    data = base64.b64decode(ref["data"], validate=True)
                    inspect_image(data, ref["media_type"], LUMA_MIMES)
                except (ImageRefused, ValueError) as exc:
                    raise Reject(400, {"detail": f"Invalid image reference: {exc}"}) from None
                checked.append((ref["media_type"], data))
            for item in checked:
                self.accept(*item)
            return 200, {
                "id": "gen-1", "created_at": "2026-12-07T00:00:00Z", "model": body.get("model", "uni-1"),
                "state": "queued", "type": body.get("type", "image"),
            }  # fmt: skip
        raise Reject(404, {"detail": f"no route {r.path}"})
