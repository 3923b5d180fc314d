"""Intent: label the question (HR/admin, legal, IT/process, finance, chit-chat, out of scope).

The labels and their example questions are data (`IntentLabel`, edited in Django admin); the
classifier is trained from them in-process, with no LLM:

- features: the question's sentence embedding, plus TF-IDF word 1–2-grams and character
  2–4-grams (names, product words and typos that a small embedding model blurs; character
  n-grams also cover Chinese without a segmenter);
- a multinomial logistic regression over them, out-of-scope examples being one more class;
- out of scope also when the in-scope evidence is weak: best in-scope probability × cosine
  to that label family's nearest centroid below a threshold. That threshold and the
  regularisation are chosen by cross-validation on the training examples inside `train()`.
"""

import hashlib
import json
import os
import pickle
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np
from django.conf import settings

from ingestion.embed import Embedder

OUT_OF_SCOPE = "out_of_scope"
NO_LABELS = "general"  # what classify_intent answers before any label is configured

# Share of out-of-scope questions assumed when choosing the threshold. Training sets hold few
# out-of-scope examples (CLINC: 1 in 76), which would push the threshold so low that nearly
# nothing is refused; real traffic has more. 0.1 = "about one question in ten".
OUT_OF_SCOPE_PRIOR = 0.1
REGULARISATION_GRID = (30.0, 100.0)  # logistic regression's C
EMBEDDING_WEIGHT, WORD_WEIGHT, CHAR_WEIGHT = 1.5, 0.7, 0.7
MAX_FOLDS = 10
DEFAULT_THRESHOLD = 0.1  # when there are too few examples to cross-validate


@dataclass(frozen=True)
class IntentPrediction:
    label: str
    confidence: float
    scores: dict[str, float]


