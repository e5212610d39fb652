"""OCR with Tesseract: a page image -> words with boxes as the PDF layout reader's lines, and its confidence."""

from __future__ import annotations

import os
import re
import shutil
import threading
from collections import Counter, deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from statistics import median
from typing import TYPE_CHECKING, Any

from covenant.errors import BadInputError

if TYPE_CHECKING:
    from PIL.Image import Image

    from covenant.ingest.pdf_layout import _Line
    from covenant.ingest.raw import RawDocument
    from covenant.model import Passage

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
_LANGID_LOCK = threading.Lock()
_SCRIPT_LANGUAGES = {"Latin": "eng", "Cyrillic": "rus+kaz+eng"}
_KAZAKH_LETTERS = re.compile("[әғқңөұүһіӘҒҚҢӨҰҮҺІ]")
_CYRILLIC = re.compile("[а-яёА-ЯЁ]")
_LATIN = re.compile("[a-zA-Z\u00c0-\u024f]")
# A Latin-script page is read in English first; py3langid (the language detector ingest already uses) then names
# its language from that text, and a page in another language whose Tesseract data is installed is read again
# in it (English data drops accents: "Comité" read "Comite"). Below this many letters the guess is left alone.
_DETECT_MIN_LETTERS = 100
# A page read in the page before's languages with a mean word confidence under this has its script checked (OSD).
_HINT_MIN_CONFIDENCE = 75.0
_TIMEOUT_S = 300
INSTALL = "apt-get install tesseract-ocr tesseract-ocr-eng tesseract-ocr-rus tesseract-ocr-kaz"

# Pages of one scan read at the same time. Tesseract runs as a program of its own, one thread each, so threads
# here use both cores for a lone long scan (a web upload, a batch of one file); a batch of many files already has
# a worker per core, and two pages each then share the cores.
PAGE_THREADS = min(2, os.cpu_count() or 1)

# Set in ingest's worker processes (covenant.workers): called with (path, page, pages) after each page read by
# OCR, so a long scan shows it is moving. None elsewhere.
progress: Callable[[str, int, int], None] | None = None


def report_progress(path: str, page: int, pages: int) -> None:
    if progress is not None:
        progress(path, page, pages)


class PageReader:
    """Reads a scan's pages by OCR, PAGE_THREADS at a time, in the order they are given.

    `read(number, image, dpi)` hands a page over and returns once fewer than PAGE_THREADS pages are being read,
    so at most that many page images are held; `pages()` waits for the rest. Each page is read in the languages
    of the page two before it (the last one surely done when it starts: the same languages, run after run) and
    reported (`report_progress`) in page order. The first error stops the reading and is raised.
    """

    def __init__(self, path: str, total: int, language: str | None = None, threads: int = PAGE_THREADS) -> None:
        self.path = path
        self.total = total
        self.language = language
        self.threads = max(1, threads)
        self.done: dict[int, OcrPage] = {}
        self._order: list[int] = []
        self._running: deque[tuple[int, Future[OcrPage]]] = deque()
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="covenant-ocr")

    def __enter__(self) -> PageReader:
        self._env = _one_thread()
        self._env.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        self._env.__exit__(None, None, None)

    def read(self, number: int, image: Image, dpi: float) -> None:
        while len(self._running) >= self.threads:
            self._collect()
        earlier = self._order[-2] if len(self._order) >= 2 else None
        hint = self.done[earlier].language if earlier is not None else None
        self._order.append(number)
        future = self._pool.submit(read_image, self.path, image, number, dpi, self.language, hint)
        self._running.append((number, future))

    def pages(self) -> dict[int, OcrPage]:
        while self._running:
            self._collect()
        return {number: self.done[number] for number in self._order}

    def _collect(self) -> None:
        number, future = self._running.popleft()
        self.done[number] = future.result()  # a page's error ends the reading (the rest are cancelled on exit)
        report_progress(self.path, number, self.total)


@dataclass(slots=True)
class OcrPage:
    """One page read by OCR: its lines in PDF points (y up), its text one line a line, and how sure Tesseract was."""

    text: str
    lines: list[_Line]
    confidence: float  # mean word confidence, 0-100
    language: str  # the Tesseract languages used ("eng", "rus", "kaz")
    words: int
    # per line of `text`: the sum of its words' confidences and their number
    line_confidence: list[tuple[float, int]] = field(default_factory=list)


