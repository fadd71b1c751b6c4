"""A loopback stand-in for the OpenAI videos and images endpoints that validates like the service.

It parses multipart bodies itself, checks the model/size pair, ``seconds``, the upload's MIME type
and (with Pillow) that the reference image is exactly the requested size, and answers with the
service's real 400 bodies. Every request is recorded. It serves on 127.0.0.1 with a thread per
request (at most ``MAX_CONCURRENT`` at once), refuses bodies over ``MAX_BODY`` and shuts itself
down after ``lifetime`` seconds.

    with OpenAIServer() as server:
        client = OpenAI(api_key="sk-test", base_url=server.base_url, max_retries=0)
"""

from __future__ import annotations

import base64
import io
import itertools
import json
import re
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler

from PIL import Image

from support.served import LocalServer

MAX_BODY = 64 * 1024 * 1024
TEST_API_KEY = "sk-test-do-not-leak-7d1f"
"""The key test clients send; tests assert it never shows up in messages, logs or reports."""
MAX_CONCURRENT = 8
SIZES = {
    "sora-2": {"1280x720", "720x1280"},
    "sora-2-pro": {"1280x720", "720x1280", "1024x1792", "1792x1024", "1920x1080", "1080x1920"},
    "minimax/h3": {"1344x768", "768x1344"},  # models an OpenAI-compatible gateway serves at /v1/videos
    "acme/video-9": {"1344x768", "768x1344"},
}
EXACT = {"sora-2", "sora-2-pro", "acme/video-9"}
"""Models whose reference image must be exactly the requested size ("Inpaint image must match ...");
a gateway's aspect-tolerant model (MiniMax H3) takes any image within its bounds instead."""
ASPECT_TOLERANT = {"minimax/h3": (256, 0.4, 2.5)}
"""Shortest side and aspect bounds of the gateway models that frame the image themselves."""
SECONDS = {"4", "8", "12", "16", "20"}
VIDEO_MIMES = ("image/jpeg", "image/png", "image/webp")
EDIT_MIMES = ("image/png", "image/webp", "image/jpeg")
VISION_MIMES = ("image/png", "image/jpeg", "image/webp", "image/gif")
SIZE_MISMATCH = "Inpaint image must match the requested width and height"


@dataclass
class Part:
    """One multipart part: a form field (``filename`` None) or a file."""

    name: str
    filename: str | None
    content_type: str | None
    data: bytes

    @property
    def text(self) -> str:
        return self.data.decode()


@dataclass
class Recorded:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]
    parts: list[Part] = field(default_factory=list)
    json: object = None

    def field(self, name: str) -> str | None:
        return next((p.text for p in self.parts if p.name == name and p.filename is None), None)

    def files(self, name: str) -> list[Part]:
        return [p for p in self.parts if p.name == name and p.filename is not None]

    def file(self, name: str) -> Part | None:
        found = self.files(name)
        return found[0] if found else None


class ServiceError(Exception):
    def __init__(self, status: int, message: str, param: str | None = None, code: str | None = None):
        super().__init__(message)
        self.status = status
        self.body = {
            "error": {"message": message, "type": "invalid_request_error", "param": param, "code": code}
        }


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    match = re.search(r'boundary="?([^";]+)"?', content_type)
    if not content_type.startswith("multipart/form-data") or not match:
        raise ServiceError(400, "Expected a multipart/form-data body")
    delimiter = b"--" + match.group(1).encode()
    chunks = body.split(delimiter)
    if len(chunks) < 3 or not chunks[-1].startswith(b"--"):
        raise ServiceError(400, "Malformed multipart body")
    parts = []
    for chunk in chunks[1:-1]:
        head, sep, data = chunk[2:].partition(b"\r\n\r\n")
        if not sep or not data.endswith(b"\r\n"):
            raise ServiceError(400, "Malformed multipart part")
        headers = dict(
            (k.strip().lower(), v.strip())
            for k, _, v in (line.decode().partition(":") for line in head.split(b"\r\n"))
        )
        disposition = headers.get("content-disposition", "")
        name = re.search(r'\bname="([^"]*)"', disposition)
        filename = re.search(r'\bfilename="([^"]*)"', disposition)
        parts.append(
            Part(
                name.group(1) if name else "",
                filename.group(1) if filename else None,
                headers.get("content-type"),
                data[:-2],
            )
        )
    return parts