class _Model:
    """Features + logistic regression + centroids, fitted on one set of examples."""

    def __init__(self, vectors: np.ndarray, texts: Sequence[str], labels: np.ndarray, *, c: float, oos: str):
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression

        self.oos = oos
        self.words = TfidfVectorizer(ngram_range=(1, 2), sublinear_tf=True).fit(texts)
        self.chars = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True).fit(texts)
        classes = sorted(set(labels.tolist()))
        self.in_scope = [label for label in classes if label != oos]
        if len(classes) > 1:
            self.regression = LogisticRegression(C=c, max_iter=3000).fit(
                self._features(vectors, texts), labels
            )
            self.classes = list(self.regression.classes_)
        else:  # a single label: nothing to separate, everything in scope is that label
            self.regression, self.classes = None, classes
        centroids = np.stack([vectors[labels == label].mean(axis=0) for label in self.in_scope])
        self.centroids = centroids / np.maximum(np.linalg.norm(centroids, axis=1, keepdims=True), 1e-9)

    def _features(self, vectors: np.ndarray, texts: Sequence[str]):
        from scipy.sparse import csr_matrix, hstack

        return hstack(
            [
                csr_matrix(vectors * EMBEDDING_WEIGHT),
                self.words.transform(texts) * WORD_WEIGHT,
                self.chars.transform(texts) * CHAR_WEIGHT,
            ]
        ).tocsr()

    def probabilities(self, vectors: np.ndarray, texts: Sequence[str]) -> np.ndarray:
        if self.regression is None:
            return np.ones((len(texts), 1))
        return self.regression.predict_proba(self._features(vectors, texts))

    def evidence(
        self, vectors: np.ndarray, texts: Sequence[str]
    ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per text: all class probabilities, the best in-scope class index, and the in-scope
        evidence (that class's probability × cosine to the nearest in-scope centroid; 0 when
        the out-of-scope class is the most probable)."""
        probabilities = self.probabilities(vectors, texts)
        in_scope = probabilities.copy()
        if self.oos in self.classes:
            in_scope[:, self.classes.index(self.oos)] = -1.0
        best = in_scope.argmax(axis=1)
        nearest = np.clip((vectors @ self.centroids.T).max(axis=1), 0.0, 1.0)
        strength = in_scope.max(axis=1) * nearest
        if self.oos in self.classes:  # the out-of-scope class winning outright is evidence enough
            strength[probabilities.argmax(axis=1) == self.classes.index(self.oos)] = 0.0
        return probabilities, best, strength


class IntentClassifier:
    def __init__(self, *, model: _Model, threshold: float, embedder, out_of_scope_label: str) -> None:
        self._model = model
        self.threshold = threshold
        self._embedder = embedder
        self.out_of_scope_label = out_of_scope_label

    @property
    def labels(self) -> list[str]:
        return [*self._model.in_scope, self.out_of_scope_label]

    @classmethod
    def train(
        cls, examples: Sequence[tuple[str, str]], *, embedder, out_of_scope_label: str = OUT_OF_SCOPE
    ) -> "IntentClassifier":
        """examples: (text, label). Needs at least one in-scope label."""
        texts = [text for text, _ in examples]
        labels = np.array([label for _, label in examples], dtype=object)
        if not (labels != out_of_scope_label).any():
            raise ValueError("training needs examples of at least one in-scope label")
        vectors = np.asarray(embedder.embed(texts), dtype=np.float32)
        c, threshold = _cross_validate(vectors, texts, labels, out_of_scope_label)
        model = _Model(vectors, texts, labels, c=c, oos=out_of_scope_label)
        return cls(model=model, threshold=threshold, embedder=embedder, out_of_scope_label=out_of_scope_label)

    def predict(self, text: str) -> IntentPrediction:
        return self.predict_many([text])[0]

    def predict_many(self, texts: Sequence[str]) -> list[IntentPrediction]:
        if not texts:
            return []
        vectors = np.asarray(self._embedder.embed(list(texts)), dtype=np.float32)
        probabilities, best, evidence = self._model.evidence(vectors, texts)
        classes = self._model.classes
        out = []
        for row, index, strength in zip(probabilities, best, evidence, strict=True):
            scores = {label: round(float(p), 4) for label, p in zip(classes, row, strict=True)}
            scores.setdefault(self.out_of_scope_label, 0.0)
            if strength >= self.threshold:
                out.append(IntentPrediction(classes[index], float(row[index]), scores))
            else:
                # How far below the threshold the evidence fell is how sure the refusal is.
                confidence = max(1.0 - float(strength) / self.threshold, scores[self.out_of_scope_label])
                out.append(IntentPrediction(self.out_of_scope_label, confidence, scores))
        return out


def _cross_validate(
    vectors: np.ndarray, texts: Sequence[str], labels: np.ndarray, oos: str
) -> tuple[float, float]:
    """The regularisation and out-of-scope threshold with the best out-of-fold score:
    in-scope accuracy and out-of-scope recall weighted by OUT_OF_SCOPE_PRIOR."""
    from sklearn.model_selection import StratifiedKFold

    smallest = min(np.unique(labels, return_counts=True)[1])
    folds = min(MAX_FOLDS, int(smallest))
    if folds < 2 or len(set(labels.tolist()) - {oos}) < 2:
        return REGULARISATION_GRID[-1], DEFAULT_THRESHOLD
    splits = list(StratifiedKFold(folds, shuffle=True, random_state=0).split(vectors, labels))
    best: tuple[float, float, float] | None = None
    for c in REGULARISATION_GRID:
        predicted = np.empty(len(labels), dtype=object)
        evidence = np.zeros(len(labels))
        for train_rows, held_rows in splits:
            model = _Model(
                vectors[train_rows], [texts[i] for i in train_rows], labels[train_rows], c=c, oos=oos
            )
            _, index, strength = model.evidence(vectors[held_rows], [texts[i] for i in held_rows])
            predicted[held_rows] = np.array(model.classes, dtype=object)[index]
            evidence[held_rows] = strength
        score, threshold = _best_threshold(predicted, evidence, labels, oos)
        if best is None or score > best[0]:
            best = (score, c, threshold)
    assert best is not None
    return best[1], best[2]


def _best_threshold(
    predicted: np.ndarray, evidence: np.ndarray, labels: np.ndarray, oos: str
) -> tuple[float, float]:
    in_scope = labels != oos
    candidates = np.unique(evidence)
    scores = []
    for threshold in candidates:
        correct = np.where(evidence >= threshold, predicted, oos) == labels
        if in_scope.all():
            # No out-of-scope examples: refuse only what the training data itself does not support.
            scores.append(correct.mean() - 0.5 * (evidence < threshold).mean())
            continue
        scores.append(
            (1 - OUT_OF_SCOPE_PRIOR) * correct[in_scope].mean()
            + OUT_OF_SCOPE_PRIOR * correct[~in_scope].mean()
        )
    scores_array = np.array(scores)
    ties = candidates[scores_array >= scores_array.max() - 1e-12]
    # The middle of the best plateau, not its edge: it generalises better.
    return float(scores_array.max()), float((ties.min() + ties.max()) / 2)


# --- the classifier the pipeline uses, trained from the IntentLabel rows -----------------


class IntentModel(Protocol):
    def classify(self, question: str) -> IntentPrediction: ...


class LabelledIntents:
    """The classifier trained from the admin's IntentLabel rows: trained (or loaded from the
    data folder) on first use, and again whenever a label is added, edited or deleted."""

    def __init__(self, embedder: Embedder) -> None:
        self._embedder = embedder
        self._lock = threading.Lock()
        self._trained: tuple[tuple, IntentClassifier | None] | None = None

    def classify(self, question: str) -> IntentPrediction:
        classifier = self._current()
        if classifier is None:
            return IntentPrediction(NO_LABELS, 0.0, {})
        return classifier.predict(question)

    def _current(self) -> IntentClassifier | None:
        from router.models import IntentLabel

        version = IntentLabel.objects.version()
        with self._lock:
            if self._trained is None or self._trained[0] != version:
                self._trained = (version, _train_from_labels(self._embedder))
            return self._trained[1]


def _train_from_labels(embedder: Embedder) -> IntentClassifier | None:
    from router.models import IntentLabel

    examples = IntentLabel.objects.training_examples(out_of_scope_label=OUT_OF_SCOPE)
    if not any(label != OUT_OF_SCOPE for _, label in examples):
        return None
    # Cross-validated training takes tens of seconds on two cores; every process (web workers,
    # the Celery worker, commands) would pay it. A classifier trained on exactly these
    # examples with this embedding model is kept in the data folder and reused.
    key = hashlib.sha256(json.dumps([embedder.model_name, examples]).encode()).hexdigest()[:24]
    cached = Path(settings.KB_DATA_DIR) / "cache" / f"intent-{key}.pickle"
    if cached.exists():
        with cached.open("rb") as handle:
            model, threshold = pickle.load(handle)  # noqa: S301 - our own file in our own data folder
        return IntentClassifier(
            model=model, threshold=threshold, embedder=embedder, out_of_scope_label=OUT_OF_SCOPE
        )
    classifier = IntentClassifier.train(examples, embedder=embedder, out_of_scope_label=OUT_OF_SCOPE)
    cached.parent.mkdir(parents=True, exist_ok=True)
    partial = cached.with_suffix(f".{os.getpid()}.tmp")
    with partial.open("wb") as handle:
        pickle.dump((classifier._model, classifier.threshold), handle)
    partial.replace(cached)  # atomic: a concurrent process never reads half a file
    return classifier