def require_tesseract(path: str) -> None:
    if shutil.which("tesseract") is None:
        raise BadInputError(
            path,
            f"a scanned page needs OCR, and the program 'tesseract' is not installed: install it (Debian/Ubuntu: "
            f"{INSTALL}) and ingest the file again",
        )


_installed: set[str] | None = None


def installed_languages() -> set[str]:
    import pytesseract

    global _installed
    if _installed is None:  # one `tesseract --list-langs` a process, not one a page
        _installed = set(pytesseract.get_languages(config=""))
    return _installed


def read_image(
    path: str, image: Image, page: int, dpi: float, language: str | None = None, hint: str | None = None
) -> OcrPage:
    """OCR one page image; `dpi` converts its pixels to points so sizes compare with born-digital PDFs.

    `hint`: the languages the page before of the same document was read in. The page is read in them first,
    without Tesseract's script detection, and detected again only when its text disagrees.
    """
    require_tesseract(path)
    gray = image.convert("L")
    chosen = language or os.environ.get(LANGUAGE_ENV)
    if chosen:
        _check_installed(path, chosen)
        lines = _tesseract_lines(path, gray, chosen)
    else:
        chosen, lines = _read_detected(path, gray, hint)
    _raise_markers(gray, lines)
    return _page(lines, page, 72.0 / dpi, gray.height, chosen)


def _check_installed(path: str, chosen: str) -> None:
    missing = [code for code in chosen.split("+") if code not in installed_languages()]
    if missing:
        raise BadInputError(
            path,
            f"OCR in {'+'.join(missing)} needs Tesseract's language data, which is not installed: install it "
            f"(Debian/Ubuntu: apt-get install {' '.join('tesseract-ocr-' + code for code in missing)})",
        )


def _read_detected(path: str, gray: Image, hint: str | None) -> tuple[str, list[_OcrLine]]:
    """The page read in the language its text shows: by script (OSD, unless the page before gives a hint), then
    Kazakh letters or the language of a Latin-script text; at most one reading in each language tried."""
    chosen = hint or _language_of(gray)
    tried: set[str] = set()
    while True:
        tried.add(chosen)
        lines = _tesseract_lines(path, gray, chosen)
        better = _better_language(chosen, _text(lines))
        if better is None and chosen == hint and _mean_confidence(lines) < _HINT_MIN_CONFIDENCE:
            # read in the wrong script, a page gives letters of the hint's script all the same (a Russian page
            # read in English comes out as Latin "Pe3iome"), only less sure of them: let OSD judge the script
            detected = _language_of(gray)
            better = detected if _script(detected) != _script(chosen) else None
        if better is None or better in tried:
            return chosen, lines
        chosen = better


def _mean_confidence(lines: list[_OcrLine]) -> float:
    confidences = [word.confidence for line in lines for word in line.words]
    return sum(confidences) / len(confidences) if confidences else 0.0


def _script(language: str) -> str:
    return "Cyrillic" if language.split("+")[0] in ("rus", "kaz", "ukr", "bel", "bul", "srp", "kir") else "Latin"


