"""``upright serve``: the options reach uvicorn; 127.0.0.1 by default; --demo serves the
synthetic runner from a database of its own."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from upright.cli.main import app
from upright.services.demo_journey import DEMO_ALIAS


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """What ``uvicorn.run`` was called with (it is not started)."""
    import uvicorn

    calls: dict[str, Any] = {}

    def fake_run(web_app: Any, **kwargs: Any) -> None:
        calls["app"] = web_app
        calls.update(kwargs)

    monkeypatch.setattr(uvicorn, "run", fake_run)
    return calls


def test_serve_binds_this_computer_only_by_default(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["serve"], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("127.0.0.1", 8000)
    assert "http://127.0.0.1:8000/" in result.output
    assert "other computers" not in result.output
    settings = served["app"].state.settings
    assert not settings.demo
    assert settings.database_url.endswith("upright.db")


def test_another_host_is_served_with_a_warning(served: dict[str, Any]) -> None:
    result = CliRunner().invoke(app, ["serve", "--host", "0.0.0.0", "--port", "8123"])
    assert result.exit_code == 0, result.output
    assert (served["host"], served["port"]) == ("0.0.0.0", 8123)
    assert "other computers on your network can reach" in " ".join(result.output.split())


def test_demo_serves_the_synthetic_runner_from_its_own_database(
    served: dict[str, Any], tmp_path: Path
) -> None:
    data = tmp_path / "data"
    result = CliRunner().invoke(app, ["serve", "--demo"], env={"UPRIGHT_DATA_DIR": str(data)})
    assert result.exit_code == 0, result.output
    web_app = served["app"]
    assert web_app.state.settings.demo
    assert web_app.state.settings.database_url == f"sqlite:///{data / 'demo' / 'upright-demo.db'}"
    assert not (data / "upright.db").exists()  # the user's own database is never touched
    with TestClient(web_app) as client:
        listing = client.get("/runners")
        assert f'href="/runner/{DEMO_ALIAS}"' in listing.text
        assert "SYNTHETIC DEMO RUNNER" in listing.text
        home = client.get(f"/runner/{DEMO_ALIAS}")
        assert home.status_code == 200 and "Red-flag screen: clear" in home.text
