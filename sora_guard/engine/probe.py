"""Learn what the rules need about an image: headers first, pixels only to prove integrity.

Also the decode deadline and the scan-bomb count, which fitting and repair share.
"""

from __future__ import annotations

import contextlib
import errno
import io
import os
import signal
import threading
from collections.abc import Iterator
from typing import IO

from PIL import Image, UnidentifiedImageError

from sora_guard.engine import heif, jpegscan, pngscan
from sora_guard.engine.cstderr import captured_stderr
from sora_guard.engine.integrity import DAMAGED_QUIETLY, TRUNCATED, cut_short, explain
from sora_guard.engine.opener import open_image
from sora_guard.engine.quiet import quiet_warnings
from sora_guard.io.read import read_bounded
from sora_guard.io.stream import read_stream
from sora_guard.vocabulary.exceptions import DecodeTimeout
from sora_guard.vocabulary.model import ImageInfo, Limits, Size

__all__ = [
    "decode_deadline",
    "probe_bytes",
    "probe_image",
    "probe_path",
    "probe_stream",
    "prove",
    "scan_bomb",
    "scan_bomb_error",
]


def _bits(im: Image.Image) -> int:
    if im.mode in ("I", "F"):
        return 32
    if im.mode.startswith("I;16"):
        return 16
    tile = getattr(im, "tile", None)
    rawmode = tile[0].args if tile and isinstance(tile[0].args, str) else ""
    return 16 if ";16" in rawmode else 8


def _transparency(im: Image.Image) -> bool:
    return im.mode in ("RGBA", "LA", "PA", "RGBa", "La") or "transparency" in im.info


def _orientation(im: Image.Image) -> int:
    try:
        with quiet_warnings():
            value = im.getexif().get(0x0112, 1)
    except Exception:  # a broken EXIF block: treat as no orientation; integrity rules see the rest
        return 1
    return value if isinstance(value, int) and 1 <= value <= 8 else 1


def _read_image(info: ImageInfo, fp: IO[bytes], limits: Limits, decode: bool = True) -> None:
    """Fill ``info`` from an open binary stream positioned at the image's first byte.

    ``decode=False`` trusts the pixel data (bytes an encoder just wrote) and reads headers only."""
    head = fp.read(64)
    fp.seek(0)
    container = heif.brand_format(head)
    if container == "HEIF":
        info.identify_error = heif.register_opener()
        if info.identify_error:
            info.format = container
            return
    try:
        with quiet_warnings():  # a hostile header's complaints become diagnostics, not stderr noise
            im = open_image(fp)
    except Image.DecompressionBombError as exc:
        info.too_many_pixels = True
        info.identify_error = str(exc)
        return
    except UnidentifiedImageError:
        info.format = container
        if container == "HEIF":
            problem = heif.container_error(fp.getvalue())
            info.identify_error = explain(problem, header=True, cut=cut_short(fp.getbuffer()))
        elif container:
            info.identify_error = f"{container} content cannot be read without a plugin"
        else:
            info.identify_error = "content is not a recognisable image"
        return
    except Exception as exc:  # hostile headers raise all sorts; each becomes a diagnostic
        cut = isinstance(fp, io.BytesIO) and cut_short(fp.getbuffer())
        info.identify_error = explain(str(exc) or type(exc).__name__, header=True, cut=cut)
        return
    with im:
        _read_header(info, im, limits.max_pixels)
        if info.too_many_pixels:
            return
        data = fp.getvalue() if isinstance(fp, io.BytesIO) else None
        scanned = _decode(info, im, limits, data) if decode else True
        if info.decode_timeout is not None:  # reading EXIF now could restart the decode (PNG)
            return
        # a scanned PNG has nothing after its pixels but IEND (and a trusted one is ours, written
        # without EXIF), so EXIF not seen by now is not there: asking Pillow would decode it all
        info.orientation = (
            1 if scanned and info.format == "PNG" and "exif" not in im.info else _orientation(im)
        )
        info.has_icc = bool(im.info.get("icc_profile"))


def _read_header(info: ImageInfo, im: Image.Image, max_pixels: int | None = None) -> None:
    """The facts an opened image's header gives; over ``max_pixels``, ``too_many_pixels`` and no frame
    count: counting frames may decode some (a GIF's), which the limit must come before."""
    # An MPO (phone HDR gain maps, depth maps, camera previews) is a JPEG whose first image every
    # JPEG decoder shows; the extra images are auxiliary, not animation frames.
    multi_picture = im.format == "MPO"
    info.format = "JPEG" if multi_picture else im.format
    info.stored = Size(*im.size)
    info.mode = im.mode
    info.bits = _bits(im)
    info.has_transparency = _transparency(im)
    if max_pixels is not None and info.stored.pixels > max_pixels:
        info.too_many_pixels = True
        return
    if info.format == "HEIF":
        info.bits = int(im.info.get("bit_depth") or 8)  # decoded to 8 bits; the container declares more
        info.auxiliary = heif.auxiliary_images(im.info)
    if multi_picture:
        return
    try:
        with quiet_warnings():
            info.n_frames = int(getattr(im, "n_frames", 1))
    except Exception as exc:
        info.decode_error = explain(str(exc) or type(exc).__name__)


