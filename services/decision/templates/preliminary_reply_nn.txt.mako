<%doc>Førebels svar på nynorsk: forvaltningslova § 11 a.</%doc>
<%doc>Til personen ("du", "søknaden din"), eller til verjene om personen ("de"/"du", "søknaden ... for <namn>").</%doc>
<%
    own = not h.addressed.about_someone_else
    du = "de" if h.addressed.several else "du"
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

= Førebels svar på søknaden ${"din" if own else "for " + name}

% if letter.service_name and letter.received_on:
Vi viser til søknaden ${"din om " + letter.service_name.lower() if own else "om " + letter.service_name.lower() + " for " + name}, som vi tok imot ${d(letter.received_on)}.
% elif letter.received_on:
Vi viser til søknaden ${"din" if own else "om helse- og omsorgstenester for " + name}, som vi tok imot ${d(letter.received_on)}.
% else:
Vi viser til saka ${"di" if own else "som gjeld " + name}.
% endif

Vi har ikkje kunna behandle saka${" di" if own else ""} innan éin månad. Årsaka er: ${letter.reason}

Vi reknar med å gjere vedtak innan ${d(letter.expected_decision_on)}.

Dette brevet er eit førebels svar etter forvaltningslova § 11 a. Vedtaket får ${du} skriftleg, med opplysning om retten til å klage. Ta gjerne kontakt med oss dersom ${du} har spørsmål.

Med venleg helsing
${h.office_name}
${h.municipality_name} kommune
% if h.copies:

Kopi til:
% for line in h.copies:
${line}
% endfor
% endif