def _better_language(chosen: str, text: str) -> str | None:
    """The languages a page should be read in, judged from what a reading in `chosen` found; None: `chosen`."""
    cyrillic = len(_CYRILLIC.findall(text)) + len(_KAZAKH_LETTERS.findall(text))
    latin = len(_LATIN.findall(text))
    installed = installed_languages()
    if _script(chosen) == "Cyrillic":
        if latin > 2 * cyrillic and latin >= _DETECT_MIN_LETTERS:
            return "eng"  # a hinted Cyrillic reading of a Latin page: the script changed
        # Kazakh is written in Cyrillic with letters of its own: when Russian reading finds them, read again.
        kazakh = len(_KAZAKH_LETTERS.findall(text)) > 0.01 * max(1, len(_CYRILLIC.findall(text)))
        if kazakh and not chosen.startswith("kaz") and "kaz" in installed:
            return "+".join(["kaz", *(code for code in chosen.split("+") if code != "kaz")])
        return None
    if cyrillic > 2 * latin and cyrillic >= _DETECT_MIN_LETTERS:
        return _SCRIPT_LANGUAGES["Cyrillic"]  # a hinted Latin reading of a Cyrillic page
    if latin < _DETECT_MIN_LETTERS:
        return None
    import py3langid
    import pycountry

    # the first of py3langid's three likeliest languages that Tesseract can read (OCR noise and names make a
    # close language win at times: a French court's cover page ranks Luxembourgish first)
    with _LANGID_LOCK:  # pages are read in threads; py3langid loads its model on first use
        ranked = py3langid.rank(text)[:3]
    for code, _score in ranked:
        found = pycountry.languages.get(alpha_2=str(code))
        tesseract = str(getattr(found, "alpha_3", "")) if found is not None else ""
        if tesseract in installed and _script(tesseract) == "Latin":
            return None if tesseract == chosen.split("+")[0] else tesseract
    return None


@dataclass(slots=True)
class _OcrWord:
    """One OCR word: its text, box in pixels, Tesseract's confidence, and its characters with their boxes."""

    text: str
    x0: int
    y0: int
    x1: int
    y1: int
    confidence: float
    chars: list[tuple[str, int, int, int, int]]
    supers: list[tuple[int, int]] = field(default_factory=list)  # raised markers: [start, end) in text


@dataclass(slots=True)
class _OcrLine:
    words: list[_OcrWord]
    size: float  # Tesseract's type size for the line (hOCR x_size), in pixels
    baseline: float  # y of the baseline in pixels (y down)
    x_height: float  # height of a lower-case letter in pixels (x_size less ascenders and descenders)


_LINE_CLASSES = frozenset({"ocr_line", "ocr_header", "ocr_caption", "ocr_textfloat"})
_BBOX = re.compile(r"bbox (\d+) (\d+) (\d+) (\d+)")
_CHAR_BOX = re.compile(r"x_bboxes (\d+) (\d+) (\d+) (\d+)")
_X_SIZE = re.compile(r"x_size ([\d.]+)")
_ASCENDERS = re.compile(r"x_ascenders ([\d.]+)")
_DESCENDERS = re.compile(r"x_descenders ([\d.]+)")
_BASELINE = re.compile(r"baseline (-?[\d.]+) (-?[\d.]+)")
_WCONF = re.compile(r"x_wconf (\d+)")


def _text(lines: list[_OcrLine]) -> str:
    return "\n".join(" ".join(word.text for word in line.words) for line in lines)


def _tesseract_lines(path: str, image: Image, language: str, config: str = "-c hocr_char_boxes=1") -> list[_OcrLine]:
    """Tesseract's lines (hOCR: each line's type size, x-height and baseline; each character's box)."""
    import pytesseract
    from lxml import etree

    hocr = _run(
        path,
        lambda: pytesseract.image_to_pdf_or_hocr(
            image, lang=language, extension="hocr", config=config, timeout=_TIMEOUT_S
        ),
    )
    root = etree.fromstring(hocr, etree.XMLParser(resolve_entities=False, no_network=True, recover=True))
    lines: list[_OcrLine] = []
    for span in root.iter("{*}span"):
        if span.get("class") not in _LINE_CLASSES:
            continue
        title = span.get("title") or ""
        words: list[_OcrWord] = []
        for word in span.iter("{*}span"):
            if word.get("class") != "ocrx_word":
                continue
            text = "".join("".join(word.itertext()).split())  # character spans are set apart by whitespace
            box = _BBOX.search(word.get("title") or "")
            conf = _WCONF.search(word.get("title") or "")
            if not text or not box:
                continue
            chars: list[tuple[str, int, int, int, int]] = []
            for char in word.iter("{*}span"):
                char_box = _CHAR_BOX.search(char.get("title") or "") if char.get("class") == "ocrx_cinfo" else None
                if char_box and char.text:
                    a, b, c, d = (int(v) for v in char_box.groups())
                    chars.append((char.text, a, b, c, d))
            if "".join(ch[0] for ch in chars) != text:
                chars = []  # boxes that do not spell the word are no use for placing a marker in it
            x0, y0, x1, y1 = (int(v) for v in box.groups())
            words.append(_OcrWord(text, x0, y0, x1, y1, float(conf.group(1)) if conf else 0.0, chars))
        if not words:
            continue
        line_box = _BBOX.search(title)
        left, bottom = (int(line_box.group(1)), int(line_box.group(4))) if line_box else (words[0].x0, words[0].y1)
        height = bottom - int(line_box.group(2)) if line_box else words[0].y1 - words[0].y0
        size = float(_X_SIZE.search(title).group(1)) if _X_SIZE.search(title) else float(height)  # type: ignore[union-attr]
        baseline = _BASELINE.search(title)
        slope, shift = (float(baseline.group(1)), float(baseline.group(2))) if baseline else (0.0, 0.0)
        middle = (words[0].x0 + words[-1].x1) / 2
        ascenders = _ASCENDERS.search(title)
        descenders = _DESCENDERS.search(title)
        x_height = size - (float(ascenders.group(1)) if ascenders else 0.25 * size)
        x_height -= float(descenders.group(1)) if descenders else 0.25 * size
        lines.append(_OcrLine(words, size, bottom + shift + slope * (middle - left), x_height))
    return lines