def _expire(signum, frame) -> None:
    raise DecodeTimeout


_timed_threads = threading.local()


def keep_deadlines_in_thread() -> None:
    """Keep the decode time limit in this thread (one an executor owns: a local thread pool, a Dask
    task): off the main thread no signal arrives, so a timer thread then raises ``DecodeTimeout`` in
    the decoding thread, between the decoder's chunks as the signal handler does."""
    _timed_threads.on = True


@contextlib.contextmanager
def _thread_deadline(seconds: float) -> Iterator[None]:
    import ctypes

    ident, lock, state = threading.get_ident(), threading.Lock(), {"done": False, "fired": False}

    def expire() -> None:
        with lock:
            if not state["done"]:
                state["fired"] = True
                ctypes.pythonapi.PyThreadState_SetAsyncExc(
                    ctypes.c_ulong(ident), ctypes.py_object(DecodeTimeout)
                )

    timer = threading.Timer(seconds, expire)
    timer.daemon = True
    timer.start()
    try:
        yield
    finally:
        with lock:
            state["done"] = True
            if state["fired"]:  # withdraw it if it is still pending (the body finished meanwhile)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(ctypes.c_ulong(ident), None)
        timer.cancel()


@contextlib.contextmanager
def decode_deadline(seconds: float | None) -> Iterator[None]:
    """Raise ``DecodeTimeout`` once ``seconds`` have passed (a real-time timer and SIGALRM).

    Only the main thread can receive signals, so elsewhere (and where a host program runs its own
    timer, or on Windows) there is no time limit, unless :func:`keep_deadlines_in_thread` ran there. The handler
    runs between the decoder's chunks of input (64 KB each), so one chunk's C call finishes before
    decoding stops.
    """
    usable = (
        seconds
        and hasattr(signal, "setitimer")
        and threading.current_thread() is threading.main_thread()
        and signal.getitimer(signal.ITIMER_REAL)[0] == 0
    )
    if not usable:
        if seconds and getattr(_timed_threads, "on", False):
            with _thread_deadline(seconds):
                yield
        else:
            yield
        return
    previous = signal.signal(signal.SIGALRM, _expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous if previous is not None else signal.SIG_DFL)


MAX_JPEG_SCANS = 500
"""Encoders write about 10 scans; thousands of tiny scans make a small progressive JPEG decode for
minutes, each scan walking every block (libjpeg-turbo's own scan limit guards against the same)."""


def scan_bomb(data: bytes | None, fmt: str | None) -> int:
    """The number of scans of a JPEG holding more than ``MAX_JPEG_SCANS`` (a scan bomb), else 0.

    A one-scan sequential JPEG (what cameras write) is not counted: libjpeg stops at a second scan.
    """
    if fmt != "JPEG" or data is None or jpegscan.one_scan(data):
        return 0
    scans = data.count(b"\xff\xda")
    return scans if scans > MAX_JPEG_SCANS else 0


def scan_bomb_error(data: bytes | None, fmt: str | None) -> str | None:
    """Why ``data`` is not decoded when it is a scan bomb (:func:`scan_bomb`), else None."""
    scans = scan_bomb(data, fmt)
    if not scans:
        return None
    return f"{scans} scans, over the limit of {MAX_JPEG_SCANS} (a progressive-JPEG scan bomb); not decoded"


