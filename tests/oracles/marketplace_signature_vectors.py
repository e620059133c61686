"""Makes marketplace_signature_vectors.json: Shopee and TikTok Shop request signatures and HTTP
Basic headers, computed with Python's own hmac and base64, apart from any code of ours.

The algorithms, as the vendors document them (../shared/MARKETPLACES.md §3, §4):

* Shopee v2: lower-case hex HMAC-SHA256 keyed by the partner key (UTF-8), over
  partner_id + api_path + timestamp, then access_token + shop_id (or merchant_id) for calls
  made with a token. The body is not signed.
* TikTok Shop (202309+): every query parameter but `sign` and `access_token`, sorted by name in
  byte order, concatenated as name then value; the API path before them and the exact body
  bytes after; wrapped in the app secret on both sides; lower-case hex HMAC-SHA256 keyed by the
  app secret.
* HTTP Basic (RFC 7617): "Basic " + base64(user ":" password).

  python3 tests/oracles/marketplace_signature_vectors.py > tests/oracles/marketplace_signature_vectors.json
"""

import base64
import hashlib
import hmac
import json


def hex_hmac(key, message):
    return hmac.new(key.encode(), message.encode(), hashlib.sha256).hexdigest()


SHOPEE = [
    # key, partner_id, path, timestamp, access_token, account
    ("test_partner_key", "2001887", "/api/v2/auth/token/get", "1655714431", None, None),
    ("test_partner_key", "2001887", "/api/v2/shop/get_shop_info", "1655714431",
     "59777174636562737266615546704c6d", "14701711"),
    ("shpk4d6e6f57504d6c6a4f6f7a", "1000016", "/api/v2/auth/access_token/get", "1700000000",
     None, None),
    ("clé-ünïcødé", "7", "/api/v2/order/get_order_list", "1700000001", "tok", "99"),
]

TIKTOK = [
    # secret, path, params (in the order given), body
    ("e59af819cc", "/authorization/202309/shops",
     [("app_key", "29a39d"), ("timestamp", "1623812664")], ""),
    ("e59af819cc", "/event/202309/webhooks",
     [("timestamp", "1696909648"), ("app_key", "68xu9ks5p4i8"),
      ("shop_cipher", "ROW_xkMbgAAAeVAQra0eZWebFQq5aIK")],
     '{"address":"https://partner.tiktokshop.com","event_type":"PACKAGE_UPDATE"}'),
    # `sign` and `access_token` are left out; byte order puts upper case first.
    ("s3cret", "/order/202309/orders/search",
     [("page_size", "20"), ("access_token", "TTP_x"), ("sign", "old"), ("Z", "1"),
      ("app_key", "k"), ("timestamp", "1700000000")],
     '{"order_status":"UNPAID","note":"ünïcødé 商品"}'),
]

BASIC = [
    ("my-client-id", "my-client-secret"),
    ("amzn1.application-oa2-client.1", "p@ss:w0rd/with+symbols"),
]

vectors = {
    "shopee": [
        {
            "key": key, "partner_id": partner, "path": path, "timestamp": ts,
            "access_token": token, "account": account,
            "sign": hex_hmac(key, partner + path + ts + (token or "") + (account or "")),
        }
        for key, partner, path, ts, token, account in SHOPEE
    ],
    "tiktok": [
        {
            "secret": secret, "path": path, "params": params, "body": body,
            "sign": hex_hmac(secret, secret + path + "".join(
                name + value for name, value in sorted(
                    (p for p in params if p[0] not in ("sign", "access_token")),
                    key=lambda p: p[0].encode()))
                + body + secret),
        }
        for secret, path, params, body in TIKTOK
    ],
    "basic": [
        {"user": user, "password": password,
         "header": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}
        for user, password in BASIC
    ],
}
print(json.dumps(vectors, indent=1, ensure_ascii=False))
