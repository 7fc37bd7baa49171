#!/usr/bin/env bash
# `pip install .` with the pip that `python3 -m venv` brings (not an upgraded one), into a
# throwaway venv, then `tidings extract` on a bundled demo page: the dependencies Tidings
# declares must be enough for extraction with that pip too (issue 11, item 12: jusText asks
# for `lxml[html_clean]`, an extra pip 23.2 leaves out, so Tidings names lxml_html_clean itself).
set -euo pipefail
cd "$(dirname "$0")/.."

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 -m venv "$tmp/venv"
echo "install check with $("$tmp/venv/bin/pip" --version | cut -d' ' -f1-2)"
"$tmp/venv/bin/pip" install --quiet --disable-pip-version-check .
page=tidings/demo/site/science/sparse-attention-cuts-training-cost.html
(cd "$tmp" && "$tmp/venv/bin/tidings" extract "$OLDPWD/$page" \
    --url http://127.0.0.1:8001/science/sparse-attention-cuts-training-cost.html) > "$tmp/record.json"
"$tmp/venv/bin/python" -c '
import json, sys
record = json.load(open(sys.argv[1]))
assert record["word_count"] >= 40, record["word_count"]
words = record["word_count"]
print(f"install check: extracted {words} words from a demo page")
' "$tmp/record.json"
