"""Baseline for `npm run bench`: scikit-learn fits the same data as the in-house trainers.

Reads the files train.bench.ts wrote into the folder given as argv[1]; prints one JSON object.
Tabular: StandardScaler + LogisticRegression (lbfgs). Text: TfidfVectorizer (sublinear tf, L2,
min_df=2, max_features=20000, same token pattern) + LogisticRegression. Median of `repeats` runs.
scikit-learn's defaults (C = 1, tol 1e-4): what a user gets without tuning. Test log loss and ECE
(15 equal-width bins of top-label confidence) as in test/reference/sklearn_reference.py.
"""
import json
import statistics
import sys
import time

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler


def ms(seconds):
    return round(seconds * 1000)


def calibration(y, p):
    """Log loss (clipped at 1e-15) and ECE over 15 equal-width bins of the top-label confidence."""
    y = np.asarray(y)
    n = len(y)
    confidence, correct = p.max(axis=1), (p.argmax(axis=1) == y).astype(float)
    bins = np.minimum((confidence * 15).astype(int), 14)
    ece = sum(abs(correct[bins == b].sum() - confidence[bins == b].sum()) for b in range(15)) / n
    log_loss = -np.mean(np.log(np.clip(p[np.arange(n), y], 1e-15, 1)))
    return {"logLoss": round(float(log_loss), 4), "ece": round(float(ece), 4)}


def tabular(folder, meta, repeats):
    f = meta["features"]
    x = np.fromfile(f"{folder}/train_x.f64").reshape(-1, f)
    y = np.fromfile(f"{folder}/train_y.u8", dtype=np.uint8)
    xt = np.fromfile(f"{folder}/test_x.f64").reshape(-1, f)
    yt = np.fromfile(f"{folder}/test_y.u8", dtype=np.uint8)
    runs = []
    for _ in range(repeats):
        started = time.perf_counter()
        model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=200)).fit(x, y)
        runs.append(time.perf_counter() - started)
    return {
        "rows": len(y),
        "features": f,
        "totalMs": ms(statistics.median(runs)),
        "testAccuracy": round(float(model.score(xt, yt)), 4),
        **calibration(yt, model.predict_proba(xt)),
    }


def text(folder, repeats):
    with open(f"{folder}/text.jsonl", encoding="utf-8") as lines:
        rows = [json.loads(line) for line in lines]
    train = [r for r in rows if r["split"] == "train"]
    test = [r for r in rows if r["split"] == "test"]
    vocab_runs, fit_runs = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        vectorizer = TfidfVectorizer(sublinear_tf=True, min_df=2, max_features=20000, token_pattern=r"[a-z0-9]+")
        x = vectorizer.fit_transform([r["text"] for r in train])
        vectorized = time.perf_counter()
        model = LogisticRegression(max_iter=200).fit(x, [r["label"] for r in train])
        vocab_runs.append(vectorized - started)
        fit_runs.append(time.perf_counter() - vectorized)
    xt = vectorizer.transform([r["text"] for r in test])
    yt = [r["label"] for r in test]
    accuracy = model.score(xt, yt)
    totals = [a + b for a, b in zip(vocab_runs, fit_runs)]
    return {
        "documents": len(train),
        "vocabulary": len(vectorizer.vocabulary_),
        "totalMs": ms(statistics.median(totals)),
        "tokenizeAndVectorizeMs": ms(statistics.median(vocab_runs)),
        "fitMs": ms(statistics.median(fit_runs)),
        "testAccuracy": round(float(accuracy), 4),
        **calibration([list(model.classes_).index(label) for label in yt], model.predict_proba(xt)),
    }


def main():
    folder = sys.argv[1]
    with open(f"{folder}/meta.json", encoding="utf-8") as handle:
        meta = json.load(handle)
    repeats = meta["repeats"]
    print(json.dumps({"library": f"scikit-learn {sklearn.__version__}", "tabular": tabular(folder, meta, repeats), "text": text(folder, repeats)}))


main()