def _open_image(part: Part, param: str) -> Image.Image:
    try:
        im = Image.open(io.BytesIO(part.data))
        im.load()
        return im
    except Exception:
        raise ServiceError(
            400, f"Invalid file '{param}': the image could not be decoded.", param, "invalid_image"
        ) from None


def _check_mime(part: Part, param: str, allowed: tuple[str, ...]) -> None:
    if part.content_type not in allowed:
        listed = ", ".join(f"'{m}'" for m in allowed)
        raise ServiceError(
            400,
            f"Invalid file '{param}': unsupported mimetype ('{part.content_type}'). Supported file formats are {listed}.",
            param,
            "unsupported_file_mimetype",
        )


class OpenAIServer(LocalServer):
    """The fake service. ``requests`` lists what arrived, in order; ``assets`` maps URL paths to bytes."""

    def __init__(self, lifetime: float = 120.0):
        self.requests: list[Recorded] = []
        self.videos: dict[str, dict] = {}
        self.assets: dict[str, bytes] = {}
        self._ids = itertools.count(1)
        self._lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(MAX_CONCURRENT)
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                with server._slots:
                    server._handle(self, "GET")

            def do_POST(self) -> None:
                with server._slots:
                    server._handle(self, "POST")

        self._serve_with(Handler, lifetime)

    @property
    def base_url(self) -> str:
        return self.url + "/v1"

    # -- dispatch ------------------------------------------------------------------------------

    def _handle(self, h: BaseHTTPRequestHandler, method: str) -> None:
        record = Recorded(method, h.path, {k.lower(): v for k, v in h.headers.items()})
        try:
            length = int(h.headers.get("Content-Length") or 0)
            if length > MAX_BODY:
                raise ServiceError(413, "Request body too large")
            body = h.rfile.read(length) if length else b""
            if method == "POST" and body:
                if h.headers.get("Content-Type", "").startswith("application/json"):
                    record.json = json.loads(body)
                else:
                    record.parts = parse_multipart(h.headers.get("Content-Type", ""), body)
            with self._lock:
                self.requests.append(record)
            status, payload, headers = self._route(method, h.path, record)
        except ServiceError as exc:
            status, payload, headers = exc.status, exc.body, {}
        if isinstance(payload, bytes):
            data, ctype = payload, "application/octet-stream"
        else:
            data, ctype = json.dumps(payload).encode(), "application/json"
        h.send_response(status)
        h.send_header("Content-Type", ctype)
        h.send_header("Content-Length", str(len(data)))
        for k, v in headers.items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(data)

    def _route(self, method: str, path: str, record: Recorded) -> tuple[int, object, dict]:
        if method == "GET" and path in self.assets:
            return 200, self.assets[path], {}
        if not record.headers.get("authorization", "").startswith("Bearer "):
            raise ServiceError(401, "You didn't provide an API key.")
        if method == "POST" and path == "/v1/videos":
            return 200, self._create_video(record), {}
        match = re.fullmatch(r"/v1/videos/([\w-]+)", path)
        if method == "GET" and match:
            return 200, self._poll_video(match.group(1)), {"openai-poll-after-ms": "1"}
        if method == "POST" and path == "/v1/images/edits":
            return 200, self._edit_image(record), {}
        if (
            method == "POST"
            and path in ("/v1/responses", "/v1/chat/completions", "/v1/moderations", "/v1/decisions")
            or re.fullmatch(r"/v1/conversations(/[\w-]+/items)?", path)
        ):
            return 200, self._vision(path, record), {}
        if method == "POST" and path == "/v1/content_provenance_checks":
            return 200, self._provenance(record), {}
        if method == "POST" and path == "/v1/files":
            return 200, self._file(record), {}
        raise ServiceError(404, f"Invalid URL ({method} {path})")

    # -- endpoints -----------------------------------------------------------------------------

    def _create_video(self, r: Recorded) -> dict:
        if not r.field("prompt"):
            raise ServiceError(
                400, "Missing required parameter: 'prompt'.", "prompt", "missing_required_parameter"
            )
        model = r.field("model") or "sora-2"
        size = r.field("size") or "720x1280"
        seconds = r.field("seconds") or "4"
        base = re.sub(r"-\d{4}-\d{2}-\d{2}$", "", model)
        if base not in SIZES:
            raise ServiceError(
                400,
                f"Invalid value: '{model}'. Supported values are: 'sora-2' and 'sora-2-pro'.",
                "model",
                "invalid_value",
            )
        if size not in SIZES[base]:
            listed = ", ".join(f"'{s}'" for s in sorted(SIZES[base]))
            raise ServiceError(
                400,
                f"Invalid value: '{size}'. Supported values for {base} are: {listed}.",
                "size",
                "invalid_value",
            )
        if seconds not in SECONDS:
            raise ServiceError(
                400,
                f"Invalid value: '{seconds}'. Supported values are: {', '.join(sorted(SECONDS, key=int))}.",
                "seconds",
                "invalid_value",
            )
        reference = r.file("input_reference")
        if reference is not None:
            _check_mime(reference, "input_reference", VIDEO_MIMES)
            im = _open_image(reference, "input_reference")
            if base in EXACT and f"{im.width}x{im.height}" != size:
                raise ServiceError(400, SIZE_MISMATCH)
            if base in ASPECT_TOLERANT:
                side, low, high = ASPECT_TOLERANT[base]
                if min(im.size) < side or not low <= im.width / im.height <= high:
                    raise ServiceError(
                        400, f"input_reference: sides of at least {side} px, aspect {low} to {high}"
                    )
        video_id = f"video_{next(self._ids):04d}"
        video = {
            "id": video_id,
            "object": "video",
            "created_at": int(time.time()),
            "status": "queued",
            "model": model,
            "progress": 0,
            "prompt": r.field("prompt"),
            "seconds": seconds,
            "size": size,
        }
        with self._lock:
            self.videos[video_id] = video
        return video

    def _poll_video(self, video_id: str) -> dict:
        with self._lock:
            video = self.videos.get(video_id)
            if video is None:
                raise ServiceError(404, f"Video with id '{video_id}' not found.", "video_id", "not_found")
            if video["status"] == "queued":
                video.update(status="in_progress", progress=50)
            elif video["status"] == "in_progress":
                video.update(status="completed", progress=100, completed_at=int(time.time()))
            return dict(video)

    def _vision(self, path: str, r: Recorded) -> dict:
        """Responses, chat completions and conversation items: every image data URL must decode to its type."""
        urls: list[str] = []

        def walk(value: object) -> None:
            if isinstance(value, dict):
                url = value.get("image_url")
                url = url.get("url") if isinstance(url, dict) else url
                if (
                    value.get("type") in ("input_image", "image_url")
                    and isinstance(url, str)
                    and url.startswith("data:")
                ):
                    urls.append(url)
                for v in value.values():
                    walk(v)
            elif isinstance(value, list):
                for v in value:
                    walk(v)

        walk(r.json)
        for url in urls:
            head, _, payload = url.partition(",")
            part = Part("image_url", "image", head[5:].split(";")[0], base64.b64decode(payload))
            _check_mime(part, "image_url", VISION_MIMES)
            im = _open_image(part, "image_url")
            if f"image/{im.format.lower()}" != part.content_type:
                raise ServiceError(
                    400, "Invalid image: the content does not match its type.", "image_url", "invalid_image"
                )
        if path == "/v1/responses":
            return {
                "id": "resp_1",
                "object": "response",
                "created_at": 0,
                "status": "completed",
                "output": [],
            }
        if path == "/v1/chat/completions":
            return {
                "id": "chatcmpl_1",
                "object": "chat.completion",
                "created": 0,
                "model": "m",
                "choices": [],
            }
        if path == "/v1/conversations":
            return {"id": "conv_1", "object": "conversation", "created_at": 0}
        if path == "/v1/moderations":
            return {"id": "modr_1", "model": "omni-moderation-latest", "results": []}
        if path == "/v1/decisions":
            return {"id": "dec_1", "object": "decision", "answers": []}
        return {"object": "list", "data": [], "first_id": None, "last_id": None, "has_more": False}

    def _provenance(self, r: Recorded) -> dict:
        """An image (PNG, JPEG, WebP, GIF, animated too) or an audio file, checked as the SDK documents."""
        part = r.file("file")
        if not (part.content_type or "").startswith("audio/"):
            _check_mime(part, "file", VISION_MIMES)
            im = _open_image(part, "file")
            if f"image/{im.format.lower()}" != part.content_type:
                raise ServiceError(
                    400, "Invalid file: the content does not match its type.", "file", "invalid_image"
                )
        return {"id": "cpc_1", "object": "content_provenance_check", "result": "not_detected"}

    def _file(self, r: Recorded) -> dict:
        part = r.file("file")
        if r.field("purpose") == "vision":
            _check_mime(part, "file", VISION_MIMES)
            _open_image(part, "file")
        return {
            "id": "file-1",
            "object": "file",
            "bytes": len(part.data),
            "created_at": 0,
            "filename": part.filename,
            "purpose": r.field("purpose"),
        }

    def _edit_image(self, r: Recorded) -> dict:
        images = r.files("image") + r.files("image[]")
        if not images:
            raise ServiceError(
                400, "Missing required parameter: 'image'.", "image", "missing_required_parameter"
            )
        first = None
        for part in images:
            _check_mime(part, "image", EDIT_MIMES)
            if len(part.data) >= 50 * 1024 * 1024:
                raise ServiceError(
                    400, "Invalid file 'image': files must be under 50 MB.", "image", "file_too_large"
                )
            im = _open_image(part, "image")
            first = first or im
        if len(images) > 16:
            raise ServiceError(400, "Too many images: at most 16.", "image", "too_many_images")
        mask, markup = r.file("mask"), r.file("markup")
        if mask is not None and markup is not None:
            raise ServiceError(400, "'markup' cannot be combined with 'mask'.", "markup", "invalid_value")
        if markup is not None and not (r.field("model") or "").startswith("gpt-image-2.5"):
            raise ServiceError(400, "'markup' is supported by GPT Image 2.5 only.", "markup", "invalid_value")
        if r.field("output_format") == "gif" and mask is not None:
            raise ServiceError(400, "GIF output does not support masks.", "mask", "invalid_value")
        if markup is not None:
            _check_mime(markup, "markup", ("image/png",))
            m = _open_image(markup, "markup")
            if m.size != first.size or (m.mode not in ("RGBA", "LA", "PA") and "transparency" not in m.info):
                raise ServiceError(
                    400, "Invalid markup: a transparent PNG at the image's size.", "markup", "invalid_markup"
                )
        size = r.field("size")
        if size and size != "auto":
            w, _, h = size.partition("x")
            if (
                not (w.isdigit() and h.isdigit())
                or int(w) % 16
                or int(h) % 16
                or not 1 / 3 <= int(w) / int(h) <= 3
            ):
                raise ServiceError(400, f"Invalid value: '{size}'.", "size", "invalid_value")
        if mask is not None:
            _check_mime(mask, "mask", ("image/png",))
            if len(mask.data) >= 4 * 1024 * 1024:
                raise ServiceError(
                    400, "Invalid file 'mask': files must be under 4 MB.", "mask", "file_too_large"
                )
            m = _open_image(mask, "mask")
            if m.size != first.size:
                raise ServiceError(
                    400,
                    "Invalid mask image: the mask must have the same dimensions as the image.",
                    "mask",
                    "invalid_mask",
                )
            if m.mode not in ("RGBA", "LA", "PA") and "transparency" not in m.info:
                raise ServiceError(
                    400, "Invalid mask image: the mask must have an alpha channel.", "mask", "invalid_mask"
                )
        out = io.BytesIO()
        Image.new("RGB", first.size, (40, 40, 40)).save(out, "PNG")
        return {
            "created": int(time.time()),
            "data": [{"b64_json": base64.b64encode(out.getvalue()).decode()}],
        }
