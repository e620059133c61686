"""Makes aliexpress_sync_vectors.json: IOP signatures of AliExpress gateway (`/sync`) calls,
computed with Python's own hmac, apart from any code of ours.

The published algorithm, as the vendor's IOP SDK applies it to a call named by `method`: every
parameter but `sign`, sorted by name in byte order, concatenated as name then value (raw, not
URL-encoded), with no API path before them; HMAC-SHA256 keyed with the app secret; upper-case hex.

  python3 tests/oracles/aliexpress_sync_vectors.py > tests/oracles/aliexpress_sync_vectors.json
"""

import hashlib
import hmac
import json

CASES = [
    ("iop-demo-app-secret", [
        ("app_key", "100001"),
        ("method", "aliexpress.solution.product.list.get"),
        ("session", "50000500433zEYZZ"),
        ("sign_method", "sha256"),
        ("timestamp", "1700000000000"),
    ]),
    ("helloworld", [
        ("app_key", "123456"),
        ("method", "aliexpress.ds.product.get"),
        ("product_id", "1005007234419114"),
        ("session", "test"),
        ("ship_to_country", "US"),
        ("sign_method", "sha256"),
        ("timestamp", "1517820392000"),
    ]),
    # Byte order: upper case before lower case, `_` between them; values raw, reserved
    # characters and non-ASCII included; an empty value still contributes its name.
    ("s3cret", [
        ("Z", "upper"),
        ("_under", "a&b=c"),
        ("a", "lower"),
        ("app_key", "9"),
        ("empty", ""),
        ("method", "aliexpress.logistics.redefining.getlogisticsselleraddresses"),
        ("session", "t=1+2"),
        ("sign_method", "sha256"),
        ("timestamp", "1700000000001"),
        ("title", "Ünïcødé 商品 %20"),
    ]),
    ("ключ-секрет", [
        ("app_key", "100002"),
        ("method", "aliexpress.trade.seller.orderlist.get"),
        ("param_aeop_order_query", '{"page_size":20,"current_page":1}'),
        ("session", "s"),
        ("sign_method", "sha256"),
        ("timestamp", "1700000000002"),
    ]),
]


def sign(secret, params):
    message = "".join(name + value for name, value in sorted(params, key=lambda p: p[0].encode()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest().upper()


vectors = [{"secret": s, "params": [list(p) for p in ps], "sign": sign(s, ps)} for s, ps in CASES]
print(json.dumps(vectors, ensure_ascii=False, indent=1))
