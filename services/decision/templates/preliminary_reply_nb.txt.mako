<%doc>Foreløpig svar i bokmål: forvaltningsloven § 11 a.</%doc>
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

= Foreløpig svar på søknaden din

% if letter.service_name and letter.received_on:
Vi viser til søknaden din om ${letter.service_name.lower()}, som vi mottok ${d(letter.received_on)}.
% elif letter.received_on:
Vi viser til søknaden din, som vi mottok ${d(letter.received_on)}.
% else:
Vi viser til saken din.
% endif

Vi har ikke kunnet behandle saken din innen én måned. Årsaken er: ${letter.reason}

Vi regner med å fatte vedtak innen ${d(letter.expected_decision_on)}.

Dette brevet er et foreløpig svar etter forvaltningsloven § 11 a. Vedtaket får du skriftlig, med opplysning om retten til å klage. Ta gjerne kontakt med oss hvis du har spørsmål.

Med vennlig hilsen
${h.office_name}
${h.municipality_name} kommune
% if h.copies:

Kopi til:
% for line in h.copies:
${line}
% endfor
% endif
