"""Reading the deployment files the way their tools do, for tests/deploy: the Dockerfile's
instructions, the compose file and the Kubernetes manifests as YAML documents."""

from __future__ import annotations

import os
import shlex
import sys
import sysconfig
import venv
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from tests.support.manifests import REPO

DOCKERFILE = REPO / "Dockerfile"
DOCKERIGNORE = REPO / ".dockerignore"
COMPOSE = REPO / "docker-compose.yml"
ENV_EXAMPLE = REPO / ".env.example"
K8S = REPO / "deploy" / "k8s"


@dataclass(frozen=True)
class Instruction:
    keyword: str
    args: str


def dockerfile(path: Path = DOCKERFILE) -> list[Instruction]:
    """Instructions in order, continuation lines joined, comments and blank lines dropped."""
    instructions: list[Instruction] = []
    pending = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line = pending + line
        pending = ""
        keyword, _, args = line.partition(" ")
        instructions.append(Instruction(keyword.upper(), " ".join(args.split())))
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    """The build stages, each starting at its FROM."""
    found: list[list[Instruction]] = []
    for ins in instructions:
        if ins.keyword == "FROM":
            found.append([])
        if found:
            found[-1].append(ins)
    return found


def pip_install_args(instructions: list[Instruction]) -> list[str]:
    """The arguments after `pip install` in the one RUN that installs the project."""
    commands = [
        shlex.split(part)
        for ins in instructions
        if ins.keyword == "RUN"
        for part in ins.args.split("&&")
    ]
    [words] = [w for w in commands if len(w) > 1 and w[0].endswith("pip") and w[1] == "install"]
    return words[2:]


def offline_venv(where: Path) -> Path:
    """A fresh virtual environment whose only extra is a path to this interpreter's site-packages.

    The tests never reach the internet, so the dependencies cannot come from an index; they are
    the ones already installed for the test run. A plain path line (not `site.addsitedir`) keeps
    this environment's own site-packages first and ignores the outer editable install's finder,
    so the project is imported from what the Dockerfile's pip line installs here.
    """
    venv.EnvBuilder(with_pip=False, symlinks=True).create(where)
    version = f"python{sys.version_info.major}.{sys.version_info.minor}"
    inner = where / "lib" / version / "site-packages"
    outer = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (inner / "_test_dependencies.pth").write_text("\n".join(sorted(outer)) + "\n")
    return where / "bin" / "python"


def offline_pip_env() -> dict[str, str]:
    """The environment for an offline pip: no config files, no PIP_* settings of this machine."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    env["PIP_CONFIG_FILE"] = os.devnull
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    return env


def pip_command(python: Path, args: list[str]) -> list[str]:
    """This interpreter's pip installing into `python`'s environment, offline."""
    return [
        sys.executable,
        "-m",
        "pip",
        "--python",
        str(python),
        "install",
        *args,
        "--no-index",
        "--no-build-isolation",
    ]


def yaml_documents(path: Path) -> list[dict[str, Any]]:
    return [doc for doc in yaml.safe_load_all(path.read_text()) if doc]
