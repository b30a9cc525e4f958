#!/usr/bin/env bash
# accord's learner against LightGBM, HistGradientBoosting and LogisticRegression
# on the same tables and the same temporal split (first 80 % of rows train).
#
#   bench/model.sh [KIT_DB]
#
# Bank Marketing (shared/data/bank-marketing, its README's protocol: drop
# `duration`); with KIT_DB (a database imported from the kit, an agreement
# adopted), also the kit's leads: `accord model train --export-features`
# writes the feature table, every learner reads that same table.
# Needs: a release build of accord (cargo build --release), python3 with
# lightgbm, scikit-learn and pandas (PYTHON=/path/to/python, default python3).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
accord=${ACCORD:-$root/target/release/accord}
python=${PYTHON:-python3}
bank=${BANK:-$root/../shared/data/bank-marketing/bank-full.csv}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

median() { sort -g | sed -n 2p; }

accord_row() { # FILE TARGET [DROP]
    local drop=() t=()
    [ -n "${3:-}" ] && drop=(--drop "$3")
    for _ in 1 2 3; do
        "$accord" model evaluate --table "$1" --target "$2" "${drop[@]}" --json >"$work/e.json"
        t+=("$("$python" -c 'import json,sys; print(json.load(open(sys.argv[1]))["training"])' "$work/e.json")")
    done
    "$python" - "$work/e.json" "$(printf '%s\n' "${t[@]}" | median)" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
print(f"accord (logistic, λ={e['lambda']})\t{e['test']['roc_auc']:.4f}\t{e['test']['pr_auc']:.4f}\t{float(sys.argv[2]):.3f}")
PY
}

table() { # TITLE FILE TARGET [DROP]
    echo
    echo "## $1"
    printf 'learner\tROC AUC\tPR AUC\tfit s (median of 3)\n'
    accord_row "$2" "$3" "${4:-}"
    "$python" "$here/model_ref.py" "$2" "$3" "${4:-}"
}

echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(nproc) cores"
table "Bank Marketing, temporal 80/20, duration dropped" "$bank" y duration

if [ -n "${1:-}" ]; then
    cp "$1" "$work/kit.db"
    "$accord" model train --db "$work/kit.db" --export-features "$work/kit.csv" >"$work/train.txt"
    table "Kit leads ($(basename "$1")): reached opportunity within 90 days, features at day 7" "$work/kit.csv" reached
    echo
    echo "## accord's stored model against the agreement's rule score (same test leads)"
    "$accord" model evaluate --db "$work/kit.db" | sed -n 2,5p
fi
