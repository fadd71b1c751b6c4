"""The built-in face finder: dlib's HOG detector, which is built into the library (no model file)."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING

from ..plugins import hookimpl

if TYPE_CHECKING:
    from PIL import Image

    from ..vocabulary.contract import Finder, Subject

DETECT_SIDE = 480
"""Long side of the copy the detector scans (upsampled once by dlib): faces down to about 8% of it."""

UPSAMPLE = 1

FOREHEAD, CHIN = 0.15, 0.1
"""How far dlib's box (brows to lips) is widened up and down to run from forehead to chin, as fractions
of its height: measured against YuNet's boxes on the benchmark's photos (medians 0.15 and 0.03)."""

HEADROOM, CHIN_ROOM = 0.3, 0.1
"""Room above a face (hair) and below it that a fit keeps too when it can, as fractions of its height."""


@functools.cache
def _detector():
    import dlib  # 0.5 s to load: only when a strategy has a photo to fit

    return dlib.get_frontal_face_detector()


def find_faces(image: Image.Image) -> list[Subject]:
    """The faces in ``image``, each weighted by its area (larger faces matter more)."""
    import numpy as np  # fix has it loaded already (the scaled JPEG decode)
    from PIL import Image

    from ..vocabulary.contract import Subject

    scale = min(1.0, DETECT_SIDE / max(image.size))
    small = image.convert("L")  # HOG on grey: as many faces found here as on colour, at half the time
    if scale < 1.0:
        size = (max(1, round(image.width * scale)), max(1, round(image.height * scale)))
        small = small.resize(size, Image.Resampling.BILINEAR, reducing_gap=2.0)
    width, height = small.size
    faces = []
    for rect in _detector()(np.asarray(small), UPSAMPLE):
        left, right = rect.left() / width, (rect.right() + 1) / width
        top, bottom = rect.top() / height, (rect.bottom() + 1) / height
        tall = bottom - top
        box = (
            max(0.0, left),
            max(0.0, top - FOREHEAD * tall),
            min(1.0, right),
            min(1.0, bottom + CHIN * tall),
        )
        room = (box[0], max(0.0, box[1] - HEADROOM * tall), box[2], min(1.0, box[3] + CHIN_ROOM * tall))
        area = (box[2] - box[0]) * (box[3] - box[1])
        faces.append(Subject(box, "face", area, room))
    return faces


@hookimpl
def sora_guard_finders() -> list[Finder]:
    from ..vocabulary.contract import Finder

    return [Finder("faces", "People's faces (dlib's HOG detector, frontal and half-profile).", find_faces)]
