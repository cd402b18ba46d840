# Interpreter workload: build records, round-trip them through json, hash with sha256 (python3 is dynamic).
import hashlib
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 20000
records = [{"id": i, "name": "item-%d" % i, "tags": ["t%d" % (i % 7), "u%d" % (i % 13)],
            "score": (i * 7919) % 1000 / 10.0, "ok": i % 3 == 0} for i in range(n)]
text = json.dumps(records, sort_keys=True)
back = json.loads(text)
h = hashlib.sha256()
for r in back:
    h.update(json.dumps(r, sort_keys=True).encode())
print(len(text), sum(r["id"] for r in back), h.hexdigest())
