"""Text reports in the encodings of the region read as their real text."""

from __future__ import annotations

from pathlib import Path

import pytest

from covenant.pipeline import build_document

RUSSIAN = (
    "Доклад о положении с правами человека\n\n"
    "В течение года власти задерживали участников мирных собраний в Алматы и Астане. "
    "Правозащитники сообщили, что задержанным отказывали в доступе к адвокату.\n\n"
    "Суд приговорил журналиста к трём годам лишения свободы за публикацию о коррупции. "
    "Независимые наблюдатели назвали процесс несправедливым.\n"
)


@pytest.mark.parametrize(
    ("encoding", "prefix"),
    [
        ("cp1251", b""),
        ("utf-16", b""),  # Python writes a BOM first
        ("utf-16-le", b""),  # no BOM
        ("utf-16-be", b""),
        ("utf-8", b"\xef\xbb\xbf"),
        ("koi8-r", b""),
        ("utf-8", b""),
    ],
)
def test_russian_report_reads_as_its_real_text(tmp_path: Path, encoding: str, prefix: bytes) -> None:
    path = tmp_path / f"report-{encoding}.txt"
    path.write_bytes(prefix + RUSSIAN.encode(encoding))
    doc = build_document(path)
    body = " ".join(p.text for p in doc.passages)
    assert "Правозащитники сообщили, что задержанным отказывали в доступе к адвокату." in body
    assert "приговорил журналиста к трём годам" in body
    assert doc.report.language == "ru"
    assert "\ufeff" not in doc.clean_text


def test_utf16_english_and_no_break_spaces(tmp_path: Path) -> None:
    text = "Norland\n\nOn 3\u00a0May 2023 police detained the editor of the newspaper Free Voice in Norburg.\n"
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16"))
    doc = build_document(path)
    assert doc.passages[-1].text == "On 3 May 2023 police detained the editor of the newspaper Free Voice in Norburg."
    assert doc.report.encoding == "utf-16"


@pytest.mark.parametrize("encoding", ["utf-16-le", "utf-16-be"])
def test_utf16_english_without_a_bom(tmp_path: Path, encoding: str) -> None:
    text = "Norland\n\nOn 3\u00a0May 2023 police detained the editor of the newspaper Free Voice in Norburg.\n"
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode(encoding))
    doc = build_document(path)
    assert doc.passages[-1].text == "On 3 May 2023 police detained the editor of the newspaper Free Voice in Norburg."
    assert doc.report.encoding is not None and doc.report.encoding.replace("_", "-") == encoding
