"""Footnote blocks moved out of the body and markers glued to words and numbers resolved by the sequence."""

from __future__ import annotations

from pathlib import Path

from covenant.pipeline import build_document

SHADOW_004 = "004_c44e466740d2cce1"


def _marker_context(doc, number: str, before: int = 30) -> str:
    note = next(n for n in doc.footnotes if n.number == number)
    assert note.marker_offset is not None, number
    return doc.clean_text[note.marker_offset - before : note.marker_offset]


def test_glued_markers_in_the_shadow_report(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    assert _marker_context(doc, "1").endswith("Law of Treaties of 1969,")
    assert _marker_context(doc, "2").endswith("acquittals in Kazakhstan.")
    assert _marker_context(doc, "3").endswith("dated 28 December 2009")  # "20093" = 2009 + note 3
    assert _marker_context(doc, "20").endswith("equality of citizens")  # "citizens20."
    assert _marker_context(doc, "59").endswith("Convention No.87")  # "No.8759" = No.87 + note 59
    body = doc.clean_text[: doc.passages[-1].end]
    assert "28 December 2009 stipulates" in body.replace("\n", " ") or "December 2009 stipula" in body
    assert "Kazakhstan.2" not in body and "citizens20" not in body and "No.8759" not in body


def test_no_footnote_text_left_in_a_body_paragraph(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    assert len(doc.footnotes) >= 170
    numbers = [int(n.number) for n in doc.footnotes]
    assert numbers == sorted(numbers)
    note_lines = {n for note in doc.footnotes for n in range(note.line_start, note.line_end + 1)}
    body_end = doc.passages[-1].end
    for run in doc.offset_map:
        if run.clean_start < body_end and run.orig_start >= 0:
            assert run.line_start not in note_lines, run
    for note in doc.footnotes:
        probe = note.text[:80]
        if len(probe) < 60:
            continue  # "Ibid." and the like can stand in body text too
        for p in doc.passages:
            assert probe not in p.text, (note.number, p.id)


def test_paragraph_split_by_a_footnote_block_is_joined(reference_docs) -> None:
    doc = reference_docs[SHADOW_004]
    joined = [
        p
        for p in doc.passages
        if "cases where criminal courts referred to provisions of the Covenant, we are" in p.text
    ]
    assert len(joined) == 1
    assert joined[0].line_end - joined[0].line_start > 4  # cites the lines on both sides of the block


def test_sequence_decides_what_is_a_marker(tmp_path: Path) -> None:
    body = [
        "The law was adopted in 2011 and amended in Kazakhstan.1 It covers 2,500 persons and 1.5 million",
        "residents, according to the Ministry of 2014 figures, and all citizens2. The Resolution of 28",
        "December 20093 applies. Convention No.8759 was ratified. In 2012 the article 3 of the law was",
        "used against 20 journalists.",
        "",
        "1 See: Law on Public Associations.",
        "2 Ministry of Justice statistics, 2014.",
        "3 Regulatory Resolution No. 7.",
        "",
        "Page text continues here with more facts about the year in review and other findings of note.",
    ]
    # Footnotes 4..58 do not exist in this short text: number 59 is out of sequence and stays a number.
    path = tmp_path / "notes.txt"
    path.write_text("Report on Norland\n\n" + "\n".join(body) + "\n", encoding="utf-8")
    doc = build_document(path)
    assert [n.number for n in doc.footnotes] == ["1", "2", "3"]
    text = doc.clean_text
    assert "in Kazakhstan. It covers 2,500 persons and 1.5 million residents" in text
    assert "all citizens. The Resolution of 28 December 2009 applies. Convention No.8759 was ratified." in text
    assert "used against 20 journalists." in text
    assert "See: Law on Public Associations." in text[doc.passages[-1].end :]
