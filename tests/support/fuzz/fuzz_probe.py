"""atheris (libFuzzer) target for the probe and engine: coverage-guided, for long runs.

    pip install atheris
    python tests/support/fuzz/fuzz_probe.py CORPUS_DIR -max_total_time=600 -rss_limit_mb=1024 -timeout=10

An empty CORPUS_DIR is seeded with the valid files from ``corpus.seeds()``. libFuzzer stops with a
crash file on an uncaught exception or a broken promise (see ``target.check_one``), on an input
that takes longer than ``-timeout`` seconds, or when memory passes ``-rss_limit_mb``.
"""

from __future__ import annotations

import os
import sys

import atheris

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

with atheris.instrument_imports(include=["PIL", "sora_guard"]):
    from PIL import Image

    Image.init()  # import every format plugin now, inside the instrumented block (Pillow loads them lazily)
    from support.fuzz.corpus import seeds
    from support.fuzz.target import check_one


def test_one_input(data: bytes) -> None:
    check_one(data, "fuzz.img")


def main() -> None:
    folders = [a for a in sys.argv[1:] if not a.startswith("-")]
    if folders and os.path.isdir(folders[0]) and not os.listdir(folders[0]):
        for name, data in seeds():
            with open(os.path.join(folders[0], name), "wb") as fp:
                fp.write(data)
    atheris.Setup(sys.argv, test_one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
