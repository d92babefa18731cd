<%doc>Vedtaksbrev på nynorsk: forvaltningslova §§ 24, 25 og 27.</%doc>
<%doc>Til personen ("du", "søknaden din"), eller til verjene om personen ("de"/"du", "søknaden ... for <namn>").</%doc>
<%
    own = not h.addressed.about_someone_else
    du = "de" if h.addressed.several else "du"
    deg = "dykk" if h.addressed.several else "deg"
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
Gjeld: ${h.regarding}
Vedtaksdato: ${d(h.letter_on)}
% if appeal is not None:
Klagefrist: ${d(appeal.deadline_on)}
% endif

% if letter.appeal_body_decision is not None:
= Vedtak etter avgjerda til klageinstansen
% elif letter.kind == "reversal":
= Nytt vedtak etter klage
% elif letter.kind == "review":
= Vedtak etter revurdering
% else:
= Vedtak om helse- og omsorgstenester
% endif

== Vedtak
% if letter.appeal_body_decision is not None:
<% verdict = letter.appeal_body_decision %>\
${cap(du)} klaga på vedtaket vårt${" av " + d(verdict.appealed_on) if verdict.appealed_on else ""}${"" if own else " som gjeld " + name}. ${verdict.appeal_body} handsama klaga og ${"gjorde delvis om" if verdict.partial else "gjorde om"} vedtaket i vedtaket sitt av ${d(verdict.decided_on)}. Med dette vedtaket gjennomfører vi avgjerda til klageinstansen. Dette vedtaket erstattar det tidlegare vedtaket.
% elif letter.kind == "reversal":
${cap(du)} klaga på vedtaket vårt av ${d(letter.superseded_on)}${"" if own else " som gjeld " + name}. Vi har vurdert klaga og gjer om vedtaket (forvaltningslova § 33 andre ledd). Dette vedtaket erstattar det tidlegare vedtaket.
% elif letter.kind == "review":
Vi har revurdert vedtaket ${"ditt av " + d(letter.superseded_on) if own else "av " + d(letter.superseded_on) + " som gjeld " + name}.\
% if letter.review_result == "continue":
 Tenestene held fram.\
% elif letter.review_result == "change":
 Tenestene blir endra.\
% else:
 Tenestene blir avslutta.\
% endif
 Dette vedtaket erstattar det tidlegare vedtaket.
% elif letter.received_on is not None:
Vi viser til søknaden ${"din" if own else "om helse- og omsorgstenester for " + name}, som vi tok imot ${d(letter.received_on)}.
% else:
Vi viser til saka ${"di" if own else "som gjeld " + name}.
% endif

% if letter.outcome == "granted":
${"Du" if own else cap(name)} får innvilga:
% elif letter.outcome == "partly_granted":
Søknaden${" din" if own else ""} er delvis innvilga. ${"Du" if own else cap(name)} får innvilga:
% endif
% for s in letter.services:
- ${s.name}${", " + s.hours + " timar i veka" if s.hours else ""}, frå ${d(s.start_on)}${" til " + d(s.end_on) if s.end_on else ""}
% endfor
% if letter.refused:

% if letter.review_result == "stop":
Desse tenestene blir avslutta:
% elif letter.kind == "review":
Desse tenestene held ikkje fram:
% else:
Søknaden${" din" if own else ""} om dette er avslått:
% endif
% for name in letter.refused:
- ${name}
% endfor
% endif

== Heimel
Vedtaket er gjort med heimel i:
% for basis in letter.legal_basis:
- ${basis}
% endfor

== Grunngiving
% if reasons.empty:
${"Du får det du har søkt om" if own else cap(name) + " får det som er søkt om"}. Vedtaket har difor inga nærare grunngiving (forvaltningslova § 24 andre ledd). ${cap(du)} kan be om grunngiving${" innan klagefristen" if appeal is not None else ""}.
% else:
% if reasons.facts:
Faktiske forhold: ${reasons.facts}

% endif
% if reasons.rules:
Reglar: ${reasons.rules}

% endif
% if reasons.considerations:
Hovudomsyn i skjønnsutøvinga: ${reasons.considerations}
% endif
% endif

% if letter.decided_by == "meeting":
Vedtaket er gjort i ${letter.meeting_name} ${d(letter.meeting_on)}.
% elif letter.decided_by == "unit_leader":
Vedtaket er godkjent av einingsleiar for ${", ".join(letter.approving_units)} etter innstilling frå ${h.office_name}.
% elif letter.appeal_body_decision is not None:
Vedtaket gjennomfører avgjerda til ${letter.appeal_body_decision.appeal_body} og er skrive av ${h.office_name}.
% else:
Vedtaket er gjort av ${h.office_name}.
% endif
% if letter.evaluation_due is not None:
Vedtaket er tidsavgrensa. Vi evaluerer tenestene innan ${d(letter.evaluation_due)}, før vedtaket eventuelt blir fornya eller forlengt.
% endif
% if letter.review_due is not None:
Vedtaket blir revurdert innan ${d(letter.review_due)}. Gi oss beskjed dersom ${"behovet ditt" if own else "behovet til " + name} endrar seg før det.
% endif

% if appeal is None:
== Vedtaket er endeleg
Avgjerda til klageinstansen er endeleg, og dette vedtaket kan ikkje påklagast (forvaltningslova § 28 tredje ledd).

Rett til innsyn: ${cap(du)} har rett til å sjå dokumenta i saka${" di" if own else ""} (forvaltningslova §§ 18 og 19).
% else:
== ${cap(du)} har rett til å klage
${cap(du)} kan klage på dette vedtaket (forvaltningslova § 27).

Klagefrist: Fristen for å klage er ${appeal.deadline_weeks} veker frå ${du} fekk dette brevet (${appeal.legal_basis}). Får ${du} brevet same dag som det er datert, er siste dag for å klage ${long(appeal.deadline_on)}.

Kvar ${du} sender klaga: Send klaga skriftleg til ${appeal.submit_to}, ${h.municipality_name} kommune, som gjorde vedtaket.

Klageinstans: Gir vi ${deg} ikkje medhald, sender vi klaga vidare til ${appeal.appeal_body}, som avgjer klaga.

Slik klagar ${du}: Skriv kva vedtak ${du} klagar på, kva endring ${du} ønskjer, og kvifor. Klaga må vere underskriven. Vi hjelper ${deg} gjerne med å skrive klaga (forvaltningslova § 32).

Rett til innsyn: ${cap(du)} har rett til å sjå dokumenta i saka${" di" if own else ""} (forvaltningslova §§ 18 og 19).

Utsett iverksetjing: ${cap(du)} kan be om at vedtaket ikkje blir sett i verk før klaga er avgjord (forvaltningslova § 42).
% endif

Med venleg helsing
${h.office_name}
${h.municipality_name} kommune

Brevet er godkjent elektronisk og har difor inga underskrift.
% if h.copies:

Kopi til:
% for line in h.copies:
${line}
% endfor
% endif
