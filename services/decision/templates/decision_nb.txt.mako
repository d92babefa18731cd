<%doc>Decision letter in bokmål: forvaltningsloven §§ 24, 25 and 27.</%doc>
<%doc>To the person ("du", "søknaden din"), or to the guardians about the person ("dere"/"du", "søknaden ... for <navn>").</%doc>
<%
    own = not h.addressed.about_someone_else
    du = "dere" if h.addressed.several else "du"
    deg = "dere" if h.addressed.several else "deg"
    name = h.regarding
%>
= ${h.municipality_name} kommune
${h.office_name}

Dato: ${d(h.letter_on)}
Vår referanse: ${h.reference}
% if h.addressees:
${h.address_names}
% for line in h.address_lines:
${line}
% endfor

% endif
Gjelder: ${h.regarding}
Vedtaksdato: ${d(h.letter_on)}
% if appeal is not None:
Klagefrist: ${d(appeal.deadline_on)}
% endif

% if letter.appeal_body_decision is not None:
= Vedtak etter klageinstansens avgjørelse
% elif letter.kind == "reversal":
= Nytt vedtak etter klage
% elif letter.kind == "review":
= Vedtak etter revurdering
% else:
= Vedtak om helse- og omsorgstjenester
% endif

== Vedtak
% if letter.appeal_body_decision is not None:
<% verdict = letter.appeal_body_decision %>\
${cap(du)} klaget på vedtaket vårt${" av " + d(verdict.appealed_on) if verdict.appealed_on else ""}${"" if own else " som gjelder " + name}. ${verdict.appeal_body} behandlet klagen og ${"gjorde delvis om" if verdict.partial else "gjorde om"} vedtaket i sitt vedtak av ${d(verdict.decided_on)}. Med dette vedtaket gjennomfører vi avgjørelsen til klageinstansen. Dette vedtaket erstatter det tidligere vedtaket.
% elif letter.kind == "reversal":
${cap(du)} klaget på vedtaket vårt av ${d(letter.superseded_on)}${"" if own else " som gjelder " + name}. Vi har vurdert klagen og gjør om vedtaket (forvaltningsloven § 33 annet ledd). Dette vedtaket erstatter det tidligere vedtaket.
% elif letter.kind == "review":
Vi har revurdert vedtaket ${"ditt av " + d(letter.superseded_on) if own else "av " + d(letter.superseded_on) + " som gjelder " + name}.\
% if letter.review_result == "continue":
 Tjenestene fortsetter.\
% elif letter.review_result == "change":
 Tjenestene endres.\
% else:
 Tjenestene avsluttes.\
% endif
 Dette vedtaket erstatter det tidligere vedtaket.
% elif letter.received_on is not None:
Vi viser til søknaden ${"din" if own else "om helse- og omsorgstjenester for " + name}, som vi mottok ${d(letter.received_on)}.
% else:
Vi viser til saken ${"din" if own else "som gjelder " + name}.
% endif

% if letter.outcome == "granted":
${"Du" if own else cap(name)} får innvilget:
% elif letter.outcome == "partly_granted":
Søknaden${" din" if own else ""} er delvis innvilget. ${"Du" if own else cap(name)} får innvilget:
% endif
% for s in letter.services:
- ${s.name}${", " + s.hours + " timer per uke" if s.hours else ""}, fra ${d(s.start_on)}${" til " + d(s.end_on) if s.end_on else ""}
% endfor
% if letter.refused:

% if letter.review_result == "stop":
Disse tjenestene avsluttes:
% elif letter.kind == "review":
Disse tjenestene fortsetter ikke:
% else:
Søknaden${" din" if own else ""} om dette er avslått:
% endif
% for name in letter.refused:
- ${name}
% endfor
% endif

== Hjemmel
Vedtaket er fattet med hjemmel i:
% for basis in letter.legal_basis:
- ${basis}
% endfor

== Begrunnelse
% if reasons.empty:
${"Du får det du har søkt om" if own else cap(name) + " får det som er søkt om"}. Vedtaket har derfor ingen nærmere begrunnelse (forvaltningsloven § 24 annet ledd). ${cap(du)} kan be om en begrunnelse${" innen klagefristen" if appeal is not None else ""}.
% else:
% if reasons.facts:
Faktiske forhold: ${reasons.facts}

% endif
% if reasons.rules:
Regler: ${reasons.rules}

% endif
% if reasons.considerations:
Hovedhensyn ved skjønnsutøvingen: ${reasons.considerations}
% endif
% endif

% if letter.decided_by == "meeting":
Vedtaket er fattet i ${letter.meeting_name} ${d(letter.meeting_on)}.
% elif letter.decided_by == "unit_leader":
Vedtaket er godkjent av enhetsleder for ${", ".join(letter.approving_units)} etter innstilling fra ${h.office_name}.
% elif letter.appeal_body_decision is not None:
Vedtaket gjennomfører avgjørelsen til ${letter.appeal_body_decision.appeal_body} og er skrevet av ${h.office_name}.
% else:
Vedtaket er fattet av ${h.office_name}.
% endif
% if letter.evaluation_due is not None:
Vedtaket er tidsbegrenset. Vi evaluerer tjenestene innen ${d(letter.evaluation_due)}, før vedtaket eventuelt fornyes eller forlenges.
% endif
% if letter.review_due is not None:
Vedtaket blir revurdert innen ${d(letter.review_due)}. Gi oss beskjed hvis ${"behovet ditt" if own else "behovet til " + name} endrer seg før det.
% endif

% if appeal is None:
== Vedtaket er endelig
Klageinstansens avgjørelse er endelig, og dette vedtaket kan ikke påklages (forvaltningsloven § 28 tredje ledd).

Rett til innsyn: ${cap(du)} har rett til å se dokumentene i saken${" din" if own else ""} (forvaltningsloven §§ 18 og 19).
% else:
== ${cap(du)} har rett til å klage
${cap(du)} kan klage på dette vedtaket (forvaltningsloven § 27).

Klagefrist: Fristen for å klage er ${appeal.deadline_weeks} uker fra ${du} mottok dette brevet (${appeal.legal_basis}). Mottar ${du} brevet samme dag som det er datert, er siste dag for å klage ${long(appeal.deadline_on)}.

Hvor ${du} sender klagen: Send klagen skriftlig til ${appeal.submit_to}, ${h.municipality_name} kommune, som fattet vedtaket.

Klageinstans: Gir vi ${deg} ikke medhold, sender vi klagen videre til ${appeal.appeal_body}, som avgjør klagen.

Slik klager ${du}: Skriv hvilket vedtak ${du} klager på, hvilken endring ${du} ønsker, og hvorfor. Klagen må være underskrevet. Vi hjelper ${deg} gjerne med å skrive klagen (forvaltningsloven § 32).

Rett til innsyn: ${cap(du)} har rett til å se dokumentene i saken${" din" if own else ""} (forvaltningsloven §§ 18 og 19).

Utsatt iverksetting: ${cap(du)} kan be om at vedtaket ikke gjennomføres før klagen er avgjort (forvaltningsloven § 42).
% endif

Med vennlig hilsen
${h.office_name}
${h.municipality_name} kommune

Brevet er godkjent elektronisk og har derfor ingen underskrift.
% if h.copies:

Kopi til:
% for line in h.copies:
${line}
% endfor
% endif
