"""Road networks the server preloads: parsed once at start-up, in the server and in the
forkserver every worker process is forked from; a bad file stops the start."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from api.jobs import roads
from api.server import ServeError, check
from api.settings import ApiSettings
from dispatch_opt.travel.roads import network
from tests.travel.roads_fixture import write_overpass

ROOT = Path(__file__).resolve().parents[2]


def test_a_preloaded_network_is_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    toy = write_overpass(tmp_path / "toy.json")
    roads.preload(f" {toy} , ")

    def no_reading(path: Path) -> None:
        raise AssertionError(f"{path} parsed again")

    monkeypatch.setattr(network, "load_road_graph", no_reading)
    assert network.load_network(toy).n_nodes > 0  # from the cache the preload filled


def test_a_road_file_that_cannot_be_read_stops_the_server_from_starting(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere.json"
    with pytest.raises(ServeError, match=r"DISPATCH_API_PRELOAD_ROADS: .*nowhere\.json"):
        check(ApiSettings(preload_roads=str(missing)))


def test_worker_processes_start_with_the_preloaded_networks(tmp_path: Path) -> None:
    """A fresh server process (so a fresh forkserver) with the setting: its worker finds
    the network in memory; without the setting, nothing is cached."""
    toy = write_overpass(tmp_path / "toy.json")
    script = (
        "from api.jobs.process import context\n"
        "from tests.api.cache_probe import cached_files\n"
        "ctx = context()\n"
        "recv, send = ctx.Pipe(duplex=False)\n"
        "p = ctx.Process(target=cached_files, args=(send,))\n"
        "p.start(); send.close()\n"
        "print(__import__('json').dumps(recv.recv())); p.join()\n"
    )
    seen = {}
    for setting in (str(toy), ""):
        env = {**os.environ, roads.ENV: setting, "PYTHONPATH": str(ROOT)}
        done = subprocess.run(
            [sys.executable, "-c", script], cwd=ROOT, env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr
        seen[setting] = json.loads(done.stdout.strip().splitlines()[-1])
    assert seen == {str(toy): [str(toy.resolve())], "": []}
