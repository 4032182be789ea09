#!/usr/bin/env bash
# The main job on the bundled example: lint the notebook, build the deployable project
# (lint -> split + verify -> service -> first model), then start its service and ask it once.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
NB=examples/churn_classifier.ipynb
OUT=out/churn_classifier
echo "== productionize lint $NB"
"$BIN/productionize" lint "$NB" --fail-on error
echo "== productionize build $NB -o $OUT"
rm -rf "$OUT"
"$BIN/productionize" build "$NB" -o "$OUT"
if [ ! -f "$OUT/models/CURRENT" ]; then
  echo "(no model trained: set PRODUCTIONIZE_GENERATED_PYTHON to try the service)"
  exit 0
fi
PORT=$("$BIN/python" -c "import socket; s=socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])")
echo "== productionize serve $OUT --port $PORT (then one /predict request)"
"$BIN/productionize" serve "$OUT" --port "$PORT" >"$OUT/serve.log" 2>&1 &
SERVER=$!
trap 'kill $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT
"$BIN/python" - "$PORT" <<'PY'
import json, sys, time, urllib.request

base = f"http://127.0.0.1:{sys.argv[1]}"
for _ in range(300):  # up to ~60 s for the server to come up
    try:
        urllib.request.urlopen(base + "/health", timeout=1)
        break
    except OSError:
        time.sleep(0.2)
example = json.load(urllib.request.urlopen(base + "/schema"))["example"]
request = urllib.request.Request(
    base + "/predict", json.dumps(example).encode(), {"Content-Type": "application/json"}
)
print("POST /predict", json.dumps(example))
print("->", urllib.request.urlopen(request).read().decode())
PY
