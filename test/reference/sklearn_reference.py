"""Reference numbers for ModelDesk's trainers: scikit-learn's LogisticRegression on the same rows.

How it is run (no network; tests never call python, they read the committed JSON):

    npx tsc -p tsconfig.json
    node dist/test/reference/export-demo-splits.js /tmp/modeldesk-reference
    /usr/bin/python3 test/reference/sklearn_reference.py /tmp/modeldesk-reference > test/reference/sklearn-reference.json

Produced with scikit-learn 1.2.1 and numpy 1.24 (Debian's python3-sklearn; the versions used are
written into the JSON). The rows are ModelDesk's own: the demo datasets on the seeders' train/test split
(seeders/split.ts) and two synthetic sets with known true probabilities (export-demo-splits.ts).

Representation, as ModelDesk's trainers do it:
- text: TfidfVectorizer(sublinear_tf, smooth idf, L2 rows, min_df=2, max_features=20000, token pattern
  [a-z0-9]+ on lower-cased text). scikit-learn keeps the max_features most frequent words by term
  count, ModelDesk by document count: the vocabularies differ slightly (the JSON says how many words).
- tabular: numbers standardised with the mean and (population) standard deviation of the non-missing
  training values, missing -> 0 (the mean); categories one-hot, missing -> all zeros.

Model: LogisticRegression(lbfgs, L2 on weights not intercept; multinomial for 3+ classes), tol=1e-8 and
max_iter=10000 so the numbers are those of the optimum, not of an early stop. ModelDesk's l2 is
1 / (n_train * C). "cv": C chosen on the train rows only by 5-fold stratified CV (shuffled, seed 0)
minimising log loss over GRID; the text pipeline refits the vectoriser in each fold.

Metrics on the test rows: accuracy; log loss (natural log, probabilities clipped at 1e-15); Brier as
mean over rows of sum_k (p_k - y_k)^2 (twice sklearn's binary brier_score_loss); ECE over 15
equal-width bins of the top-label confidence (bin = min(floor(conf * 15), 14)),
sum_b (n_b / n) * |accuracy_b - confidence_b|. Synthetic sets add meanAbsProbabilityError: mean over
test rows and classes of |p_model - p_true|, and "truth": the same metrics for the true probabilities.
"""
import json
import sys
import time

import numpy as np
import sklearn
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GridSearchCV, StratifiedKFold
from sklearn.pipeline import make_pipeline

GRID = [0.01, 0.03, 0.1, 0.3, 1.0, 3.0, 10.0, 30.0, 100.0, 300.0, 1000.0, 3000.0, 10000.0]
TOL = 1e-8
MAX_ITER = 10000


def metrics(y, p, p_true=None):
    n, k = p.shape
    onehot = np.zeros_like(p)
    onehot[np.arange(n), y] = 1
    top = p.argmax(axis=1)
    confidence = p.max(axis=1)
    correct = (top == y).astype(float)
    bins = np.minimum((confidence * 15).astype(int), 14)
    ece = 0.0
    for b in range(15):
        inside = bins == b
        if inside.any():
            ece += inside.sum() / n * abs(correct[inside].mean() - confidence[inside].mean())
    out = {
        "accuracy": float(correct.mean()),
        "logLoss": float(-np.mean(np.log(np.clip(p[np.arange(n), y], 1e-15, 1)))),
        "brier": float(np.mean(np.sum((p - onehot) ** 2, axis=1))),
        "ece": float(ece),
    }
    if p_true is not None:
        out["meanAbsProbabilityError"] = float(np.mean(np.abs(p - p_true)))
    return {key: round(value, 6) for key, value in out.items()}


def model(c):
    return LogisticRegression(C=c, tol=TOL, max_iter=MAX_ITER)


def cv():
    return StratifiedKFold(n_splits=5, shuffle=True, random_state=0)


def vectorizer():
    return TfidfVectorizer(sublinear_tf=True, min_df=2, max_features=20000, token_pattern=r"[a-z0-9]+")


def fit_and_score(fit, predict, y_test, p_true, n_train):
    started = time.perf_counter()
    fitted = fit()
    seconds = time.perf_counter() - started
    return fitted, seconds, metrics(y_test, predict(fitted), p_true)


def iterations(fitted):
    """lbfgs iterations of a fitted LogisticRegression (the last step of a pipeline)."""
    return int(np.max((fitted[-1] if hasattr(fitted, "steps") else fitted).n_iter_))


def report(name, n_train, n_test, extra, at_one, searched, p_true_metrics=None):
    (m1, s1, r1), (best_c, cv_scores, mc, ms, rs) = at_one, searched
    out = {
        "trainRows": n_train,
        "testRows": n_test,
        **extra,
        "c1": {"C": 1.0, "l2": 1.0 / n_train, "fitSeconds": round(s1, 3), **r1, "iterations": iterations(m1)},
        "cv": {
            "C": best_c,
            "l2": 1.0 / (n_train * best_c),
            "fitSeconds": round(ms, 3),
            **rs,
            "iterations": iterations(mc),
            "meanCvLogLoss": cv_scores,
        },
    }
    if p_true_metrics is not None:
        out["truth"] = p_true_metrics
    return out


