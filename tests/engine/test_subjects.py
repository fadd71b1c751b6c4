"""``smart`` keeps people whole: real photos through the real fix, with faces checked by eye
(tests/support/photos/SOURCES.md), and the window rules proven with subjects given outright."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import Image
from support.images import encode, marker

from sora_guard.api import make_settings
from sora_guard.engine.fix import FixSpec, Status, repair
from sora_guard.run.fix import fix_bytes
from sora_guard.vocabulary.contract import Finder, FitOptions, Subject
from sora_guard.vocabulary.model import Size

PHOTOS = Path(__file__).resolve().parents[1] / "support" / "photos"
BIDEN = ((160, 70, 300, 240),)  # biden.jpg, 396x900
TWO_PEOPLE = ((125, 15, 225, 125), (440, 25, 545, 140))  # two_people.jpg, 640x376


def photo(name: str) -> bytes:
    return (PHOTOS / name).read_bytes()


def whole(window, box, shape) -> bool:
    """``box`` (pixels of a ``shape`` picture) inside ``window`` (fractions), to a pixel."""
    w, h = shape
    return (
        box[0] >= window[0] * w - 1
        and box[1] >= window[1] * h - 1
        and box[2] <= window[2] * w + 1
        and box[3] <= window[3] * h + 1
    )


def outside(window, box, shape) -> bool:
    """``box`` entirely outside ``window``: dropped, not cut."""
    w, h = shape
    return box[2] <= window[0] * w + 1 or box[0] >= window[2] * w - 1


def fixed(data: bytes, size: str, strategy: str = "smart", name: str = "photo.jpg"):
    result = fix_bytes(data, name, make_settings(size=size, strategy=strategy))
    assert result.status is Status.FIXED and result.after.ok, result.problems
    return result


def test_a_tall_portrait_keeps_the_face_where_cover_cuts_it_off():
    smart, cover = fixed(photo("biden.jpg"), "1280x720"), fixed(photo("biden.jpg"), "1280x720", "cover")
    assert whole(smart.placement.source, BIDEN[0], (396, 900))
    assert not whole(cover.placement.source, BIDEN[0], (396, 900))
    (face,) = smart.placement.subjects
    assert face.kind == "face" and whole(smart.placement.source, face.room, (1, 1))  # the hair above it too
    assert not [d for d in smart.notes if d.code == "SG916"]


def test_when_no_window_holds_everyone_one_face_stays_whole_the_other_is_left_out_and_the_fix_says_so():
    result = fixed(photo("two_people.jpg"), "720x1280")
    window = result.placement.source
    kept = [box for box in TWO_PEOPLE if whole(window, box, (640, 376))]
    dropped = [box for box in TWO_PEOPLE if outside(window, box, (640, 376))]
    assert len(kept) == 1 and len(dropped) == 1  # never halved
    (note,) = [d for d in result.notes if d.code == "SG916"]
    assert note.name == "subjects-cut" and note.severity.value == "warning"
    assert note.message == (
        "smart keeps 1 of 2 faces whole at 720x1280: no 720x1280 crop holds them all; blur-pad keeps them all"
    )
    assert not [d for d in fixed(photo("two_people.jpg"), "720x1280", "blur-pad").notes if d.code == "SG916"]


@pytest.mark.parametrize("orientation", [6, 8, 3])
def test_a_photo_stored_turned_keeps_the_same_face_as_shown(orientation):
    upright = fixed(photo("biden.jpg"), "1280x720").placement.source
    im = Image.open(io.BytesIO(photo("biden.jpg")))
    turn = {6: Image.Transpose.ROTATE_90, 8: Image.Transpose.ROTATE_270, 3: Image.Transpose.ROTATE_180}
    exif = Image.Exif()
    exif[0x0112] = orientation
    stored = encode(im.transpose(turn[orientation]), "JPEG", quality=90, exif=exif.tobytes())
    window = fixed(stored, "1280x720").placement.source
    assert max(abs(a - b) for a, b in zip(window, upright)) < 0.01
    assert whole(window, BIDEN[0], (396, 900))


def _fit(data: bytes, size: Size, subjects=None, finders=()):
    """The engine's repair with ``smart``, subjects given outright or found by ``finders``."""
    s = make_settings(size=str(size))
    spec = FixSpec(s.registry.strategies["smart"], FitOptions(subjects=subjects), finders=finders)
    return repair(data, "x.png", s.target(), s.rules(), spec)