def _decode(info: ImageInfo, im: Image.Image, limits: Limits, data: bytes | None = None) -> bool:
    """Prove the pixel data decodes (or record why not); True when that was proven without decoding.

    The scans run under the decode time limit too: they read every byte a decode would.
    """
    if info.decode_error:
        return False
    if info.format == "JPEG" and data is not None:
        if jpegscan.intact(data):  # its header walk met no extraneous bytes either
            return True  # proven complete without decoding the pixels (baseline JPEGs; see jpegscan)
        info.extraneous_bytes = jpegscan.extraneous_bytes(data)
    if info.format == "HEIF" and data is not None and cut_short(data):
        info.decode_error = TRUNCATED  # a decode would not read a cut-off thumbnail or gain map
        return False
    bomb = scan_bomb_error(data, info.format)
    if bomb:
        info.decode_error = bomb
        return False
    # the deadline sits inside the capture, so its timer can never interrupt restoring stderr
    noise = None
    try:
        with (
            captured_stderr() as noise,
            quiet_warnings(),
            decode_deadline(limits.max_decode_seconds),
        ):
            if data is not None and _SCANS.get(info.format, _unscanned)(data):
                return True  # proven complete without decoding the pixels (see jpegscan, pngscan, webpscan)
            if info.format == "JPEG":
                from sora_guard.engine import jpegdecode  # a JPEG its scan could not prove: rare

                damage = jpegdecode.corruption(data, im, limits.max_decode_seconds) if data else None
                if damage is not None:  # decoded by libjpeg-turbo, which says what Pillow keeps silent
                    if damage.startswith("Premature end of JPEG file"):
                        info.decode_error = explain(damage)  # cut short: said as for any format
                    elif damage:
                        info.decode_error = f"{DAMAGED_QUIETLY}; the decoder said: {damage}"
                    return False
                w, h = im.size
                im.draft(im.mode, (max(1, w // 8), max(1, h // 8)))
            im.load()
    except DecodeTimeout:
        info.decode_timeout = limits.max_decode_seconds
    except Exception as exc:
        info.decode_error = explain(str(exc) or type(exc).__name__, noise.text if noise else "")
    return False


def _unscanned(data: bytes) -> bool:
    return False


def _webp_intact(data: bytes) -> bool:
    from sora_guard.engine import webpscan  # ctypes and the libwebp bindings load when a WebP is met

    return webpscan.intact(data)


_SCANS = {"PNG": pngscan.intact, "WEBP": _webp_intact}
"""Formats whose integrity a scan can prove without decoding every pixel (a False answer: decode).
A JPEG's scan (``jpegscan.intact``) runs first in :func:`_decode`, which also looks for extraneous
bytes where it declines; asked again, it would decline again."""


def prove(info: ImageInfo, data: bytes, limits: Limits = Limits()) -> None:
    """Finish a header-only probe of ``data`` (:func:`probe_image` on the opened file): prove the
    pixel data decodes, filling ``decode_error`` or ``decode_timeout`` when it does not."""
    try:
        with quiet_warnings():
            im = open_image(io.BytesIO(data))
    except Exception as exc:  # it opened once already; a second failure is still a diagnostic
        info.decode_error = str(exc) or type(exc).__name__
        return
    with im:
        _decode(info, im, limits, data)


def probe_path(path: str | os.PathLike, limits: Limits = Limits(), storage_options=None) -> ImageInfo:
    """Probe a file on disk or an object fsspec can reach (``s3://bucket/key``, read straight into memory).

    ``storage_options`` maps a protocol to fsspec options (``{"s3": {"endpoint_url": ...}}``).
    Never raises for what the file holds or how it fails to open.
    """
    name = os.fspath(path)
    name = name if isinstance(name, str) else os.fsdecode(name)
    info = ImageInfo(name=name, extension=os.path.splitext(name)[1].lower())
    try:
        info.byte_size, data = read_bounded(path, limits.max_file_bytes, storage_options)
    except OSError as exc:
        info.read_error = _os_error_message(exc, path)
        return info
    return _probe_data(info, data, limits)


def _probe_data(info: ImageInfo, data: bytes | None, limits: Limits) -> ImageInfo:
    """Finish a probe from the file's bytes (None: too large to read)."""
    if data is None:
        info.read_error = f"more than {limits.max_file_bytes} bytes, over the per-file read limit"
    else:
        _read_image(info, io.BytesIO(data), limits)
    return info


def probe_stream(stream: IO[bytes], name: str, limits: Limits = Limits()) -> ImageInfo:
    """Probe an image read from a stream (standard input), reading no more than the per-file limit + 1."""
    info = ImageInfo(name=name, extension=os.path.splitext(name)[1].lower())
    try:
        data = read_stream(stream, limits.max_file_bytes)
    except (OSError, ValueError) as exc:
        info.read_error = str(exc) or type(exc).__name__
        return info
    info.byte_size = len(data) if data is not None else None
    return _probe_data(info, data, limits)


def probe_bytes(
    data: bytes, name: str = "<bytes>", limits: Limits = Limits(), *, decode: bool = True
) -> ImageInfo:
    """Probe an image held in memory; ``name`` supplies the extension, when there is one.

    ``decode=False``: ``data`` is what an encoder just made from decoded pixels (``fix``'s output),
    so its headers are read and its pixel data is not decoded again.
    """
    info = ImageInfo(name=name, extension=os.path.splitext(name)[1].lower(), byte_size=len(data))
    if decode and len(data) > limits.max_file_bytes:  # refused as the same file on disk is
        return _probe_data(info, None, limits)
    _read_image(info, io.BytesIO(data), limits, decode)
    return info


def probe_image(im: Image.Image, name: str = "<image>", max_pixels: int | None = None) -> ImageInfo:
    """Describe an opened PIL image: there is nothing to prove (it is decoded, or its decoding is the
    caller's). Over ``max_pixels`` it stops at its size (``too_many_pixels``), before reading EXIF,
    which decodes a whole PNG."""
    info = ImageInfo(name=name, extension=os.path.splitext(name)[1].lower())
    _read_header(info, im, max_pixels)
    if info.too_many_pixels:
        return info
    info.orientation = _orientation(im)
    info.has_icc = bool(im.info.get("icc_profile"))
    return info


def _os_error_message(exc: OSError, path) -> str:
    if isinstance(exc, FileNotFoundError):
        return "file does not exist" + (" (broken symbolic link)" if os.path.islink(path) else "")
    if isinstance(exc, PermissionError):
        return "permission denied"
    if isinstance(exc, IsADirectoryError):
        return "is a directory"
    if exc.errno == errno.ELOOP:
        return "symbolic link loop"
    return exc.strerror or str(exc)
