"""OCR with Tesseract: a page image -> words with boxes as the PDF layout reader's lines, and its confidence."""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

from covenant.errors import BadInputError

if TYPE_CHECKING:
    from PIL.Image import Image

    from covenant.ingest.pdf_layout import _Line

# Pages are rendered at this resolution for OCR: Tesseract reads body type best at 300 dpi.
RENDER_DPI = 300
# A user's choice of OCR languages (Tesseract codes joined by "+", "rus+kaz"), over the detection by script.
LANGUAGE_ENV = "COVENANT_OCR_LANGUAGE"
# Tesseract starts a thread per core for each page; one page per process with one thread is faster on few
# cores (measured: 2.4 s against 15 s for one page on 2 cores), and pages run in parallel across workers.
_THREADS_ENV = {"OMP_THREAD_LIMIT": "1"}
# A Russian page cites English names, document symbols and organisations ("A/HRC/WG.6/34/ITA/3", "Access Now"):
# read alone in Russian they come out as Cyrillic noise. Russian's data has no letters for Kazakh's own (қ, ң, ә),
# so a Kazakh page read in Russian shows none of them: Kazakh is read in the first pass too, and a page where it
# finds them is read again with Kazakh first. Measured on HURIDOCS' Russian pages at 200 dpi: word recall 0.928
# with "rus", 0.941 with "rus+eng", 0.942 with "rus+kaz+eng" (1.5, 2.1 and 2.7 s a page).
_SCRIPT_LANGUAGES = {"Latin": "eng", "Cyrillic": "rus+kaz+eng"}
_KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_TIMEOUT_S = 300
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus tesseract-ocr-kaz"


@dataclass(slots=True)
class OcrPage:
    """One page read by OCR: its lines in PDF points (y up), its text one line a line, and how sure Tesseract was."""

    text: str
    lines: list[_Line]
    confidence: float  # mean word confidence, 0-100
    language: str  # the Tesseract languages used ("eng", "rus", "kaz")
    words: int


def require_tesseract(path: str) -> None:
    if shutil.which("tesseract") is None:
        raise BadInputError(
            path,
            f"a scanned page needs OCR, and the program 'tesseract' is not installed: install it (Debian/Ubuntu: "
            f"{INSTALL}) and ingest the file again",
        )


def installed_languages() -> set[str]:
    import pytesseract

    return set(pytesseract.get_languages(config=""))


def read_image(path: str, image: Image, page: int, dpi: float, language: str | None = None) -> OcrPage:
    """OCR one page image; `dpi` converts its pixels to points so sizes compare with born-digital PDFs."""
    require_tesseract(path)
    gray = image.convert("L")
    chosen = language or os.environ.get(LANGUAGE_ENV) or _language_of(gray)
    missing = [code for code in chosen.split("+") if code not in installed_languages()]
    if missing:
        raise BadInputError(
            path,
            f"OCR in {'+'.join(missing)} needs Tesseract's language data, which is not installed: install it "
            f"(Debian/Ubuntu: apt-get install {' '.join('tesseract-ocr-' + code for code in missing)})",
        )
    data = _tesseract_data(path, gray, chosen)
    if language is None and LANGUAGE_ENV not in os.environ and chosen.startswith("rus"):
        # Kazakh is written in Cyrillic with letters of its own: when Russian reading finds them, read again.
        text = " ".join(word[0] for words, _ in data for word in words)
        kazakh = len(_KAZAKH_LETTERS.findall(text)) > 0.01 * max(1, len(_CYRILLIC.findall(text)))
        if kazakh and "kaz" in installed_languages():
            chosen = "+".join(["kaz", *(code for code in chosen.split("+") if code != "kaz")])
            data = _tesseract_data(path, gray, chosen)
    return _page(data, page, 72.0 / dpi, gray.height, chosen)


# One OCR word: its text, box in pixels (left, top, right, bottom) and Tesseract's confidence.
_Word = tuple[str, int, int, int, int, float]
_LINE_CLASSES = frozenset({"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"})
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_X_SIZE = re.compile(r"x_size ([\d.]+)")
_WCONF = re.compile(r"x_wconf (\d+)")