def _run(path: str, call: Callable[[], bytes]) -> bytes:
    """Run tesseract with one thread (pytesseract passes this process's environment on)."""
    import pytesseract

    try:
        with _one_thread():
            return call()
    except RuntimeError as exc:  # pytesseract's timeout
        raise BadInputError(path, f"OCR of a page took more than {_TIMEOUT_S} s") from exc
    except pytesseract.TesseractError as exc:
        raise BadInputError(path, f"OCR failed ({exc.message.strip() or exc.status})") from exc


@contextmanager
def _one_thread() -> Iterator[None]:
    """Tesseract with one thread inside the block (pytesseract passes this process's environment on)."""
    saved = {key: os.environ.get(key) for key in _THREADS_ENV}
    os.environ.update(_THREADS_ENV)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


def _language_of(image: Image) -> str:
    """Tesseract's own script detection (OSD) picks English or Russian; a page it cannot judge is read with both."""
    import pytesseract

    languages = installed_languages()
    if "osd" in languages:
        try:
            with _one_thread():
                osd = pytesseract.image_to_osd(image, output_type=pytesseract.Output.DICT, timeout=_TIMEOUT_S)
            script = _SCRIPT_LANGUAGES.get(str(osd.get("script")), "")
            codes = [code for code in script.split("+") if code in languages]
            if codes and codes[0] == script.split("+")[0] and float(osd.get("script_conf", 0)) >= 1.0:
                return "+".join(codes)
        except (pytesseract.TesseractError, RuntimeError, ValueError):
            pass  # too few characters to tell: a blank page or a photo
    both = [code for code in ("eng", "rus") if code in languages]
    return "+".join(both) or "eng"


# Footnote markers are small digits raised above the line ("материалов¹"). Tesseract drops them as specks, reads
# them as punctuation ("основа’") or as letters ("года⁶" read "годаб"), and then the layout reader cannot find the
# note's marker. Ink standing raised beside a line's words, the size of small digits, is cut out, enlarged and
# read again on its own; what reads as a number is put back at its place, glued to its word as a text layer
# has it, and marked raised for the layout reader. Measured on HURIDOCS' Russian pages (200 dpi): see docs.
_MARKER = re.compile(r"[1-9]\d{0,2}")
_MARKER_HEIGHT_PX = 40  # markers are enlarged to this height before they are read
_MARKER_MIN_CONFIDENCE = 50.0
_ONE = frozenset({"]", "[", "|", "l", "I", "1"})  # what a small "1" alone is read as
_STRAY = frozenset("”“’‘'\"?*°^`!|")  # what Tesseract makes of a small raised digit
_AFTER_MARKER = frozenset(".,;:)]»")  # punctuation that follows a marker
_Box = tuple[int, int, int, int]  # x0, y0, x1, y1 in pixels, the end exclusive


