"""The office's forwarding letter (oversendelsesbrev): the appeal prepared for the appeal body, with the decision,
when its letter reached the person and the deadline that gave, the appeal as received, the office's assessment and
comments, and what is enclosed (forvaltningsloven § 33). The text is the plain layout `servicekit.pdf` sets."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from contracts.appeals import Appellant, DeliveryBasis, Examination, ForwardedDocument
from services.appeals.domain import Appeal, KnownDecision

DOCUMENTS = {
    ForwardedDocument.DECISION: "Vedtaket som er påklaget",
    ForwardedDocument.LETTER: "Vedtaksbrevet slik det ble sendt",
    ForwardedDocument.ASSESSMENT_SUMMARY: "Sammendrag av kartleggingen",
    ForwardedDocument.APPEAL: "Klagen",
    ForwardedDocument.OFFICE_COMMENTS: "Kontorets merknader til klagen",
}
APPELLANTS = {
    Appellant.PERSON: "den vedtaket gjelder",
    Appellant.GUARDIAN: "verge eller foresatte",
    Appellant.REPRESENTATIVE: "fullmektig",
}
DELIVERY = {
    DeliveryBasis.DIGITAL_RECEIPT: "etter kvittering fra den digitale postkassen",
    DeliveryBasis.POSTAL_ASSUMPTION: "lagt til grunn for brev sendt med post",
    DeliveryBasis.HANDED_OVER: "overlevert personlig",
}


@dataclass(frozen=True)
class Sender:
    municipality_name: str
    office_name: str


def _d(day: date | None) -> str:
    return day.strftime("%d.%m.%Y") if day is not None else "ukjent"


def forwarding_letter(appeal: Appeal, decision: KnownDecision, sender: Sender) -> str:
    """The forwarding letter of an appeal the office has forwarded; only a forwarded appeal has one."""
    f = appeal.forwarding
    if f is None:
        raise ValueError("only a forwarded appeal has a forwarding letter")
    g = appeal.given
    who = APPELLANTS[g.appellant] + (f" ({g.appellant_name})" if g.appellant_name else "")
    late = ""
    if appeal.late:
        late = (
            f" Klagen kom etter fristen og ble tatt under behandling {_d(appeal.taken_up_on)} (forvaltningsloven § 31)."
        )
    partly = appeal.examination is Examination.PARTLY_JUSTIFIED
    lines = [
        "= Oversendelse av klagesak",
        "",
        f"Til: {f.appeal_body}",
        f"Fra: {sender.office_name}, {sender.municipality_name} kommune",
        f"Dato: {_d(f.forwarded_on)}",
        f"Vår referanse: sak {appeal.case_id}, klage {appeal.id}",
        "",
        "== Saken",
        f"Klagen gjelder vedtak {decision.decision_id} av {_d(decision.decided_on)}"
        + (f" om {', '.join(g.appealed_services)}." if g.appealed_services else "."),
        f"Vedtaksbrevet nådde mottakeren {_d(decision.delivered_on)}"
        + (f" ({DELIVERY[decision.delivery_basis]})" if decision.delivery_basis else "")
        + f". Klagefristen var {decision.deadline_weeks} uker ({decision.deadline_rule}), til og med "
        + f"{_d(appeal.deadline_on)}.",
        f"Klagen kom inn {_d(g.received_on)} fra {who}.{late}"
        + (" Kontoret hjalp til med å skrive klagen (forvaltningsloven § 32)." if g.helped_by_office else ""),
        "",
        "== Kontorets vurdering",
        (
            "Kontoret har gitt klagen delvis medhold og omgjort vedtaket for den delen. Resten av klagen sendes "
            "klageinstansen til behandling (forvaltningsloven § 33)."
            if partly
            else "Kontoret har vurdert klagen og finner ikke grunn til å endre vedtaket. Klagen sendes derfor "
            "klageinstansen til behandling (forvaltningsloven § 33)."
        ),
        "",
        "== Kontorets merknader",
        *(appeal.office_comments or "").splitlines(),
        "",
        "== Vedlagt",
        *(f"- {DOCUMENTS[d]}" for d in f.documents),
    ]
    return "\n".join(lines) + "\n"
