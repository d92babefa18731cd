<%doc>Foreløpig svar i bokmål: forvaltningsloven § 11 a.</%doc>
<%doc>To the person ("du", "søknaden din"), or to the guardians about the person ("dere"/"du", "søknaden ... for <navn>").</%doc>
<%
    own = not h.addressed.about_someone_else
    du = "dere" if h.addressed.several else "du"
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

= Foreløpig svar på søknaden ${"din" if own else "for " + name}

% if letter.service_name and letter.received_on:
Vi viser til søknaden ${"din om " + letter.service_name.lower() if own else "om " + letter.service_name.lower() + " for " + name}, som vi mottok ${d(letter.received_on)}.
% elif letter.received_on:
Vi viser til søknaden ${"din" if own else "om helse- og omsorgstjenester for " + name}, som vi mottok ${d(letter.received_on)}.
% else:
Vi viser til saken ${"din" if own else "som gjelder " + name}.
% endif

Vi har ikke kunnet behandle saken${" din" if own else ""} innen én måned. Årsaken er: ${letter.reason}

Vi regner med å fatte vedtak innen ${d(letter.expected_decision_on)}.

Dette brevet er et foreløpig svar etter forvaltningsloven § 11 a. Vedtaket får ${du} skriftlig, med opplysning om retten til å klage. Ta gjerne kontakt med oss hvis ${du} har spørsmål.

Med vennlig hilsen
${h.office_name}
${h.municipality_name} kommune
% if h.copies:

Kopi til:
% for line in h.copies:
${line}
% endfor
% endif