def _tesseract_data(path: str, image: Image, language: str) -> list[tuple[list[_Word], float]]:
    """Tesseract's lines (hOCR, which gives each line's type size as x_size), each as its words and size in px."""
    import pytesseract
    from lxml import etree

    saved = {key: os.environ.get(key) for key in _THREADS_ENV}
    os.environ.update(_THREADS_ENV)  # pytesseract runs tesseract with this process's environment
    try:
        hocr = pytesseract.image_to_pdf_or_hocr(image, lang=language, extension="hocr", timeout=_TIMEOUT_S)
    except RuntimeError as exc:  # pytesseract's timeout
        raise BadInputError(path, f"OCR of a page took more than {_TIMEOUT_S} s") from exc
    except pytesseract.TesseractError as exc:
        raise BadInputError(path, f"OCR failed ({exc.message.strip() or exc.status})") from exc
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value
    root = etree.fromstring(hocr, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    lines: list[tuple[list[_Word], float]] = []
    for span in root.iter("{*}span"):
        if span.get("class") not in _LINE_CLASSES:
            continue
        title = span.get("title") or ""
        size = _X_SIZE.search(title)
        words: list[_Word] = []
        for word in span.iter("{*}span"):
            if word.get("class") != "ocrx_word":
                continue
            text = "".join(word.itertext()).strip()
            box = _BBOX.search(word.get("title") or "")
            conf = _WCONF.search(word.get("title") or "")
            if text and box:
                x0, y0, x1, y1 = (int(v) for v in box.groups())
                words.append((text, x0, y0, x1, y1, float(conf.group(1)) if conf else 0.0))
        if words:
            line_box = _BBOX.search(title)
            height = int(line_box.group(4)) - int(line_box.group(2)) if line_box else words[0][4] - words[0][2]
            lines.append((words, float(size.group(1)) if size else float(height)))
    return lines


def _language_of(image: Image) -> str:
    """Tesseract's own script detection (OSD) picks English or Russian; a page it cannot judge is read with both."""
    import pytesseract

    languages = installed_languages()
    if "osd" in languages:
        saved = os.environ.get("OMP_THREAD_LIMIT")
        os.environ.update(_THREADS_ENV)
        try:
            osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT, timeout=_TIMEOUT_S)
            script = _SCRIPT_LANGUAGES.get(str(osd.get("script")), "")
            codes = [code for code in script.split("+") if code in languages]
            if codes and codes[0] == script.split("+")[0] and float(osd.get("script_conf", 0)) >= 1.0:
                return "+".join(codes)
        except (pytesseract.TesseractError, RuntimeError, ValueError):
            pass  # too few characters to tell: a blank page or a photo
        finally:
            if saved is None:
                os.environ.pop("OMP_THREAD_LIMIT", None)
            else:
                os.environ["OMP_THREAD_LIMIT"] = saved
    both = [code for code in ("eng", "rus") if code in languages]
    return "+".join(both) or "eng"


def _page(data: list[tuple[list[_Word], float]], page: int, scale: float, height_px: int, language: str) -> OcrPage:
    """Tesseract's lines as layout lines in points with y going up."""
    from covenant.ingest.pdf_layout import _Line

    lines: list[_Line] = []
    confidences: list[float] = []
    for order, (words, x_size) in enumerate(data):
        words.sort(key=lambda word: word[1])
        confidences.extend(word[5] for word in words)
        top_px = median(word[2] for word in words)
        bottom_px = median(word[4] for word in words)
        lines.append(
            _Line(
                text=" ".join(word[0] for word in words),
                x0=min(word[1] for word in words) * scale,
                x1=max(word[3] for word in words) * scale,
                bottom=(height_px - bottom_px) * scale,
                top=(height_px - top_px) * scale,
                # Type size in half points: Tesseract's estimate jitters by a pixel or two.
                size=round(x_size * scale * 2) / 2,
                bold=False,
                page=page,
                italic=False,
                order=order,
                second_x=(words[1][1] if len(words) > 1 else words[0][3]) * scale,
            )
        )
    text = "\n".join(ln.text for ln in lines)
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage(text, lines, round(confidence, 1), language, len(confidences))


def summary(pages: dict[int, OcrPage]) -> str:
    """How the text was read, for the report: "ocr:tesseract (eng) pages 1-3, mean word confidence 91.2"."""
    words = sum(p.words for p in pages.values())
    mean = sum(p.confidence * p.words for p in pages.values()) / words if words else 0.0
    languages = Counter(p.language for p in pages.values())
    numbers = sorted(pages)
    span = f"page {numbers[0]}" if len(numbers) == 1 else f"{len(numbers)} pages ({_ranges(numbers)})"
    return (
        f"ocr:tesseract ({', '.join(lang for lang, _ in languages.most_common())}) {span}, "
        f"mean word confidence {mean:.1f}"
    )


def _ranges(numbers: list[int]) -> str:
    parts: list[str] = []
    start = prev = numbers[0]
    for n in [*numbers[1:], None]:
        if n is not None and n == prev + 1:
            prev = n
            continue
        parts.append(str(start) if start == prev else f"{start}-{prev}")
        if n is not None:
            start = prev = n
    return ", ".join(parts)
