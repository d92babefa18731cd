"""veraPDF's verdict on PDFs, for the letter tests marked `infra`: deploy/local/verapdf.sh fetches the validator once
(Maven, into .cache/verapdf) and runs it as a local JVM process; no server."""

from __future__ import annotations

import subprocess
import tempfile
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

from tests.infra import LOCAL

# The flavours a letter must pass: PDF/A-2u (archival) and PDF/UA-1 (accessible).
ARCHIVAL = "2u"
ACCESSIBLE = "ua1"


def failures(pdfs: Mapping[str, bytes], flavour: str) -> dict[str, list[str]]:
    """For each named PDF, the rules of `flavour` it breaks ("clause-test: description"); none when compliant.
    Every PDF is checked by one run of the validator."""
    with tempfile.TemporaryDirectory() as folder:
        paths = {}
        for name, content in pdfs.items():
            path = Path(folder) / f"{name}.pdf"
            path.write_bytes(content)
            paths[str(path)] = name
        done = subprocess.run(
            ["bash", str(LOCAL / "verapdf.sh"), "--flavour", flavour, "--format", "xml", *paths],
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
    if done.returncode not in (0, 1):  # 1: some file is not compliant
        raise RuntimeError(f"veraPDF failed ({done.returncode}):\n{done.stderr[-4000:]}")
    found: dict[str, list[str]] = {}
    for job in ET.fromstring(done.stdout).iter("job"):
        name = paths[job.findtext("item/name", "")]
        report = job.find("validationReport")
        if report is None:
            raise RuntimeError(f"veraPDF did not validate {name}:\n{ET.tostring(job, encoding='unicode')[:4000]}")
        found[name] = [
            f"{rule.get('clause')}-{rule.get('testNumber')}: {rule.findtext('description', '').strip()}"
            for rule in report.iter("rule")
            if rule.get("status") == "failed"
        ]
        if report.get("isCompliant") != "true" and not found[name]:
            found[name] = [report.get("statement", "not compliant")]
    missing = set(pdfs) - set(found)
    if missing:
        raise RuntimeError(f"veraPDF reported nothing on {sorted(missing)}:\n{done.stderr[-4000:]}")
    return found
