"""The web app's job queue runs on this machine's processes, or on Ray when an address is
set (UPRIGHT_RAY_ADDRESS), the executor ``upright batch --ray`` uses."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from upright.services.executors import RayMissingError
from upright.services.jobs import process_pool
from upright.web.job_queue import executor_factory
from upright.web.settings import WebSettings


def test_without_an_address_the_queue_uses_local_processes(tmp_path: Path) -> None:
    assert executor_factory(WebSettings(data_dir=tmp_path)) is process_pool


def test_the_ray_address_is_read_from_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("UPRIGHT_RAY_ADDRESS", "10.1.2.3:6379")
    assert WebSettings(data_dir=tmp_path).ray_address == "10.1.2.3:6379"


def test_a_ray_address_without_ray_installed_fails_at_start(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray now fails
    with pytest.raises(RayMissingError, match=r"Ray is not installed.*upright\[ray\]"):
        executor_factory(WebSettings(data_dir=tmp_path, ray_address="auto"))
