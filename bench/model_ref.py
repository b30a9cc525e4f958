"""Reference learners on a table, same temporal split as `accord model evaluate`.

usage: model_ref.py FILE TARGET [DROP,COLS]
Prints one line per learner: name, ROC AUC, PR AUC, fit seconds (median of 3).
Split: the first floor(0.8 n) rows train, the rest test (file order).
"""
import sys, time, statistics
import numpy as np, pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.metrics import roc_auc_score, average_precision_score
import lightgbm as lgb

path, target = sys.argv[1], sys.argv[2]
drop = [c for c in (sys.argv[3] if len(sys.argv) > 3 else "").split(",") if c]
with open(path) as f:
    head = f.readline()
sep = max([",", ";", "\t", "|"], key=head.count)
df = pd.read_csv(path, sep=sep)
yraw = df[target].astype(str).str.lower()
y = yraw.isin(["yes", "1", "true", "y", "won"]).astype(int).values
X = df.drop(columns=[target] + drop)
n = int(np.floor(0.8 * len(df)))
cats = [c for c in X.columns if not pd.api.types.is_numeric_dtype(X[c])]
nums = [c for c in X.columns if c not in cats]

def timed(fit):
    times, model = [], None
    for _ in range(3):
        t = time.perf_counter(); model = fit(); times.append(time.perf_counter() - t)
    return model, statistics.median(times)

def report(name, p, secs):
    print(f"{name}\t{roc_auc_score(y[n:], p):.4f}\t{average_precision_score(y[n:], p):.4f}\t{secs:.3f}")

# LightGBM, defaults, categorical columns as pandas categories.
Xl = X.copy()
for c in cats:
    Xl[c] = Xl[c].astype("category")
m, s = timed(lambda: lgb.LGBMClassifier(verbose=-1).fit(Xl[:n], y[:n]))
report("LightGBM (defaults)", m.predict_proba(Xl[n:])[:, 1], s)

# HistGradientBoosting, defaults, native categorical support.
Xh = X.copy()
for c in cats:
    Xh[c] = Xh[c].astype("category")
m, s = timed(lambda: HistGradientBoostingClassifier(categorical_features="from_dtype").fit(Xh[:n], y[:n]))
report("sklearn HistGradientBoosting", m.predict_proba(Xh[n:])[:, 1], s)

# LogisticRegression: one-hot categoricals, standardised numerics (missing -> train mean), defaults.
parts = [pd.get_dummies(X[c].fillna("(missing)"), prefix=c).astype(float) for c in cats]
for c in nums:
    v = X[c].astype(float)
    mu, sd = v[:n].mean(), v[:n].std() or 1.0
    parts.append(((v.fillna(mu) - mu) / sd).to_frame(c))
M = pd.concat(parts, axis=1).values
m, s = timed(lambda: LogisticRegression(max_iter=5000).fit(M[:n], y[:n]))
report("sklearn LogisticRegression", m.predict_proba(M[n:])[:, 1], s)