def _flat(size=(2000, 1000)) -> bytes:
    return encode(Image.new("RGB", size, (90, 120, 150)), "PNG")


def test_a_window_that_drops_a_face_beats_one_that_halves_it():
    # 720x1280 from 2000x1000: a 562.5 px window. The big face fits with the small one or cut into it.
    big, small = (
        Subject((0.15, 0.3, 0.3, 0.6), weight=0.045),
        Subject((0.35, 0.3, 0.5, 0.6), weight=0.045 * 0.9),
    )
    done = _fit(_flat(), Size(720, 1280), (big, small))
    window = done.placement.source
    assert done.placement.kept == (big,)
    assert window[2] <= 0.35 + 1e-6  # the smaller face is left out whole, not halved


def test_the_room_above_a_face_is_kept_when_it_fits_and_saliency_decides_the_rest():
    # 1280x720 from 1000x1000: the window is 562.5 px tall and slides up and down
    face = Subject((0.4, 0.3, 0.6, 0.5), room=(0.4, 0.2, 0.6, 0.52))
    busy = Image.new("RGB", (1000, 1000), (90, 120, 150))
    busy.paste(marker((1000, 300)), (0, 700))  # detail at the bottom draws saliency down
    window = _fit(encode(busy, "PNG"), Size(1280, 720), (face,)).placement.source
    assert window[1] <= 0.2 + 1e-6 and window[3] >= 0.52 - 1e-6  # room and face whole
    assert window[3] > 0.7  # as low as the room allows: toward the detail


def test_a_photo_without_faces_gets_the_saliency_window():
    data = encode(marker((1600, 900)), "JPEG")
    found = fixed(data, "720x1280").placement
    alone = _fit(data, Size(720, 1280), subjects=()).placement
    assert found.subjects == () and found.source == alone.source


def test_a_finder_that_fails_is_noted_and_the_fit_goes_on():
    def broken(image):
        raise RuntimeError("no model")

    done = _fit(_flat(), Size(720, 1280), finders=(Finder("broken", "fails", broken),))
    assert done.status is Status.FIXED
    (note,) = [d for d in done.notes if d.code == "SG917"]
    assert note.message == "subject finder 'broken' failed (no model); fitted without it"


def test_finders_get_the_reduced_picture_upright():
    seen = []

    def spy(image):
        seen.append(image.size)
        return [Subject((0.8, 0.1, 0.95, 0.3), "logo", 1.0)]

    exif = Image.Exif()
    exif[0x0112] = 6
    stored = encode(Image.new("RGB", (4000, 3000), (90, 120, 150)), "JPEG", exif=exif.tobytes())
    done = _fit(stored, Size(1280, 720), finders=(Finder("spy", "sees", spy),))
    (shape,) = seen
    assert shape[0] < shape[1] < 3000  # upright (shown 3000x4000) and reduced before the finder runs
    assert done.placement.subjects[0].box == pytest.approx((0.8, 0.1, 0.95, 0.3))  # as shown
    assert done.placement.kept == done.placement.subjects


MODES = ["RGB", "RGBA", "L", "LA", "P", "I;16", "CMYK", "1"]
FORMATS = {"RGB": "JPEG", "L": "JPEG", "CMYK": "JPEG"}


@st.composite
def boxes(draw):
    x0, x1 = sorted(draw(st.floats(0, 1)) for _ in range(2))
    y0, y1 = sorted(draw(st.floats(0, 1)) for _ in range(2))
    return (x0, y0, x1, y1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    width=st.integers(1, 1600),
    height=st.integers(1, 1600),
    mode=st.sampled_from(MODES),
    size=st.sampled_from(["1280x720", "720x1280"]),
    found=st.lists(st.tuples(boxes(), st.floats(0, 1), st.booleans()), max_size=6),
)
def test_any_size_and_mode_with_any_subjects_comes_out_passing_the_check(width, height, mode, size, found):
    im = Image.new(mode, (width, height))
    data = encode(im, FORMATS.get(mode, "PNG"))
    subjects = tuple(Subject(box, "face", weight, box if room else None) for box, weight, room in found)
    done = _fit(data, Size.parse(size), subjects)
    assert done.status is Status.FIXED and done.after.ok, done.problems
    assert done.after.info.displayed == Size.parse(size)
    assert set(done.placement.kept) <= set(done.placement.subjects)