def _raise_markers(gray: Image, lines: list[_OcrLine]) -> None:
    """Find raised markers beside each line's words, read them as digits and put them in the words' text."""
    import numpy as np
    from scipy import ndimage

    if not lines:
        return
    pixels = np.asarray(gray)
    # 8-connected: the thin strokes of a small digit touch only at corners once anti-aliasing is thresholded
    labels, count = ndimage.label(pixels < _threshold(pixels), structure=np.ones((3, 3), dtype=bool))
    if count == 0:
        return
    boxes = np.array([(s[1].start, s[0].start, s[1].stop, s[0].stop) for s in ndimage.find_objects(labels)])
    found = [(line, run) for line in lines for run in _raised_runs(line, boxes)]
    if not found:
        return
    for (line, run), (digits, confidence) in zip(found, _read_markers(gray, [run for _, run in found]), strict=True):
        narrow = run[2] - run[0] < 0.4 * (run[3] - run[1])
        if narrow and digits in _ONE:
            digits, confidence = "1", max(confidence, _MARKER_MIN_CONFIDENCE)  # a lone stroke: "1" read as "]"
        if _MARKER.fullmatch(digits) and confidence >= _MARKER_MIN_CONFIDENCE:
            _place_marker(line, run, digits, confidence)


def _threshold(pixels: Any) -> float:
    """Otsu's threshold between ink and paper for a grey page."""
    import numpy as np

    counts = np.bincount(pixels.ravel(), minlength=256).astype(float)
    share = counts / max(1.0, counts.sum())
    below = np.cumsum(share)
    mean = np.cumsum(share * np.arange(256))
    spread = (mean[-1] * below - mean) ** 2 / np.maximum(below * (1 - below), 1e-12)
    return float(np.argmax(spread)) + 0.5


def _raised_runs(line: _OcrLine, boxes: Any) -> list[_Box]:
    """Runs of ink raised above a line's baseline, each the size of a small digit and standing over no letter."""
    import numpy as np

    x_height, base = line.x_height, line.baseline
    if x_height < 4:
        return []
    line.words.sort(key=lambda word: word.x0)
    x0, y0, x1, y1 = boxes[:, 0], boxes[:, 1], boxes[:, 2], boxes[:, 3]
    height, width = y1 - y0, x1 - x0
    near = (x0 >= line.words[0].x0 - x_height) & (x1 <= line.words[-1].x1 + 3 * x_height)
    near &= (y1 > base - 2.5 * x_height) & (y0 < base + 0.5 * x_height)
    raised = near & (y1 - 1 <= base - 0.35 * x_height) & (y0 >= base - 2.3 * x_height)
    raised &= (height >= 0.6 * x_height) & (height <= 1.3 * x_height) & (width <= 1.2 * x_height)
    grounded = boxes[near & (y1 - 1 > base - 0.2 * x_height) & (height > 0.3 * x_height)]
    runs: list[list[int]] = []
    for a, b, c, d in sorted(boxes[raised].tolist()):
        if runs and a - runs[-1][2] <= 0.5 * x_height and min(d, runs[-1][3]) > max(b, runs[-1][1]):
            run = runs[-1]
            run[1], run[2], run[3] = min(run[1], b), max(run[2], c), max(run[3], d)
        else:
            runs.append([a, b, c, d])
    kept: list[_Box] = []
    for a, b, c, d in runs:
        if c - a > 2.5 * x_height:
            continue  # wider than three small digits
        overlap = np.minimum(grounded[:, 2], c) - np.maximum(grounded[:, 0], a)
        if (overlap > 0.3 * (c - a)).any():
            continue  # it stands over letters: an accent or a piece of a broken glyph, not a marker
        kept.append((a, b, c, d))
    return kept


