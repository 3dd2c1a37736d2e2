"""The Dockerfile, checked without a Docker engine: its instructions say what the image promises
(slim Python 3.11, non-root, `run` by default, `migrate` apart, a /healthz healthcheck), and its
pip line, run offline in a fresh virtual environment, installs a working `incident-desk` whose
`run` passes the image's own healthcheck."""

from __future__ import annotations

import json
import shlex
import shutil
import signal
import socket
import subprocess
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.deploy import (
    DOCKERIGNORE,
    Instruction,
    dockerfile,
    offline_pip_env,
    offline_venv,
    pip_command,
    pip_install_args,
    stages,
)
from tests.support.manifests import REPO

APP_ID = "0b7e4b4a-5c0f-4d8e-9a55-3f1f2c9d8e71"
SOURCE_DIR = "/src"  # the build stage's WORKDIR, where COPY puts the project


def only(instructions: list[Instruction], keyword: str) -> Instruction:
    [found] = [i for i in instructions if i.keyword == keyword]
    return found


def copy_sources(instructions: list[Instruction]) -> list[str]:
    """What the build stage copies from the build context (not from another stage)."""
    return [
        i.args.split()[0]
        for i in instructions
        if i.keyword == "COPY" and not i.args.startswith("--from")
    ]


def healthcheck_command() -> str:
    args = only(dockerfile(), "HEALTHCHECK").args
    return args.split(" CMD ", 1)[1]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_image_is_slim_python_3_11_and_runs_as_a_numeric_non_root_user() -> None:
    instructions = dockerfile()
    base = only(instructions, "ARG").args

    assert base.startswith("PYTHON_IMAGE=python:3.11-slim")
    build, runtime = stages(instructions)
    assert build[0].args == "${PYTHON_IMAGE} AS build"
    assert runtime[0].args == "${PYTHON_IMAGE}"
    user = only(runtime, "USER").args
    assert user.split(":")[0] not in {"root", "0"} and user.split(":")[0].isdigit()
    assert "--from=build /opt/venv /opt/venv" in [i.args for i in runtime if i.keyword == "COPY"]


def test_image_runs_the_bot_by_default_and_migrates_only_when_asked() -> None:
    instructions = dockerfile()

    assert json.loads(only(instructions, "ENTRYPOINT").args) == ["incident-desk"]
    assert json.loads(only(instructions, "CMD").args) == ["run"]
    assert not [i for i in instructions if i.keyword == "RUN" and "migrate" in i.args]


def test_healthcheck_asks_healthz_on_port_which_defaults_to_3000() -> None:
    _, runtime = stages(dockerfile())
    env = " ".join(i.args for i in runtime if i.keyword == "ENV")

    assert "/healthz" in healthcheck_command()
    assert "os.environ.get('PORT', '3000')" in healthcheck_command()
    assert "PORT=3000" in env.split()
    assert only(runtime, "EXPOSE").args == "3000"


def test_build_context_holds_what_the_image_copies_and_leaves_secrets_out() -> None:
    ignored = {
        line.strip()
        for line in DOCKERIGNORE.read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    sources = copy_sources(dockerfile())

    assert sources == ["pyproject.toml", "bot", "handlers", "storage", "manifests"]
    for source in sources:
        assert (REPO / source).exists()
        assert source not in ignored
    assert {".env", ".git", ".venv", "*.db", "audit.key", "evidence"} <= ignored


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """The Dockerfile's build stage, replayed: COPY into a source folder, then its pip line
    into a fresh virtual environment (offline: see offline_venv). Yields the venv's bin/."""
    root = tmp_path_factory.mktemp("image")
    build, _ = stages(dockerfile())
    source = root / "src"
    source.mkdir()
    for name in copy_sources(build):
        copy = shutil.copytree if (REPO / name).is_dir() else shutil.copy2
        copy(REPO / name, source / name)
    python = offline_venv(root / "venv")
    args = [str(source) if a == SOURCE_DIR else a for a in pip_install_args(build)]
    assert str(source) in args, f"the pip line does not install {SOURCE_DIR}: {args}"

    subprocess.run(
        pip_command(python, args), check=True, env=offline_pip_env(), capture_output=True
    )
    yield python.parent
    shutil.rmtree(root, ignore_errors=True)


def desk(bin_dir: Path, *args: str, cwd: Path, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(bin_dir / "incident-desk"), *args],
        cwd=cwd,
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "INCIDENT_DESK_HOME": str(cwd / "home"), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_installed_image_has_every_command_migrations_and_the_teams_manifest(
    installed: Path, tmp_path: Path
) -> None:
    database = f"sqlite:///{tmp_path / 'desk.db'}"

    shown = desk(installed, "--help", cwd=tmp_path)
    migrated = desk(installed, "migrate", cwd=tmp_path, DATABASE_URL=database)
    packaged = desk(
        installed, "teams-package", "--output", "t.zip", cwd=tmp_path, MicrosoftAppId=APP_ID
    )

    assert shown.returncode == 0, shown.stderr
    for command in ("run", "migrate", "doctor", "audit", "export", "teams-package"):
        assert command in shown.stdout
    assert migrated.returncode == 0 and "database is up to date" in migrated.stdout
    assert packaged.returncode == 0, packaged.stderr
    with zipfile.ZipFile(tmp_path / "t.zip") as archive:
        assert json.loads(archive.read("manifest.json"))["id"] == APP_ID
    # The code ran from the installed copy, not from this checkout.
    where = subprocess.run(
        [str(installed / "python"), "-c", "import handlers; print(handlers.__file__)"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    assert where.stdout.startswith(str(installed.parent))


def run_healthcheck(bin_dir: Path, port: int) -> int:
    check = subprocess.run(
        ["sh", "-c", healthcheck_command()],
        env={"PATH": f"{bin_dir}:/usr/bin:/bin", "PORT": str(port)},
        capture_output=True,
        timeout=10,
    )
    return check.returncode


def test_run_serves_healthz_and_passes_the_image_healthcheck_then_stops_on_sigterm(
    installed: Path, tmp_path: Path
) -> None:
    port = free_port()
    env = {
        "PATH": f"{installed}:/usr/bin:/bin",
        "PORT": str(port),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'desk.db'}",
        "INCIDENT_DESK_HOME": str(tmp_path / "home"),
        "AUDIT_HMAC_KEY": "ab" * 32,
        # Teams with authentication off needs no credentials and calls nobody at start.
        "TEAMS_ENABLED": "true",
        "INCIDENT_ADMINS": "00000000-0000-0000-0000-0000000000aa",
    }
    assert run_healthcheck(installed, port) != 0  # nothing listens yet: the check fails

    process = subprocess.Popen(
        shlex.split(f"{installed / 'incident-desk'} run"),
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        deadline = time.monotonic() + 45
        while run_healthcheck(installed, port) != 0:
            assert process.poll() is None, process.communicate()[0]
            assert time.monotonic() < deadline, "the healthcheck never passed"
            time.sleep(0.3)
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()

    assert process.returncode == 0, output
    assert "AI Incident Desk is running on port" in output
    assert "shutting down" in output
