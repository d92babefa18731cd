"""The forwarding letter for an appeal from a guardian with a Sámi name, as veraPDF judges it: PDF/A-2u and
PDF/UA-1 compliant, with the name read back unchanged. veraPDF's test is marked `infra`: the validator runs as a
local JVM process (deploy/local/verapdf.sh)."""

from __future__ import annotations

import io

import httpx
import pytest
from fastapi import FastAPI
from pypdf import PdfReader

from services.appeals.tests.support import auth
from services.appeals.tests.test_api import FORWARD, _appealed
from tests import verapdf

APPELLANT = "Ánde Ŋuolja Čoavji"
COMMENTS = "Kontoret har snakket med Máret Ŧuolja Žoavji i Šiellá og finner ikke grunn til å endre vedtaket (đ)."


async def _forwarding_letter(app: FastAPI, client: httpx.AsyncClient) -> bytes:
    appeal = await _appealed(app, client, appellant="guardian", appellant_name=APPELLANT)
    examined = await client.post(
        f"/appeals/{appeal['id']}/examination", json={**FORWARD, "comments": COMMENTS}, headers=auth(app)
    )
    assert examined.status_code == 200, examined.text
    letter = await client.get(f"/appeals/{appeal['id']}/forwarding-letter.pdf", headers=auth(app))
    assert letter.status_code == 200, letter.text
    return letter.content


async def test_the_forwarding_letter_reads_back_with_the_sami_letters_unchanged(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    pdf = await _forwarding_letter(app, client)
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())

    assert f"verge eller foresatte ({APPELLANT})" in text
    assert COMMENTS in text


@pytest.mark.infra
async def test_the_forwarding_letter_is_pdf_a_and_pdf_ua_compliant(app: FastAPI, client: httpx.AsyncClient) -> None:
    pdf = await _forwarding_letter(app, client)

    for flavour in (verapdf.ARCHIVAL, verapdf.ACCESSIBLE):
        assert verapdf.failures({"forwarding": pdf}, flavour) == {"forwarding": []}, flavour
