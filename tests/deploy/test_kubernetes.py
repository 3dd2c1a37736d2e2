"""deploy/k8s, checked without a cluster: every object is valid (strictly: no unknown fields)
against the Kubernetes schemas that kubernetes-validate ships, offline; and the objects fit
together: two replicas probed on /healthz, a migration Job on the same image, a Service and a
PodDisruptionBudget that select the bot's pods, and only settings the desk knows."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import kubernetes_validate
import pytest

from bot.settings import Settings, load_config
from tests.support.deploy import K8S, yaml_documents

# The oldest Kubernetes minor we promise (docs/DEPLOYMENT.md) and the newest the package knows.
VERSIONS = ["1.29", kubernetes_validate.utils.latest_version()]
NOT_SETTINGS = {"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"}


def documents() -> list[tuple[Path, dict[str, Any]]]:
    return [(path, doc) for path in sorted(K8S.glob("*.yaml")) for doc in yaml_documents(path)]


def one(kind: str, name: str | None = None) -> dict[str, Any]:
    [found] = [
        doc
        for _, doc in documents()
        if doc["kind"] == kind and name in (None, doc["metadata"]["name"])
    ]
    return found


def pod_spec(kind: str) -> dict[str, Any]:
    spec: dict[str, Any] = one(kind)["spec"]["template"]["spec"]
    return spec


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize(
    ("path", "document"),
    documents(),
    ids=[f"{p.name}:{d['kind']}/{d['metadata']['name']}" for p, d in documents()],
)
def test_object_is_valid_against_the_kubernetes_schema(
    path: Path, document: dict[str, Any], version: str
) -> None:
    kubernetes_validate.validate(document, version, strict=True)


def test_folder_holds_the_objects_a_deployment_needs() -> None:
    kinds = sorted((doc["kind"], doc["metadata"]["name"]) for _, doc in documents())

    assert kinds == [
        ("ConfigMap", "incident-desk-config"),
        ("ConfigMap", "incident-desk-env"),
        ("Deployment", "incident-desk"),
        ("Job", "incident-desk-migrate"),
        ("PodDisruptionBudget", "incident-desk"),
        ("Secret", "incident-desk-secrets"),
        ("Service", "incident-desk"),
    ]


def test_two_replicas_run_the_bot_and_are_probed_on_healthz() -> None:
    deployment = one("Deployment")
    [container] = pod_spec("Deployment")["containers"]
    [port] = container["ports"]

    assert deployment["spec"]["replicas"] == 2
    assert deployment["spec"]["strategy"]["rollingUpdate"]["maxUnavailable"] == 0
    assert container["args"] == ["run"]
    assert port == {"name": "http", "containerPort": 3000}
    for probe in ("startupProbe", "readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"] == {"path": "/healthz", "port": "http"}
    context = pod_spec("Deployment")["securityContext"]
    assert context["runAsNonRoot"] is True and context["runAsUser"] == 10001


def test_migration_job_runs_migrate_once_on_the_bots_image() -> None:
    [bot] = pod_spec("Deployment")["containers"]
    [migrate] = pod_spec("Job")["containers"]

    assert migrate["args"] == ["migrate"]
    assert migrate["image"] == bot["image"]
    assert migrate["envFrom"] == bot["envFrom"]
    assert pod_spec("Job")["restartPolicy"] == "Never"


def test_service_and_disruption_budget_select_the_bots_pods() -> None:
    pod_labels = one("Deployment")["spec"]["template"]["metadata"]["labels"]
    service = one("Service")["spec"]
    budget = one("PodDisruptionBudget")["spec"]

    assert service["selector"].items() <= pod_labels.items()
    assert service["ports"][0]["targetPort"] == "http"
    assert budget["selector"]["matchLabels"].items() <= pod_labels.items()
    assert budget["minAvailable"] < one("Deployment")["spec"]["replicas"]
    job_labels = one("Job")["spec"]["template"]["metadata"]["labels"]
    assert not service["selector"].items() <= job_labels.items()


def test_references_point_at_objects_in_the_folder() -> None:
    config_maps = {doc["metadata"]["name"] for _, doc in documents() if doc["kind"] == "ConfigMap"}
    secrets = {doc["metadata"]["name"] for _, doc in documents() if doc["kind"] == "Secret"}

    for kind in ("Deployment", "Job"):
        for container in pod_spec(kind)["containers"]:
            for source in container["envFrom"]:
                if "configMapRef" in source:
                    assert source["configMapRef"]["name"] in config_maps
                else:
                    assert source["secretRef"]["name"] in secrets
        for volume in pod_spec(kind)["volumes"]:
            if "configMap" in volume:
                assert volume["configMap"]["name"] in config_maps


def test_placeholders_name_only_settings_the_desk_reads_and_the_config_file_loads(
    tmp_path: Path,
) -> None:
    aliases = {field.alias for field in Settings.model_fields.values()}
    env_keys = set(one("ConfigMap", "incident-desk-env")["data"]) | set(one("Secret")["stringData"])
    [container] = pod_spec("Deployment")["containers"]
    config_path = next(e["value"] for e in container["env"] if e["name"] == "INCIDENT_DESK_CONFIG")
    config_file = tmp_path / "config.yaml"
    config_file.write_text(one("ConfigMap", "incident-desk-config")["data"]["config.yaml"])

    assert env_keys - NOT_SETTINGS <= aliases
    assert {"DATABASE_URL", "AUDIT_HMAC_KEY", "SLACK_BOT_TOKEN"} <= set(one("Secret")["stringData"])
    assert config_path == "/etc/incident-desk/config.yaml"
    assert load_config(config_file).evidence.s3 is not None
