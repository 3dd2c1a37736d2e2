"""The evidence bundle: a zip of the report, the captured evidence as JSON, the downloaded files
and a MANIFEST.sha256 that `sha256sum -c MANIFEST.sha256` checks.

A captured message is written as the exact canonical JSON that was hashed at capture, and the
manifest lists the hashes recorded at capture for it and for each file: so the check proves the
evidence is unchanged since capture, not merely since export."""

from __future__ import annotations

import hashlib
import io
import json
import logging
import zipfile
from typing import Any

from bot.evidence.canonical import canonical_json
from bot.evidence.store import EvidenceStore, safe_name
from bot.exports import html as export_html
from bot.exports import markdown as export_markdown
from bot.exports.report import EvidenceEntry, IncidentReport
from bot.exports.wording import chain_verdict

log = logging.getLogger(__name__)

README = """AI Incident Desk evidence bundle for {key}
Generated {generated} by {by}.

Check it: unzip it, then in the unzipped folder run
    sha256sum -c MANIFEST.sha256
Every line must say OK. evidence/E<n>.json is the captured message exactly as it was hashed
when it was captured, and files/ holds the files downloaded with it: their manifest lines carry
the SHA-256 recorded at capture, so an OK proves they are unchanged since then.
E<n>.record.json holds each item's hashes, later edits or deletion of its source, redaction,
and the status of every attached file. report.html / report.md / report.json are the report.

{chain}
"""


def _json(data: Any) -> bytes:
    return (json.dumps(data, indent=2, default=str, ensure_ascii=False) + "\n").encode("utf-8")


class _Zip:
    def __init__(self) -> None:
        self.buffer = io.BytesIO()
        self.zip = zipfile.ZipFile(self.buffer, "w", zipfile.ZIP_DEFLATED)
        self.manifest: list[tuple[str, str]] = []

    def add(self, path: str, data: bytes, recorded: str | None = None) -> None:
        """Add a file; `recorded` is the hash taken at capture, else it is computed now."""
        self.zip.writestr(path, data)
        self.manifest.append((recorded or hashlib.sha256(data).hexdigest(), path))

    def close(self) -> bytes:
        lines = "".join(f"{digest}  {path}\n" for digest, path in sorted(self.manifest, key=_path))
        self.zip.writestr("MANIFEST.sha256", lines)
        self.zip.close()
        return self.buffer.getvalue()


def _path(line: tuple[str, str]) -> str:
    return line[1]


async def _evidence(bundle: _Zip, entry: EvidenceEntry, store: EvidenceStore) -> None:
    name = f"evidence/E{entry.number}"
    if entry.content is not None:
        bundle.add(f"{name}.json", canonical_json(entry.content).encode("utf-8"), entry.sha256)
    record = entry.model_dump(mode="json", exclude={"content"})
    for file, listed in zip(entry.files, record["files"], strict=True):
        if file.status != "stored" or not file.storage_ref:
            continue
        path = f"files/E{entry.number}/{file.position:02d}-{safe_name(file.name)}"
        try:
            data = await store.get(file.storage_ref)
        except (OSError, ValueError) as exc:
            listed["bundle"] = f"missing from evidence storage ({type(exc).__name__})"
            log.warning("bundle: %s file %s unreadable: %s", name, file.position, exc)
            continue
        bundle.add(path, data, file.sha256)
        listed["bundle"] = path
    bundle.add(f"{name}.record.json", _json(record))


async def build(report: IncidentReport, store: EvidenceStore) -> bytes:
    """The zip's bytes."""
    bundle = _Zip()
    key = report.incident["key"]
    bundle.add(
        "README.txt",
        README.format(
            key=key,
            generated=report.generated_at.isoformat(),
            by=report.generated_by,
            chain=chain_verdict(report),
        ).encode("utf-8"),
    )
    bundle.add("report.json", report.model_dump_json(indent=2).encode("utf-8") + b"\n")
    bundle.add("report.md", export_markdown.render(report).encode("utf-8"))
    bundle.add("report.html", export_html.render(report).encode("utf-8"))
    for entry in report.evidence:
        await _evidence(bundle, entry, store)
    return bundle.close()
