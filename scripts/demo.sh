#!/usr/bin/env bash
# The main job on the bundled example: lint the notebook, then build the deployable project.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
NB=examples/churn_classifier.ipynb
echo "== productionize lint $NB"
"$BIN/productionize" lint "$NB" --fail-on error
echo "== productionize split $NB -o out/churn"
rm -rf out/churn
"$BIN/productionize" split "$NB" -o out/churn --no-verify
