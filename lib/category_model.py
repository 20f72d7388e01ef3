"""Offline category suggestion: TF-IDF features and a linear classifier per application.

The reporter first chooses an application, so a suggestion is always one of that
application's categories. By default (``Options.pooled``) one classifier learns from
every application's examples, a category being its path (``Lainnya › Permasalahan
lainnya`` is one label in all applications, so small applications borrow the examples
of the large ones), and its scores are restricted to the chosen application's
categories at prediction. ``pooled=False`` trains small independent classifiers, one
per application with its own vocabulary. Nothing here touches the network or Django;
NumPy is the only dependency.

Features of a text (words cut by `lib/textsearch.py`, the same words the search uses):

- ``w:<word>``: each word; a word made only of digits (a tender, RUP or catalog code)
  becomes ``w:#`` — the code itself says nothing about the category;
- ``b:<word>_<word>``: each pair of neighbouring words (``gagal upload``);
- ``c:<n-gram>``: character 3- to 5-grams inside each word padded with ``<`` and
  ``>`` (``<upl``, ``load>``), which connect typos and informal spellings
  (``uplod``/``upload``, ``pasword``/``password``) and Indonesian affixes
  (``diunggah``/``unggahan``).

Each count is damped (``1 + log count``), multiplied by the feature's IDF, and the
vector is scaled to unit length. The classifier is a multinomial logistic regression
(softmax, L2 penalty) trained by full-batch Adam from zero weights: no random draws, so
the same examples always give the same model. Two cheaper classifiers sharing the same
form (a weight per feature and category plus a bias) are kept for comparison:
``centroid`` (cosine to each category's mean vector) and ``cnb`` (complement naive
Bayes). docs/category-model.md has the measurements behind these choices.

A model is stored as JSON (``Model.to_json`` / ``Model.from_json``): never a pickle.
Arrays are float32, stored as their shape plus their little-endian bytes in base64
(a third of the size of decimal numbers), so a loaded model gives bit for bit the
predictions of the one that was saved.
"""

import base64
import binascii
import datetime
import itertools
import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from lib.textsearch import words

FORMAT = "lpse-support/category-model"
VERSION = 1
CLASSIFIERS = ("logreg", "centroid", "cnb")
DTYPE = "float32-le"
POOLED = "*"  # the key of the one classifier of a pooled model

# float32 throughout (NumPy keeps it; the stubs widen arithmetic results to float64).
Vector = npt.NDArray[Any]
Matrix = npt.NDArray[Any]


class ModelFormatError(ValueError):
    """A stored model that cannot be loaded: not JSON, another format, wrong shapes."""


@dataclass(frozen=True)
class Example:
    """One labelled text: the ticket's application, its final category and its words."""

    application: str
    category: str
    text: str


@dataclass(frozen=True)
class Options:
    """How features are cut and the classifier trained (defaults: docs/category-model.md)."""

    word_bigrams: bool = True
    char_ngrams: tuple[int, int] = (3, 5)  # (0, 0): no character n-grams
    min_df: int = 1  # a feature must occur in at least this many training texts
    max_features: int = 50_000  # per application, the most frequent ones first
    classifier: str = "logreg"
    l2: float = 1e-4  # logreg: penalty on the weights
    epochs: int = 200  # logreg: full-batch Adam steps
    learning_rate: float = 0.1  # logreg: Adam step size
    alpha: float = 0.3  # cnb: additive smoothing
    # One classifier over all applications' examples (categories with the same path in
    # several applications, such as "Lainnya", learn from all of them), its scores
    # restricted to the chosen application's categories; False: one per application.
    pooled: bool = True


# --- Features ----------------------------------------------------------------------


def features(text: str, options: Options = Options()) -> Counter[str]:
    """Raw counts of the features of `text` (see the module docstring)."""
    cut = ["#" if word.isdigit() else word for word in words(text)]
    counts: Counter[str] = Counter("w:" + word for word in cut)
    if options.word_bigrams:
        counts.update(f"b:{a}_{b}" for a, b in itertools.pairwise(cut))
    low, high = options.char_ngrams
    if low > 0:
        for word in cut:
            if word == "#":
                continue
            padded = f"<{word}>"
            for n in range(low, high + 1):
                counts.update("c:" + padded[i : i + n] for i in range(len(padded) - n + 1))
    return counts


