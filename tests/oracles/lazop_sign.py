"""Checks signatures as they went on the wire against the official Lazada SDK's own `sign()`.

Reads a JSON list of captured requests on stdin, each
  {"secret": ..., "api": ..., "query": <raw query string>, "body": <raw form body or "">},
parses the query and the body as the platform would (nothing of ours involved), and prints a
JSON list with, for each request, the `sign` it carried, the one `lazop_sdk.sign` computes over
every other parameter, and any parameter name that appeared more than once.
"""

import json
import os
import sys
import tempfile
from urllib.parse import parse_qsl

# The SDK opens a log file under $HOME/logs when imported: keep it out of the real home.
os.environ["HOME"] = tempfile.mkdtemp(prefix="lazop-home-")
import lazop_sdk  # noqa: E402


def check(case):
    pairs = parse_qsl(case["query"], keep_blank_values=True, encoding="utf-8")
    pairs += parse_qsl(case["body"], keep_blank_values=True, encoding="utf-8")
    names = [name for name, _ in pairs]
    repeated = sorted({name for name in names if names.count(name) > 1})
    params = dict(pairs)
    sent = params.pop("sign", None)
    expected = lazop_sdk.sign(case["secret"], case["api"], params)
    return {"sent": sent, "expected": expected, "repeated": repeated}


json.dump([check(case) for case in json.load(sys.stdin)], sys.stdout)