def _read_markers(gray: Image, runs: list[_Box]) -> list[tuple[str, float]]:
    """Each run of raised ink read on its own, enlarged, all of a page's runs in one tesseract call."""
    from PIL import Image as PILImage

    gap, row_width, row_height = 60, 1600, 2 * _MARKER_HEIGHT_PX
    cells: list[tuple[int, int, int, int]] = []  # where each run was put on the sheet: x0, y0, x1, y1
    crops = []
    x = y = gap
    for a, b, c, d in runs:
        crop = gray.crop((a - 2, b - 2, c + 2, d + 2))
        scale = _MARKER_HEIGHT_PX / crop.height
        crop = crop.resize((max(1, round(crop.width * scale)), _MARKER_HEIGHT_PX), PILImage.Resampling.LANCZOS)
        if x + crop.width > row_width:
            x, y = gap, y + row_height
        cells.append((x, y, x + crop.width, y + crop.height))
        crops.append(crop)
        x += crop.width + gap
    sheet = PILImage.new("L", (row_width + gap, y + row_height), 255)
    for crop, cell in zip(crops, cells, strict=True):
        sheet.paste(crop, cell[:2])
    data = _run_data(sheet)
    read: list[list[tuple[int, str, float]]] = [[] for _ in runs]
    for text, left, top, w, h, conf in data:
        cx, cy = left + w / 2, top + h / 2
        for k, (a, b, c, d) in enumerate(cells):
            if a - gap / 2 <= cx <= c + gap / 2 and b - gap / 2 <= cy <= d + gap / 2:
                read[k].append((left, text, conf))
                break
    return [("".join(t for _, t, _ in sorted(words)), min((c for _, _, c in words), default=0.0)) for words in read]


def _run_data(sheet: Image) -> list[tuple[str, int, int, int, int, float]]:
    import pytesseract

    try:
        with _one_thread():
            data = pytesseract.image_to_data(
                sheet, lang="eng", config="--psm 11", output_type=pytesseract.Output.DICT, timeout=_TIMEOUT_S
            )
    except (RuntimeError, pytesseract.TesseractError):
        return []  # markers are a refinement: the page's text stands without them
    return [
        (str(text).strip(), int(left), int(top), int(w), int(h), float(conf))
        for text, left, top, w, h, conf in zip(
            data["text"], data["left"], data["top"], data["width"], data["height"], data["conf"], strict=True
        )
        if str(text).strip()
    ]


def _place_marker(line: _OcrLine, run: _Box, digits: str, confidence: float) -> None:
    """Put a marker read on its own into the line: over the characters Tesseract made of its ink, or glued to the
    word before it."""
    a, b, c, d = run
    x_height = line.x_height
    for index, word in enumerate(line.words):
        if not word.chars or word.x1 <= a or word.x0 >= c:
            continue
        # Tesseract's characters made of the marker's ink: letters mostly under it or raised and touching it; from
        # the first digit or stray sign near it on (the boxes it gives a marker it misread are often a few pixels
        # off: "принципами”." and "расизма?5." for "принципами²⁵." and "расизма²⁶."). Of what follows, only the
        # word's final punctuation stays: a sign after a marker is on the baseline, where Tesseract reads it well.
        cut = None
        for k, ch in enumerate(word.chars):
            up = ch[4] <= line.baseline - 0.3 * x_height
            centre = (ch[1] + ch[3]) / 2
            # a letter is taken only when raised: a word's own letters stay whatever boxes Tesseract gave them
            mostly = min(c, ch[3]) - max(a, ch[1]) >= 0.5 * max(1, ch[3] - ch[1])
            under = (mostly and (up or not ch[0].isalpha())) or (up and min(c, ch[3]) > max(a, ch[1]))
            stray = (
                ch[0].isdigit() or ch[0] in _STRAY or (up and not ch[0].isalpha())
            ) and centre >= a - 0.6 * x_height
            if under or stray:
                cut = k
                break
        if cut is None:
            continue
        if any(ch[0].isalpha() and ch[1] >= c - 0.1 * x_height for ch in word.chars[cut:]):
            return  # letters go on after it: raised ink inside a word ("l’homme"), an apostrophe, not a marker
        before = word.chars[:cut]
        last = word.chars[-1]
        after = [last] if cut < len(word.chars) and last[0] in _AFTER_MARKER and last[1] >= a else []
        previous = line.words[index - 1] if index else None
        if not before and previous is not None and a - previous.x1 <= x_height:
            # the marker was read as a word of its own: it belongs to the word before, as the text layer has it
            _glue(previous, digits, run)
            previous.text += "".join(ch[0] for ch in after)
            previous.x1 = max(previous.x1, word.x1)
            del line.words[index]
            return
        head = "".join(ch[0] for ch in before)
        word.supers = [(s, e) for s, e in word.supers if e <= len(head)]
        word.supers.append((len(head), len(head) + len(digits)))
        word.chars = [*before, (digits, a, b, c, d), *after]
        word.text = "".join(ch[0] for ch in word.chars)
        return
    left = [word for word in line.words if word.x0 < a]
    if any(0 <= word.x0 - c <= 0.3 * x_height for word in line.words):
        return  # a word starts right after it: an apostrophe Tesseract split the word at, not a marker
    if left and a - left[-1].x1 <= x_height:
        _glue(left[-1], digits, run)
        return
    line.words.insert(len(left), _OcrWord(digits, a, b, c, d, confidence, [(digits, a, b, c, d)], [(0, len(digits))]))