@dataclass
class _Sparse:
    """Rows of (feature index, value) pairs in compressed-row form."""

    indptr: npt.NDArray[np.int64]
    indices: npt.NDArray[np.int64]
    data: Vector
    width: int
    _by_column: tuple[Any, Any, Any, Any] | None = None

    @property
    def rows(self) -> int:
        return len(self.indptr) - 1

    def dot(self, weights: Matrix) -> Matrix:
        """self @ weights."""
        out = np.zeros((self.rows, weights.shape[1]), dtype=np.float32)
        if len(self.data) == 0:
            return out
        products = weights[self.indices] * self.data[:, None]
        starts = self.indptr[:-1]
        filled = starts < self.indptr[1:]
        out[filled] = np.add.reduceat(products, starts[filled], axis=0)
        return out

    def transpose_dot(self, other: Matrix) -> Matrix:
        """self.T @ other (entries grouped by feature once, then summed with reduceat)."""
        out = np.zeros((self.width, other.shape[1]), dtype=np.float32)
        if len(self.data) == 0:
            return out
        if self._by_column is None:
            row_of = np.repeat(np.arange(self.rows), np.diff(self.indptr))
            order = np.argsort(self.indices, kind="stable")
            columns = self.indices[order]
            starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]])
            self._by_column = (order, row_of[order], columns[starts], starts)
        order, rows, columns, starts = self._by_column
        products = other[rows] * self.data[order][:, None]
        out[columns] = np.add.reduceat(products, starts, axis=0)
        return out


@dataclass
class _Vectorizer:
    vocabulary: dict[str, int]
    idf: Vector
    options: Options

    @classmethod
    def fit(cls, counts: Sequence[Counter[str]], options: Options) -> "_Vectorizer":
        df: Counter[str] = Counter()
        for row in counts:
            df.update(row.keys())
        kept = [(n, name) for name, n in df.items() if n >= options.min_df]
        # Most frequent first, ties by name: the cut at max_features is deterministic.
        kept.sort(key=lambda item: (-item[0], item[1]))
        kept = kept[: options.max_features]
        vocabulary = {name: i for i, (_n, name) in enumerate(kept)}
        total = len(counts)
        idf = np.array([math.log((1 + total) / (1 + n)) + 1 for n, _name in kept], np.float32)
        return cls(vocabulary, idf, options)

    def transform(self, counts: Sequence[Counter[str]]) -> _Sparse:
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        for row in counts:
            found = [(self.vocabulary[k], v) for k, v in row.items() if k in self.vocabulary]
            found.sort()
            values = [(1 + math.log(v)) * float(self.idf[i]) for i, v in found]
            norm = math.sqrt(sum(x * x for x in values)) or 1.0
            indices.extend(i for i, _v in found)
            data.extend(x / norm for x in values)
            indptr.append(len(indices))
        return _Sparse(
            np.array(indptr, np.int64),
            np.array(indices, np.int64),
            np.array(data, np.float32),
            len(self.vocabulary),
        )


# --- Classifiers -------------------------------------------------------------------


def _softmax(scores: Matrix) -> Matrix:
    shifted = scores - scores.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def _train_logreg(x: _Sparse, y: npt.NDArray[np.int64], classes: int, o: Options) -> Any:
    """Softmax regression by full-batch Adam: deterministic, zero start."""
    weights = np.zeros((x.width, classes), np.float32)
    bias = np.zeros(classes, np.float32)
    target = np.zeros((x.rows, classes), np.float32)
    target[np.arange(x.rows), y] = 1
    moments = [np.zeros_like(weights), np.zeros_like(weights)]
    bias_moments = [np.zeros_like(bias), np.zeros_like(bias)]
    beta1, beta2, eps = 0.9, 0.999, 1e-8
    for step in range(1, o.epochs + 1):
        error = (_softmax(x.dot(weights) + bias) - target) / x.rows
        grads = (x.transpose_dot(error) + o.l2 * weights, error.sum(axis=0))
        for param, grad, (m, v) in (
            (weights, grads[0], moments),
            (bias, grads[1], bias_moments),
        ):
            m *= beta1
            m += (1 - beta1) * grad
            v *= beta2
            v += (1 - beta2) * grad * grad
            correction = math.sqrt(1 - beta2**step) / (1 - beta1**step)
            param -= (o.learning_rate * correction) * m / (np.sqrt(v) + eps)
    return weights, bias


def _class_sums(x: _Sparse, y: npt.NDArray[np.int64], classes: int) -> Matrix:
    onehot = np.zeros((x.rows, classes), np.float32)
    onehot[np.arange(x.rows), y] = 1
    return x.transpose_dot(onehot)


def _train_centroid(x: _Sparse, y: npt.NDArray[np.int64], classes: int, o: Options) -> Any:
    sums = _class_sums(x, y, classes)
    norms = np.linalg.norm(sums, axis=0)
    norms[norms == 0] = 1
    return sums / norms, np.zeros(classes, np.float32)


