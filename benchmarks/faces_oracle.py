"""The boxes ``bench_faces.py`` scores against: YuNet (OpenCV's ``FaceDetectorYN``) on each photo.

A second detector, independent of the one sora-guard ships (dlib's HOG). Needs
``opencv-python-headless`` and a YuNet ONNX file (OpenCV Zoo), which sora-guard does not depend on.

    python benchmarks/faces_oracle.py PHOTOS MODEL.onnx BOXES.csv
"""

from __future__ import annotations

import argparse
import csv
from pathlib import Path

SCORE = 0.7
LONG_SIDE = 1600
SPECK = 12
"""Faces whose shorter side is under this many pixels and under 2% of the photo's are left out."""


def main(argv=None) -> int:
    import cv2
    import numpy as np
    from PIL import Image, ImageOps

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("photos", type=Path)
    parser.add_argument("model", type=Path)
    parser.add_argument("boxes", type=Path)
    args = parser.parse_args(argv)
    detector = cv2.FaceDetectorYN.create(str(args.model), "", (320, 320), SCORE, 0.3, 5000)
    rows = []
    for path in sorted(args.photos.iterdir()):
        im = ImageOps.exif_transpose(Image.open(path)).convert("RGB")
        scale = min(1.0, LONG_SIDE / max(im.size))
        small = im.resize((round(im.width * scale), round(im.height * scale))) if scale < 1 else im
        detector.setInputSize(small.size)
        _, faces = detector.detect(np.ascontiguousarray(np.asarray(small)[:, :, ::-1]))
        for face in faces if faces is not None else []:
            x, y, w, h = (float(v) / scale for v in face[:4])
            if min(w, h) < SPECK and min(w, h) < 0.02 * min(im.size):
                continue
            box = (max(0, x), max(0, y), min(im.width, x + w), min(im.height, y + h))
            rows.append((path.name, *(round(v) for v in box), round(float(face[-1]), 3)))
    with open(args.boxes, "w", newline="") as fp:
        writer = csv.writer(fp)
        writer.writerow(["file", "left", "top", "right", "bottom", "score"])
        writer.writerows(rows)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