def _glue(word: _OcrWord, digits: str, run: _Box) -> None:
    """A marker after a word; before the word's final punctuation when the word's box reaches over the marker
    ("органами:" with its ":" boxed over the marker of "органами³:")."""
    at = len(word.text)
    if word.x1 > run[0] and word.text[-1:] in _AFTER_MARKER and len(word.text) > 1:
        at -= 1
    word.supers.append((at, at + len(digits)))
    word.text = word.text[:at] + digits + word.text[at:]
    word.chars = []  # no longer in step with the text
    word.x1 = max(word.x1, run[2])


def _page(data: list[_OcrLine], page: int, scale: float, height_px: int, language: str) -> OcrPage:
    """Tesseract's lines as layout lines in points with y going up."""
    from covenant.ingest.pdf_layout import _Line

    lines: list[_Line] = []
    confidences: list[float] = []
    per_line: list[tuple[float, int]] = []
    for order, line in enumerate(data):
        words = sorted(line.words, key=lambda word: word.x0)
        confidences.extend(word.confidence for word in words)
        per_line.append((sum(word.confidence for word in words), len(words)))
        top_px = median(word.y0 for word in words)
        bottom_px = median(word.y1 for word in words)
        text = ""
        supers: list[tuple[int, int]] = []
        for word in words:
            if text:
                text += " "
            supers.extend((len(text) + s, len(text) + e) for s, e in word.supers)
            text += word.text
        lines.append(
            _Line(
                text=text,
                x0=min(word.x0 for word in words) * scale,
                x1=max(word.x1 for word in words) * scale,
                bottom=(height_px - bottom_px) * scale,
                top=(height_px - top_px) * scale,
                # Type size in half points: Tesseract's estimate jitters by a pixel or two.
                size=round(line.size * scale * 2) / 2,
                bold=False,
                page=page,
                italic=False,
                order=order,
                second_x=(words[1].x0 if len(words) > 1 else words[0].x1) * scale,
                supers=supers,
            )
        )
    text = "\n".join(ln.text for ln in lines)
    confidence = sum(confidences) / len(confidences) if confidences else 0.0
    return OcrPage(text, lines, round(confidence, 1), language, len(confidences), per_line)


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


def passage_confidences(raw: RawDocument, passages: list[Passage]) -> None:
    """Each passage with words on pages read by OCR gets Tesseract's mean confidence for the words of the lines it
    cites (lines set aside as furniture or footnotes left out); passages read from a text layer keep None."""
    if not raw.ocr_pages:
        return
    per_line: dict[int, tuple[float, int]] = {}
    first = 1
    for number, text in enumerate(raw.original.split("\f"), 1):
        read = raw.ocr_pages.get(number)
        if read is not None:
            for k, counts in enumerate(read.line_confidence):
                per_line[first + k] = counts
        first += text.count("\n") + 1
    aside = {n for f in raw.furniture for n in range(f.line_start, f.line_end + 1)}
    aside |= {n for note in raw.footnotes for n in range(note.line_start, note.line_end + 1)}
    for passage in passages:
        total = words = 0.0
        for n in range(passage.line_start, passage.line_end + 1):
            if n in per_line and n not in aside:
                total += per_line[n][0]
                words += per_line[n][1]
        if words:
            passage.ocr_confidence = round(total / words, 1)