def text(folder):
    def read(part):
        with open(f"{folder}/spam.{part}.jsonl", encoding="utf-8") as lines:
            return [json.loads(line) for line in lines]

    train, test = read("train"), read("test")
    labels = sorted({r["label"] for r in train})
    x, y = [r["text"] for r in train], np.array([labels.index(r["label"]) for r in train])
    xt, yt = [r["text"] for r in test], np.array([labels.index(r["label"]) for r in test])
    predict = lambda fitted: fitted.predict_proba(xt)  # noqa: E731
    at_one = fit_and_score(lambda: make_pipeline(vectorizer(), model(1.0)).fit(x, y), predict, yt, None, len(y))
    # GridSearchCV over the pipeline, without refitting the same fold's vectoriser once per C: the
    # vectoriser does not depend on C, so each fold's is fitted once (same numbers, 13 times fewer fits).
    started = time.perf_counter()
    fold_losses = np.zeros((5, len(GRID)))
    for fold, (inside, held) in enumerate(cv().split(x, y)):
        vec = vectorizer().fit([x[i] for i in inside])
        x_in, x_held = vec.transform([x[i] for i in inside]), vec.transform([x[i] for i in held])
        for g, c in enumerate(GRID):
            p = model(c).fit(x_in, y[inside]).predict_proba(x_held)
            fold_losses[fold, g] = -np.mean(np.log(np.clip(p[np.arange(len(held)), y[held]], 1e-15, 1)))
    search_seconds = time.perf_counter() - started
    mean_losses = fold_losses.mean(axis=0)
    best_c = float(GRID[int(np.argmin(mean_losses))])
    fitted, seconds, scores = fit_and_score(
        lambda: make_pipeline(vectorizer(), model(best_c)).fit(x, y), predict, yt, None, len(y)
    )
    cv_scores = [round(float(s), 6) for s in mean_losses]
    extra = {"labels": labels, "vocabulary": len(fitted[0].vocabulary_), "searchSeconds": round(search_seconds, 1)}
    return report("spam", len(y), len(yt), extra, at_one, (best_c, cv_scores, fitted, seconds, scores))


def encode(x_train, x, features):
    """Standardised numbers (missing -> 0) and one-hot categories (missing -> zeros), as ModelDesk."""
    columns = []
    for j, feature in enumerate(features):
        column = x[:, j]
        if feature["type"] == "number":
            known = x_train[:, j][~np.isnan(x_train[:, j])]
            mean = known.mean() if known.size else 0.0
            std = known.std() if known.size > 1 else 0.0
            std = std if std > 1e-12 else 1.0
            columns.append(np.where(np.isnan(column), 0.0, (column - mean) / std)[:, None])
        else:
            columns.append(np.stack([(column == c).astype(float) for c in range(feature["categories"])], axis=1))
    return np.hstack(columns)


def tabular(folder, name):
    with open(f"{folder}/{name}.meta.json", encoding="utf-8") as handle:
        meta = json.load(handle)
    width = len(meta["features"])
    raw = np.fromfile(f"{folder}/{name}.train_x.f64").reshape(-1, width)
    raw_test = np.fromfile(f"{folder}/{name}.test_x.f64").reshape(-1, width)
    y = np.fromfile(f"{folder}/{name}.train_y.i32", dtype=np.int32)
    yt = np.fromfile(f"{folder}/{name}.test_y.i32", dtype=np.int32)
    k = len(meta["labels"])
    p_true = np.fromfile(f"{folder}/{name}.test_p.f64").reshape(-1, k) if meta["trueProbabilities"] else None
    x, xt = encode(raw, raw, meta["features"]), encode(raw, raw_test, meta["features"])
    predict = lambda fitted: fitted.predict_proba(xt)  # noqa: E731
    at_one = fit_and_score(lambda: model(1.0).fit(x, y), predict, yt, p_true, len(y))
    search = GridSearchCV(model(1.0), {"C": GRID}, scoring="neg_log_loss", cv=cv(), n_jobs=1)
    started = time.perf_counter()
    search.fit(x, y)
    search_seconds = time.perf_counter() - started
    best_c = float(search.best_params_["C"])
    fitted, seconds, scores = fit_and_score(lambda: model(best_c).fit(x, y), predict, yt, p_true, len(y))
    cv_scores = [round(-float(s), 6) for s in search.cv_results_["mean_test_score"]]
    extra = {"labels": meta["labels"], "features": x.shape[1], "searchSeconds": round(search_seconds, 1)}
    truth = metrics(yt, p_true, p_true) if p_true is not None else None
    return report(name, len(y), len(yt), extra, at_one, (best_c, cv_scores, fitted, seconds, scores), truth)


def main():
    folder = sys.argv[1]
    only = sys.argv[2].split(",") if len(sys.argv) > 2 else ["spam", "penguins", "synthetic-softmax", "synthetic-bench"]
    result = {
        "producedBy": "test/reference/sklearn_reference.py (see its docstring for how to run it)",
        "library": f"scikit-learn {sklearn.__version__}, numpy {np.__version__}",
        "settings": {"tol": TOL, "maxIter": MAX_ITER, "cvFolds": 5, "cvMetric": "logLoss", "grid": GRID},
        "datasets": {},
    }
    for name in only:
        result["datasets"][name] = text(folder) if name == "spam" else tabular(folder, name)
        print(f"{name} done", file=sys.stderr)
    print(json.dumps(result, indent=2))


main()
