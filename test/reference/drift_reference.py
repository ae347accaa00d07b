"""Reference drift statistics for ModelDesk's drift report, computed independently with numpy and scipy.

How it is run (no network; tests never call python, they read the committed JSON):

    npx tsc -p tsconfig.json
    node dist/test/reference/drift-demo-rows.js > /tmp/drift-rows.json
    /usr/bin/python3 test/reference/drift_reference.py /tmp/drift-rows.json > test/reference/drift-reference.json
    npx prettier --write test/reference/drift-reference.json   # CI checks the format; the numbers are unchanged

Produced with numpy 2.4.6 and scipy 1.17.1 (/usr/bin/python3 here; the versions are written into the JSON).

Rows: the penguins demo dataset (seeders/penguins.ts) on its seeded split. Reference = the labelled train
rows (what a version trained on all of them learned from); live = the test rows, with the predicted label
given by the fixed rule in drift-demo-rows.ts (the test writes it as the version's predictions).

Definitions (docs/drift.md):
- numeric feature: missing values (null) left out of both sides. Bin edges = np.quantile(reference,
  [0.1 .. 0.9]) (numpy's default linear interpolation = Postgres percentile_cont), duplicates removed;
  bin of x = np.searchsorted(edges, x, side="right") (= Postgres width_bucket). PSI = sum over bins of
  (l - r) * ln(l / r) with r, l the shares of each side, each floored at 1e-4. KS =
  scipy.stats.ks_2samp(reference, live).statistic.
- category feature: shares among non-missing values; PSI over the categories seen on either side, same floor.
- predicted labels: reference = the shares of the training labels, live = the shares of the predicted
  labels; PSI as above.
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats

EPS = 1e-4
QUANTILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]


def psi(ref_counts, live_counts):
    r = np.maximum(np.asarray(ref_counts, float) / np.sum(ref_counts), EPS)
    l = np.maximum(np.asarray(live_counts, float) / np.sum(live_counts), EPS)
    return float(np.sum((l - r) * np.log(l / r)))


def numeric(ref, live):
    ref = np.array([x for x in ref if x is not None], float)
    live = np.array([x for x in live if x is not None], float)
    edges = np.unique(np.quantile(ref, QUANTILES))
    bins = len(edges) + 1
    rc = np.bincount(np.searchsorted(edges, ref, side="right"), minlength=bins)
    lc = np.bincount(np.searchsorted(edges, live, side="right"), minlength=bins)
    return {
        "kind": "number",
        "referenceValues": int(ref.size),
        "liveValues": int(live.size),
        "edges": edges.tolist(),
        "psi": psi(rc, lc),
        "ks": float(stats.ks_2samp(ref, live).statistic),
    }


def shares(ref, live):
    ref = [x for x in ref if x is not None]
    live = [x for x in live if x is not None]
    values = sorted(set(ref) | set(live))
    rc = [ref.count(v) for v in values]
    lc = [live.count(v) for v in values]
    return {
        "psi": psi(rc, lc),
        "shares": {v: {"reference": rc[i] / len(ref), "live": lc[i] / len(live)} for i, v in enumerate(values)},
    }


def main(path):
    rows = json.load(open(path))
    out = {
        "produced": {"numpy": np.__version__, "scipy": scipy.__version__, "rows": path.split("/")[-1]},
        "referenceRecords": len(rows["reference"]),
        "liveRecords": len(rows["live"]),
        "features": {},
    }
    for spec in rows["schema"]:
        name = spec["name"]
        ref = [r["features"].get(name) for r in rows["reference"]]
        live = [r["features"].get(name) for r in rows["live"]]
        if spec["type"] == "number":
            out["features"][name] = numeric(ref, live)
        else:
            out["features"][name] = {"kind": "category", **shares(ref, live)}
    out["predictedLabels"] = shares([r["label"] for r in rows["reference"]], [r["predicted"] for r in rows["live"]])
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    print()


if __name__ == "__main__":
    main(sys.argv[1])