def _train_cnb(x: _Sparse, y: npt.NDArray[np.int64], classes: int, o: Options) -> Any:
    """Complement naive Bayes (Rennie et al. 2003) with normalised weights."""
    sums = _class_sums(x, y, classes)
    complement = sums.sum(axis=1, keepdims=True) - sums + o.alpha
    logs = np.log(complement / complement.sum(axis=0, keepdims=True))
    weights = -logs / np.abs(logs).sum(axis=0, keepdims=True)
    return weights.astype(np.float32), np.zeros(classes, np.float32)


_TRAINERS = {"logreg": _train_logreg, "centroid": _train_centroid, "cnb": _train_cnb}


# --- Model -------------------------------------------------------------------------


@dataclass
class ApplicationModel:
    """The classifier of one application: its vocabulary, IDF and weights."""

    categories: list[str]
    vectorizer: _Vectorizer
    weights: Matrix  # (features, categories)
    bias: Vector  # (categories,)

    def scores(self, text: str, subset: list[int] | None = None) -> Vector:
        row = self.vectorizer.transform([features(text, self.vectorizer.options)])
        raw = row.dot(self.weights)[0] + self.bias
        if subset is not None:
            raw = raw[subset]
        if self.vectorizer.options.classifier == "logreg":
            return _softmax(raw[None, :])[0]
        return raw


@dataclass
class Model:
    """Per-application classifiers, with their options, version and training date."""

    options: Options
    applications: dict[str, ApplicationModel]
    trained_at: str = field(default_factory=lambda: datetime.datetime.now(datetime.UTC).isoformat())
    examples: int = 0
    version: int = VERSION
    # Pooled models: each application's categories (all under POOLED in `applications`).
    allowed: dict[str, list[str]] = field(default_factory=dict)

    def top(self, text: str, application: str, k: int = 3) -> list[tuple[str, float]]:
        """The `k` likeliest categories of `application` for `text`, best first.

        Scores are probabilities for ``logreg`` (higher is likelier for the others).
        An application the model has never seen gets no suggestion.
        """
        if k <= 0:
            return []
        if self.options.pooled:
            model = self.applications.get(POOLED)
            if model is None or application not in self.allowed:
                return []
            position = {category: i for i, category in enumerate(model.categories)}
            categories = self.allowed[application]
            scores = model.scores(text, [position[c] for c in categories])
        else:
            found = self.applications.get(application)
            if found is None:
                return []
            categories, scores = found.categories, found.scores(text)
        # Stable sort: equal scores keep the categories' stored order (deterministic).
        order = np.argsort(-scores, kind="stable")[:k]
        return [(categories[i], float(scores[i])) for i in order]

    def to_json(self) -> str:
        """The model as a JSON document (float32 arrays in base64, exact on reading back)."""
        apps = {}
        for code, app in self.applications.items():
            index = app.vectorizer.vocabulary
            vocabulary = sorted(index, key=index.__getitem__)
            apps[code] = {
                "categories": app.categories,
                "features": vocabulary,
                "idf": _pack(app.vectorizer.idf),
                "weights": _pack(app.weights),
                "bias": _pack(app.bias),
            }
        options = asdict(self.options)
        return json.dumps(
            {
                "format": FORMAT,
                "version": self.version,
                "trained_at": self.trained_at,
                "examples": self.examples,
                "options": options,
                "applications": apps,
                "allowed": self.allowed,
            },
            ensure_ascii=False,
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, payload: str | bytes) -> "Model":
        """Read a model written by `to_json`, checking its format, version and shapes."""
        if isinstance(payload, bytes):
            if payload[:1] == b"\x80" or payload[:2] in (b"(d", b"(l", b"cc"):
                raise ModelFormatError("This looks like a pickle; models are only read from JSON.")
            try:
                payload = payload.decode("utf-8")
            except UnicodeDecodeError as exc:
                raise ModelFormatError("A model must be UTF-8 JSON.") from exc
        try:
            document = json.loads(payload)
        except json.JSONDecodeError as exc:
            raise ModelFormatError(f"A model must be JSON: {exc}") from exc
        if not isinstance(document, dict) or document.get("format") != FORMAT:
            raise ModelFormatError(f"Not a category model (format must be {FORMAT!r}).")
        if document.get("version") != VERSION:
            raise ModelFormatError(
                f"Model version {document.get('version')!r} cannot be read (expected {VERSION})."
            )
        try:
            stored = dict(document["options"])
            stored["char_ngrams"] = tuple(stored["char_ngrams"])
            options = Options(**stored)
            applications = {
                str(code): _load_application(code, part, options)
                for code, part in document["applications"].items()
            }
            allowed = {
                str(code): [str(c) for c in categories]
                for code, categories in document["allowed"].items()
            }
            if options.pooled:
                known = set(applications[POOLED].categories) if POOLED in applications else set()
                if set(applications) != {POOLED} or any(
                    not categories or not set(categories) <= known
                    for categories in allowed.values()
                ):
                    raise ModelFormatError("Pooled model: categories do not match.")
            return cls(
                options=options,
                applications=applications,
                trained_at=str(document["trained_at"]),
                examples=int(document["examples"]),
                allowed=allowed,
            )
        except ModelFormatError:
            raise
        except (KeyError, TypeError, ValueError, AttributeError, binascii.Error) as exc:
            raise ModelFormatError(f"Malformed category model: {exc!r}") from exc


