<%doc>Førebels svar på nynorsk: forvaltningslova § 11 a.</%doc>
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

= Førebels svar på søknaden din

% if letter.service_name and letter.received_on:
Vi viser til søknaden din om ${letter.service_name.lower()}, som vi tok imot ${d(letter.received_on)}.
% elif letter.received_on:
Vi viser til søknaden din, som vi tok imot ${d(letter.received_on)}.
% else:
Vi viser til saka di.
% endif

Vi har ikkje kunna behandle saka di innan éin månad. Årsaka er: ${letter.reason}

Vi reknar med å gjere vedtak innan ${d(letter.expected_decision_on)}.

Dette brevet er eit førebels svar etter forvaltningslova § 11 a. Vedtaket får du skriftleg, med opplysning om retten til å klage. Ta gjerne kontakt med oss dersom du har spørsmål.

Med venleg helsing
${h.office_name}
${h.municipality_name} kommune
% if h.copies:

Kopi til:
% for line in h.copies:
${line}
% endfor
% endif
