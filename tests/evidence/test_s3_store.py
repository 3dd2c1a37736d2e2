"""Evidence files in an S3-compatible bucket: the SigV4 signer against AWS's published example,
then downloads, the bundle and redaction against a fake bucket that checks every signature."""

from __future__ import annotations

import hashlib
import io
import zipfile
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ConfigError
from bot.evidence.s3 import S3Config, S3Store, sign
from bot.evidence.store import EvidenceConfig, open_store
from bot.exports.files import ExportFormat
from bot.settings import DeskConfig
from storage.models import EvidenceFile
from tests.support.exports import PDF, full_incident, run_cli
from tests.support.fakes.s3_api import ACCESS_KEY, SECRET_KEY, FakeS3
from tests.support.harness import Harness
from tests.support.slack_steps import export, rows

EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"


def test_signature_matches_the_aws_documentation_example() -> None:
    headers = sign(
        "GET",
        "https://examplebucket.s3.amazonaws.com/test.txt",
        {"Range": "bytes=0-9"},
        EMPTY_SHA256,
        access_key="AKIAIOSFODNN7EXAMPLE",
        secret_key="wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        region="us-east-1",
        now=datetime(2013, 5, 24, tzinfo=UTC),
    )

    assert headers["authorization"] == (
        "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,"
        "SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,"
        "Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41"
    )


def test_a_bucket_without_credentials_stops_with_one_clear_line(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delenv("AWS_ACCESS_KEY_ID", raising=False)
    config = EvidenceConfig(s3=S3Config(endpoint="https://s3.example.com", bucket="evidence"))

    with pytest.raises(ConfigError, match="AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY"):
        open_store(config)


@pytest.fixture
async def fake_s3() -> AsyncIterator[FakeS3]:
    fake = FakeS3()
    await fake.start()
    yield fake
    await fake.close()


@pytest.fixture
def desk_config(fake_s3: FakeS3, monkeypatch: pytest.MonkeyPatch) -> DeskConfig:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", ACCESS_KEY)
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", SECRET_KEY)
    bucket = S3Config(
        endpoint=fake_s3.endpoint, bucket="firm-evidence", region="eu-west-2", prefix="desk"
    )
    return DeskConfig(evidence=EvidenceConfig(s3=bucket))


async def test_files_go_to_the_bucket_and_redaction_deletes_them(
    harness: Harness, fake_s3: FakeS3, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert isinstance(harness.app.core.evidence.store, S3Store)
    await full_incident(harness)
    [file] = await rows(harness, EvidenceFile)
    key = f"firm-evidence/desk/{file.storage_ref}"

    assert file.status == "stored" and fake_s3.objects[key] == PDF
    assert file.sha256 == hashlib.sha256(PDF).hexdigest()
    with zipfile.ZipFile(io.BytesIO(await export(harness, ExportFormat.BUNDLE))) as bundle:
        assert bundle.read("files/E1/01-q3-summary.pdf") == PDF

    # The CLI opens its own store from the config file: the same bucket.
    config = tmp_path / "desk.yaml"
    config.write_text(
        f"evidence:\n  s3: {{endpoint: '{fake_s3.endpoint}', bucket: firm-evidence, "
        "region: eu-west-2, prefix: desk}\n"
    )
    monkeypatch.setenv("INCIDENT_DESK_CONFIG", str(config))
    args = ("redact", "INC-0001", "--evidence", "1", "--reason", "DSAR erasure")
    assert await run_cli(harness, monkeypatch, *args) == 0

    assert key not in fake_s3.objects
    assert fake_s3.rejected == []


async def test_the_fake_bucket_rejects_a_wrong_signature(fake_s3: FakeS3) -> None:
    bucket = S3Config(endpoint=fake_s3.endpoint, bucket="firm-evidence", region="eu-west-2")
    store = S3Store(bucket, access_key=ACCESS_KEY, secret_key="not-the-secret")

    with pytest.raises(OSError, match="HTTP 403"):
        await store.put("INC-0001/x.pdf", b"%PDF")

    assert fake_s3.objects == {} and fake_s3.rejected == ["PUT firm-evidence/INC-0001/x.pdf"]
