"""Did every create operation get a 2xx in the run? (scripts/schemathesis.sh)

    python3 schemathesis_creates.py OPENAPI.json REPORT.har

A create operation is one whose documented success is 201. The answers are read from
schemathesis's own HAR report (every request of every phase). One line per create
operation; exit 1 naming those that never got a 2xx.
"""

import json
import re
import sys
from collections import Counter
from urllib.parse import urlsplit


def creates(document):
    base = urlsplit(document["servers"][0]["url"]).path.rstrip("/")
    for path, item in document["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "201" in op.get("responses", {}):
                pattern = re.escape(base + path).replace(r"\{", "{").replace(r"\}", "}")
                pattern = re.sub(r"\{[^}]+\}", "[^/]+", pattern)
                yield method.upper(), path, op["operationId"], re.compile(f"^{pattern}$")


def main(document_path, har_path):
    with open(document_path) as f:
        document = json.load(f)
    with open(har_path) as f:
        entries = json.load(f)["log"]["entries"]
    ops = list(creates(document))
    if not ops:
        print("schemathesis: the document has no create operation (201)", file=sys.stderr)
        return 1
    statuses = {op_id: Counter() for _, _, op_id, _ in ops}
    for entry in entries:
        method = entry["request"]["method"].upper()
        path = urlsplit(entry["request"]["url"]).path
        for op_method, _, op_id, pattern in ops:
            if method == op_method and pattern.match(path):
                statuses[op_id][entry["response"]["status"] // 100] += 1
                break
    missing = []
    for method, path, op_id, _ in ops:
        seen = statuses[op_id]
        total = sum(seen.values())
        classes = ", ".join(f"{seen[c]} {c}xx" for c in sorted(seen))
        ok = seen[2] > 0
        print(f"schemathesis: create {method} {path}: {'ok' if ok else 'NO 2xx'} ({total} requests: {classes or 'none'})")
        if not ok:
            missing.append(f"{method} {path}")
    if missing:
        print(f"schemathesis: never answered 2xx in this run: {', '.join(missing)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