def _pack(array: Vector | Matrix) -> dict[str, Any]:
    """An array as JSON: its shape and its little-endian float32 bytes in base64."""
    raw = np.ascontiguousarray(array, dtype="<f4").tobytes()
    return {"dtype": DTYPE, "shape": list(array.shape), "base64": base64.b64encode(raw).decode()}


def _unpack(value: dict[str, Any]) -> Vector | Matrix:
    if value["dtype"] != DTYPE:
        raise ModelFormatError(f"Arrays must be {DTYPE}, not {value['dtype']!r}.")
    shape = tuple(int(n) for n in value["shape"])
    if not 1 <= len(shape) <= 2 or min(shape) < 0:
        raise ModelFormatError(f"Bad array shape {shape}.")
    raw = base64.b64decode(value["base64"], validate=True)
    if len(raw) != 4 * math.prod(shape):
        raise ModelFormatError(f"Array of shape {shape} cannot hold {len(raw)} bytes.")
    return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)


def _load_application(code: str, part: dict[str, Any], options: Options) -> ApplicationModel:
    categories = [str(c) for c in part["categories"]]
    names = [str(f) for f in part["features"]]
    idf = _unpack(part["idf"])
    weights = _unpack(part["weights"])
    bias = _unpack(part["bias"])
    shape = (len(names), len(categories))
    if (
        not categories
        or len(set(names)) != len(names)
        or idf.shape != (len(names),)
        or weights.shape != shape
        or bias.shape != (len(categories),)
    ):
        raise ModelFormatError(
            f"Application {code}: shapes do not match "
            f"({len(names)} features, {len(categories)} categories; idf {idf.shape}, "
            f"weights {weights.shape}, bias {bias.shape})."
        )
    if not (np.isfinite(idf).all() and np.isfinite(weights).all() and np.isfinite(bias).all()):
        raise ModelFormatError(f"Application {code}: weights must be finite numbers.")
    vectorizer = _Vectorizer({name: i for i, name in enumerate(names)}, idf, options)
    return ApplicationModel(categories, vectorizer, weights, bias)


def train(examples: Iterable[Example], options: Options = Options()) -> Model:
    """Train one classifier per application present in `examples` (order does not matter)."""
    if options.classifier not in _TRAINERS:
        raise ValueError(f"Unknown classifier {options.classifier!r}; one of {CLASSIFIERS}.")
    by_app: dict[str, list[Example]] = {}
    allowed: dict[str, set[str]] = {}
    total = 0
    for example in examples:
        group = POOLED if options.pooled else example.application
        by_app.setdefault(group, []).append(example)
        allowed.setdefault(example.application, set()).add(example.category)
        total += 1
    applications = {}
    for code in sorted(by_app):
        # Sorted rows: the same set of examples in any order gives the same model.
        rows = sorted(by_app[code], key=lambda row: (row.category, row.text))
        categories = sorted({row.category for row in rows})
        index = {category: i for i, category in enumerate(categories)}
        counts = [features(row.text, options) for row in rows]
        vectorizer = _Vectorizer.fit(counts, options)
        x = vectorizer.transform(counts)
        y = np.array([index[row.category] for row in rows], np.int64)
        if len(categories) == 1:
            weights = np.zeros((x.width, 1), np.float32)
            bias = np.zeros(1, np.float32)
        else:
            weights, bias = _TRAINERS[options.classifier](x, y, len(categories), options)
        applications[code] = ApplicationModel(
            categories, vectorizer, weights.astype(np.float32), bias.astype(np.float32)
        )
    return Model(
        options=options,
        applications=applications,
        examples=total,
        allowed={app: sorted(c) for app, c in sorted(allowed.items())} if options.pooled else {},
    )
