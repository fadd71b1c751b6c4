"""The README's third-party guard adapter (Luma's lumaai client), installed like a real plugin."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from plugins.test_plugins import install_plugin
from support.images import encode, marker, truncated
from support.loopback import Loopback

pytest.importorskip("lumaai")
README = (Path(__file__).parents[2] / "README.md").read_text()

SCRIPT = textwrap.dedent(
    """
    import base64, os, sys
    import lumaai, sora_guard

    client = sora_guard.guard(lumaai.LumaAI(auth_token="test-key", base_url=os.environ["LUMA_URL"], max_retries=0))
    for path in sys.argv[1:]:
        uri = "data:image/jpeg;base64," + base64.b64encode(open(path, "rb").read()).decode()
        try:
            client.generations.create(model="ray-2", prompt="waves", keyframes={"frame0": {"type": "image", "url": uri}})
            print("sent")
        except sora_guard.PreflightError as exc:
            print("blocked", exc.diagnostics[0].code)
    """
)


def readme_block(after: str) -> str:
    return README.split(after, 1)[1].split("```python\n", 1)[1].split("```", 1)[0]


def test_the_readme_adapter_guards_a_client_sora_guard_does_not_know(tmp_path):
    site = tmp_path / "site"
    install_plugin(
        site,
        "luma_guard",
        {"luma-guard": "luma_guard"},
        {"luma_guard": readme_block("### A guard adapter for another SDK")},
    )
    good, bad = tmp_path / "good.jpg", tmp_path / "bad.jpg"
    good.write_bytes(encode(marker((1280, 720)), "JPEG"))
    bad.write_bytes(truncated(good.read_bytes()))
    with Loopback(lambda r: (200, {"id": "g1", "state": "queued"})) as luma:
        env = {
            **os.environ,
            "LUMA_URL": luma.url,
            "PYTHONPATH": os.pathsep.join([str(site), os.environ.get("PYTHONPATH", "")]),
        }
        done = subprocess.run(
            [sys.executable, "-c", SCRIPT, str(bad), str(good)],
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
        )
        assert done.stdout.split("\n")[:2] == ["blocked SG503", "sent"], done.stderr
        assert [r.path for r in luma.requests] == ["/generations/video"]  # the bad keyframe never left
