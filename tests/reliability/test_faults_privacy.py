"""Privacy: a fixed image carries no EXIF (GPS), XMP, comments or text chunks, whatever the format
and whichever way ``fix`` repaired it (re-encoded, converted, renamed, or in memory for the guard),
and its colours are converted to sRGB. The guard never leaks an API key and never fetches a URL
it was not asked to. (``test_fix.py`` covers the JPEG GPS case and ICC conversion on resize; these
cover every other way out.)"""

from __future__ import annotations

import logging
import pickle
import socket
import threading
import warnings
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image, PngImagePlugin
from support.fuzz.corpus import mutated_images
from support.icc import swapped_rgb
from support.images import encode, marker

import sora_guard
from sora_guard.api import make_settings
from sora_guard.config import Settings
from sora_guard.run.fix import fix_bytes

SECRET = "51°30'N secret-location"
XMP = f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description xmlns:exif="http://ns.adobe.com/exif/1.0/" exif:GPSLatitude="{SECRET}"/></rdf:RDF></x:xmpmeta>'
RED, GREEN = (255, 0, 0), (0, 255, 0)


def _exif() -> bytes:
    exif = Image.Exif()
    exif[0x010F] = "SecretCam"
    exif[0x0131] = SECRET  # Software
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)})
    return exif.tobytes()


def _pnginfo() -> PngImagePlugin.PngInfo:
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP)
    info.add_text("Comment", SECRET)
    return info


def sources() -> dict[str, bytes]:
    """Files with every kind of metadata, each needing a different repair."""
    wide, exact = marker((1600, 900)), marker((1280, 720))
    return {
        "resize.jpg": encode(wide, "JPEG", exif=_exif(), xmp=XMP.encode(), comment=SECRET.encode()),
        "resize.png": encode(wide, "PNG", exif=_exif(), pnginfo=_pnginfo()),
        "resize.webp": encode(wide, "WEBP", exif=_exif(), xmp=XMP.encode()),
        "convert.gif": encode(exact.convert("P"), "GIF", comment=SECRET.encode()),
        "convert-tiff.tif": encode(exact, "TIFF", exif=_exif()),
        "rename-png.jpg": encode(exact, "PNG", exif=_exif(), pnginfo=_pnginfo()),
        "rename-jpeg.png": encode(exact, "JPEG", exif=_exif(), xmp=XMP.encode(), comment=SECRET.encode()),
        "rename-webp.jpg": encode(exact, "WEBP", exif=_exif(), xmp=XMP.encode()),
        "rotated.jpg": encode(marker((720, 1280)), "JPEG", exif=_rotated_exif(), comment=SECRET.encode()),
        "profile-rename.jpg": encode(Image.new("RGB", (1280, 720), RED), "PNG", icc_profile=swapped_rgb()),
        "profile-webp.webp": encode(Image.new("RGB", (1600, 900), RED), "WEBP", icc_profile=swapped_rgb()),
    }


def _rotated_exif() -> bytes:
    exif = Image.Exif()
    exif.update(Image.Exif())
    exif[0x0112] = 6
    exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 30.0, 12.5)})
    return exif.tobytes()


def assert_clean(data: bytes, where: str) -> None:
    """No EXIF, GPS, XMP, comment, text chunk or colour profile; pixels meant as sRGB."""
    assert SECRET.encode() not in data and b"SecretCam" not in data and b"xmpmeta" not in data, where
    with Image.open(__import__("io").BytesIO(data)) as im:
        assert len(im.getexif()) == 0, where
        leaked = set(im.info) & {"exif", "xmp", "XML:com.adobe.xmp", "comment", "Comment", "icc_profile"}
        assert not leaked, (where, leaked)


def test_fixed_files_carry_no_metadata_in_place_and_in_out(tmp_path, run_cli):
    for name, data in sources().items():
        (tmp_path / "src" / name).parent.mkdir(exist_ok=True)
        (tmp_path / "src" / name).write_bytes(data)
    out = run_cli("fix", "--profile", "sora-2", "--isolated", "--no-cache", "--out", "out", "src")
    assert out.returncode == 0, out.stdout + out.stderr
    inplace = run_cli("fix", "--profile", "sora-2", "--isolated", "--no-cache", "src")
    assert inplace.returncode == 0, inplace.stdout
    for folder in ("out", "src"):
        written = sorted((tmp_path / folder).iterdir())
        assert len(written) == len(sources())
        for path in written:
            assert_clean(path.read_bytes(), str(path))
            with Image.open(path) as im:
                if path.stem.startswith("profile"):  # red through the swapped profile *means* green
                    assert (
                        max(abs(a - b) for a, b in zip(im.convert("RGB").getpixel((640, 360)), GREEN)) < 40
                    ), path


def test_a_plain_rename_keeps_the_bytes(tmp_path, run_cli):
    """Without metadata, a wrong extension is still fixed by renaming alone (no re-encoding)."""
    data = encode(marker((1280, 720)), "PNG")
    (tmp_path / "plain.jpg").write_bytes(data)
    assert run_cli("fix", "--profile", "sora-2", "--isolated", "--no-cache", ".").returncode == 0
    assert (tmp_path / "plain.png").read_bytes() == data


@pytest.mark.parametrize("name", sorted(sources()))
def test_in_memory_fix_for_the_guard_carries_no_metadata(name):
    result = fix_bytes(sources()[name], name, Settings(root=Path.cwd(), targets=("sora-2",)))
    assert result.output is not None, [d.message for d in result.problems]
    assert_clean(result.output, name)


