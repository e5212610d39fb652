"""Write samples/norland-shadow-report.pdf, a fictional 3-page NGO shadow report, byte-identically on every run.

Usage: python scripts/make_sample_pdf.py [OUTPUT]
"""

from __future__ import annotations

import re
import sys
from datetime import UTC, datetime
from pathlib import Path

from fpdf import FPDF

OUTPUT = Path(__file__).resolve().parent.parent / "samples" / "norland-shadow-report.pdf"
# A fixed date and producer keep the file identical between runs (fpdf2 derives the file ID from the bytes).
CREATED = datetime(2024, 1, 15, 10, 0, tzinfo=UTC)
PRODUCER = "fpdf2 (scripts/make_sample_pdf.py)"

TITLE = "Norland: Shadow Report to the UN Human Rights Committee"
BODY_SIZE = 11
LINE = 5.8
NOTE_SIZE = 8
NOTE_LINE = 3.8
MARGIN = 25
NOTES_AREA = 42  # mm kept free at the bottom of each page for footnotes and the page number

TITLE_BLOCK = [
    ("REPUBLIC OF NORLAND", 16),
    ("Shadow report to the United Nations Human Rights Committee", 13),
    ("on the fourth periodic report of Norland under the International Covenant on Civil and Political Rights", 11),
]
SUBMITTED = [
    "Submitted by the Halvik Human Rights Centre and the Norland Association of Journalists",
    "Halvik, January 2024",
]

# ("h", heading) or ("p", paragraph); [^n] marks footnote n, whose text is in NOTES.
CONTENT = [
    ("h", "Introduction"),
    (
        "p",
        "1. This report is submitted by the Halvik Human Rights Centre (HHRC) and the Norland Association "
        "of Journalists (NAJ) for the Committee's review of the fourth periodic report of the Republic of "
        "Norland.[^1] It covers developments from January 2020 to December 2023 and concentrates on two rights "
        "on which our organizations work every day: the right to liberty and security of person (article 9) "
        "and the right to freedom of expression (article 19).",
    ),
    (
        "p",
        "2. The information in this report comes from our monitoring of courts and police stations, from "
        "interviews with 46 detainees, lawyers and journalists conducted between March and November 2023, "
        "and from official statistics. The names of people who asked not to be identified are withheld.",
    ),
    (
        "p",
        "3. In its previous concluding observations, the Committee asked Norland to guarantee access to a "
        "lawyer from the moment of arrest and to decriminalize defamation.[^2] Neither recommendation has "
        "been implemented.",
    ),
    ("h", "Article 9. Liberty and security of person"),
    (
        "p",
        "4. The Code of Administrative Offences allows the police to hold a person for up to 48 hours before "
        "bringing him or her before a judge, and courts may impose up to 15 days of administrative detention "
        'for "hooliganism" or for breaking the rules on public events. Administrative proceedings do not '
        "offer the guarantees of criminal proceedings: hearings often last less than ten minutes, and the "
        "defendant is frequently brought to court without a lawyer.",
    ),
    (
        "p",
        "5. On 14 March 2023, police in Halvik detained 12 people at a peaceful demonstration against the "
        "draft law on foreign funding of associations. Eight were sentenced on the same evening to between "
        "five and ten days of administrative detention. HHRC lawyers who went to the central police station "
        "were not allowed to see the detainees until the following afternoon.[^3]",
    ),
    (
        "p",
        "6. Access to a lawyer in the first hours of custody remains the exception. Of the 46 people we "
        "interviewed, 31 said they were questioned before they could consult a lawyer, and 19 said that "
        'police officers told them a lawyer would "only make things worse". The law does not require the '
        "police to record when a detainee asks for a lawyer, so such refusals leave no trace in the case file.",
    ),
    (
        "p",
        "7. Pretrial detention is used routinely. According to the Supreme Court, courts granted 94 per cent "
        "of prosecutors' requests for pretrial detention in 2022, and the average length of pretrial "
        "detention was seven and a half months. Courts rarely give individual reasons: in the 60 decisions "
        'we examined, the same three sentences on the "risk of flight" and the "gravity of the charge" '
        "appeared word for word in 52. Alternatives such as house arrest or bail were considered in only "
        "four decisions. Opposition activist Tomas Berglund, arrested on 2 October 2023 for social media "
        "posts criticizing the Prime Minister, has been held since then on the basis of such a decision, "
        "although he has a permanent address, a family and no previous convictions.[^4] His lawyer's "
        "three appeals were each rejected in a hearing that lasted less than a quarter of an hour.",
    ),
    (
        "p",
        "8. We suggest that the Committee recommend that the State party: (a) guarantee in law and in "
        "practice access to a lawyer from the moment a person is deprived of liberty, and require the police "
        "to record every request for a lawyer; (b) extend the guarantees of a fair trial to administrative "
        "proceedings that can lead to detention; (c) ensure that pretrial detention is an exceptional "
        "measure, decided on individual grounds, and release Tomas Berglund.",
    ),
    ("h", "Article 19. Freedom of opinion and expression"),
    (
        "p",
        "9. Defamation remains a criminal offence punishable by a fine or up to two years of imprisonment, "
        "and insulting a public official carries a heavier penalty than insulting a private person. Between "
        "2020 and 2023, prosecutors brought 27 criminal defamation cases against journalists and bloggers; "
        "21 of the complainants were public officials or members of parliament.[^5]",
    ),
    (
        "p",
        "10. On 3 July 2023, the Ministry of Information revoked the registration of the independent daily "
        'Halvik Courier for "repeated violations" of the Media Law. The violations cited were two corrections '
        "that the newspaper had published on its own initiative. The decision was taken without a hearing, "
        "and the appeal filed by the newspaper does not suspend it; the Courier stopped publishing on 10 "
        "July. On 21 August, police searched the home of its editor, Ingrid Solheim, and seized her computer "
        "and telephone, which held the names of confidential sources.",
    ),
    (
        "p",
        "11. Journalists are also exposed to violence. NAJ recorded 14 physical attacks on journalists "
        "between 2020 and 2023, of which only two led to a conviction. Erik Dahl, a reporter who was beaten "
        "outside his home in Tarnby on 17 January 2023, a day after he published an article on smuggling at "
        "the border, has still not been told whether the police have identified a suspect.",
    ),
    (
        "p",
        "12. During the March 2023 demonstrations the authorities blocked access to five news websites for "
        "up to three days. No court decision or published order preceded the blocking. The Ministry of "
        "Information later told NAJ that it had acted under the Law on Communications, which allows "
        "blocking only in a state of emergency.[^6]",
    ),
    (
        "p",
        "13. We suggest that the Committee recommend that the State party: (a) decriminalize defamation and "
        "insult; (b) restore the registration of the Halvik Courier and provide that the suspension or "
        "closure of a media outlet may only be ordered by a court; (c) investigate every attack on "
        "journalists effectively and bring those responsible to justice; (d) block websites only on the "
        "basis of a published court decision that can be appealed.",
    ),
]