# -- the guard ---------------------------------------------------------------------------------------

API_KEY = "sk-proj-NEVER-LEAK-4f1e2d"


@pytest.fixture
def listener():
    """A bare TCP socket on 127.0.0.1 that records every connection made to it."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    sock.listen()
    sock.settimeout(0.2)
    hits: list = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = sock.accept()
            except OSError:
                continue
            hits.append(conn.recv(4096))
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{sock.getsockname()[1]}", hits
    stop.set()
    thread.join()
    sock.close()


def _client():
    openai = pytest.importorskip("openai")
    return openai.OpenAI(api_key=API_KEY, base_url="http://127.0.0.1:9/v1", max_retries=0)  # port 9: discard


def _create(client, ref, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        return client.videos.create(model="sora-2", prompt="x", size="1280x720", input_reference=ref, **kw)


def test_the_guard_never_fetches_a_url_unless_asked(listener):
    base, hits = listener
    guarded = sora_guard.guard(_client())
    for url in (f"{base}/photo.jpg", f"{base}/photo.jpg?token={API_KEY}"):
        with warnings.catch_warnings(record=True) as caught, pytest.raises(Exception):  # noqa: B017 (the SDK refuses a dict reference, differently by version)
            warnings.simplefilter("always")
            _create(guarded, {"image_url": url})
        assert any("passed through unchecked" in str(w.message) for w in caught)
        assert all(API_KEY not in str(w.message) for w in caught)
    threading.Event().wait(0.5)
    assert hits == []


def test_fetch_failures_never_show_tokens(listener):
    base, hits = listener  # accepts and hangs up: the download fails
    guarded = sora_guard.guard(_client(), fetch_urls=True)
    for url in (
        f"{base}/a.jpg?sig={API_KEY}",
        f"http://user:{API_KEY}@{base[7:]}/a.jpg",
        f"{base}/a.jpg#{API_KEY}",
    ):
        with pytest.raises(sora_guard.PreflightError) as raised:
            _create(guarded, {"image_url": url})
        assert "download failed" in str(raised.value) and API_KEY not in str(raised.value)
    assert hits  # it did try, as asked


BAD_INPUTS = {
    "wrong size": lambda: encode(marker((1600, 900)), "JPEG"),
    "corrupt": lambda: encode(marker((1280, 720)), "JPEG")[:2000],
    "not an image": lambda: b"<html>404</html>",
    "data URL": lambda: {"image_url": "data:image/png;base64,%%%"},
    "huge data URL": lambda: {"image_url": "data:image/jpeg;base64," + "A" * 300_000},
}


@pytest.mark.parametrize("what", sorted(BAD_INPUTS))
@pytest.mark.parametrize("fix", [None, "cover"])
def test_api_key_never_appears_in_messages_logs_or_reports(what, fix, caplog, monkeypatch):
    monkeypatch.setenv("OPENAI_API_KEY", API_KEY)
    caplog.set_level(logging.DEBUG, logger="sora_guard")
    guarded = sora_guard.guard(_client(), fix=fix, max_bytes=100_000)
    texts = []
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            _create(guarded, BAD_INPUTS[what]())
        except sora_guard.PreflightError as exc:
            texts += [str(exc), repr(exc), repr(exc.args), str(pickle.loads(pickle.dumps(exc)))]
            from sora_guard.vocabulary.model import Report

            registry = make_settings().registry
            for reporter in registry.reporters.values():
                texts.append(reporter.render(Report(files=list(exc.reports)), registry.rules))
        except Exception as exc:  # the request itself (port 9 refuses): still no key in what we add
            texts.append(str(exc))
    texts += [str(w.message) for w in caught]
    texts += [r.getMessage() for r in caplog.records if r.name.startswith("sora_guard")]
    assert texts and all(API_KEY not in t for t in texts)


# -- hostile data URLs: any string is a PreflightError or a request that passed; decoded size is capped -----


@st.composite
def data_urls(draw):
    import base64
    from urllib.parse import quote_from_bytes

    _, data = draw(mutated_images(max_mutations=3))
    head = draw(
        st.sampled_from(
            [
                "data:image/jpeg;base64",
                "data:image/png;BASE64",
                "data:;base64",
                "data:image/png",
                "data:",
                "DATA:image/webp;charset=x;base64",
            ]
        )
    )
    body = base64.b64encode(data).decode() if "base64" in head.lower() else quote_from_bytes(data)
    if draw(st.booleans()):  # whitespace and junk where a careless parser breaks
        at = draw(st.integers(0, len(body)))
        body = body[:at] + draw(st.sampled_from([" ", "\n", "%", "==", "\x00", "é"])) + body[at:]
    return head + draw(st.sampled_from([",", ",", ";", ""])) + body


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(data_urls())
def test_hostile_data_urls_never_escape_as_anything_but_a_preflight_error(url):
    openai = pytest.importorskip("openai")
    guarded = sora_guard.guard(_client(), max_bytes=50_000)
    try:
        _create(guarded, {"image_url": url})
    except sora_guard.PreflightError as exc:
        assert API_KEY not in str(exc)
    except openai.APIConnectionError:  # it passed the check and went out (port 9 refuses)
        pass
    except RuntimeError as exc:  # the SDK's own refusal of a reference dict it cannot send
        assert "input_reference" in str(exc)