NOTES = {
    1: "CCPR/C/NRL/4 (a fictional document symbol), received by the Committee in 2022.",
    2: "Concluding observations on the third periodic report of Norland, 2016, paras. 18 and 34.",
    3: "HHRC monitoring notes of 14 and 15 March 2023, on file with the authors.",
    4: "Halvik District Court, decision of 4 October 2023, extended on 28 November and 27 December 2023.",
    5: "Figures from NAJ's register of criminal cases against media workers, updated 31 December 2023.",
    6: "Letter of the Ministry of Information to NAJ, 19 May 2023.",
}

_NOTE_MARKER = re.compile(r"\[\^(\d+)\]")


class ShadowReport(FPDF):
    """An A4 report whose footer prints the footnotes called on the page and the page number."""

    def __init__(self) -> None:
        super().__init__(format="A4")
        self.notes_on_page: dict[int, list[int]] = {}
        self.set_margins(MARGIN, MARGIN, MARGIN)
        self.set_auto_page_break(True, margin=NOTES_AREA)

    def header(self) -> None:
        if self.page_no() > 1:
            self.set_font("Helvetica", "I", NOTE_SIZE)
            self.set_y(12)
            self.cell(0, 4, "HHRC / NAJ - Shadow report on Norland - ICCPR", align="R")
            self.set_y(MARGIN)

    def footer(self) -> None:
        notes = self.notes_on_page.get(self.page_no(), [])
        top = self.h - NOTES_AREA + 4
        if notes:
            self.line(MARGIN, top, MARGIN + 50, top)
            self.set_y(top + 1.5)
            self.set_font("Helvetica", "", NOTE_SIZE)
            for number in notes:
                self.multi_cell(0, NOTE_LINE, f"{number}  {NOTES[number]}", new_x="LMARGIN", new_y="NEXT")
        self.set_y(self.h - 15)
        self.set_font("Helvetica", "", 9)
        self.cell(0, 5, str(self.page_no()), align="C")

    def paragraph(self, text: str) -> None:
        self.set_font("Helvetica", "", BODY_SIZE)
        for piece in _NOTE_MARKER.split(text):
            if piece.isdigit():
                self.char_vpos = "SUP"
                self.write(LINE, piece)
                self.char_vpos = "LINE"
                self.notes_on_page.setdefault(self.page_no(), []).append(int(piece))
            else:
                self.write(LINE, piece)
        self.ln(LINE)
        self.ln(3)

    def heading(self, text: str) -> None:
        self.ln(2)
        self.set_font("Helvetica", "B", 12)
        self.multi_cell(0, 7, text, new_x="LMARGIN", new_y="NEXT")
        self.ln(2)


def build() -> bytes:
    pdf = ShadowReport()
    pdf.set_creation_date(CREATED)
    pdf.set_producer(PRODUCER)
    pdf.set_creator("scripts/make_sample_pdf.py")
    pdf.set_title(TITLE)
    pdf.set_author("Halvik Human Rights Centre; Norland Association of Journalists")
    pdf.set_subject("Fictional sample: ICCPR articles 9 and 19 in the Republic of Norland")
    pdf.set_lang("en")
    pdf.add_page()
    for text, size in TITLE_BLOCK:
        pdf.set_font("Helvetica", "B", size)
        pdf.multi_cell(0, size * 0.5, text, align="C", new_x="LMARGIN", new_y="NEXT")
        pdf.ln(2)
    pdf.ln(2)
    pdf.set_font("Helvetica", "", 10)
    for text in SUBMITTED:
        pdf.multi_cell(0, 5, text, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(6)
    for kind, text in CONTENT:
        if kind == "h":
            pdf.heading(text)
        else:
            pdf.paragraph(text)
    return bytes(pdf.output())


def main(argv: list[str]) -> int:
    output = Path(argv[1]) if len(argv) > 1 else OUTPUT
    output.write_bytes(build())
    print(f"wrote {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
