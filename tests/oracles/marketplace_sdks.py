"""Runs widely used Python SDKs of the marketplaces against a local server, so the tests can set
the requests they send beside ours. Called, never copied:

* python-amazon-sp-api: its Login with Amazon client (`AccessTokenClient`), pointed at the
  local host through its own `scheme` and `host` attributes;
* pyshopee (its v2 client, `pyshopee2.Client`), pointed there through its `host` attribute.

  marketplace_sdks.py amazon|amazon-grantless|shopee-token|shopee-refresh <host:port>  < credentials.json

Prints what the SDK made of the answer, as JSON.
"""

import contextlib
import json
import sys
import types

mode, host = sys.argv[1], sys.argv[2]
given = json.load(sys.stdin)

if mode.startswith("amazon"):
    from sp_api.auth.access_token_client import AccessTokenClient

    credentials = types.SimpleNamespace(
        lwa_app_id=given["client_id"],
        lwa_client_secret=given["client_secret"],
        refresh_token=given.get("refresh_token"),
    )
    client = AccessTokenClient(refresh_token=given.get("refresh_token"), credentials=credentials)
    client.scheme = "http://"
    client.host = host
    if mode == "amazon":
        answer = client.get_auth()
    else:
        answer = client.get_grantless_auth(given["scope"])
    print(json.dumps({"access_token": answer.access_token, "expires_in": answer.expires_in}))
elif mode.startswith("shopee"):
    # pyshopee2 imports selenium for a browser helper (`get_code`) that is never called here.
    sys.modules.setdefault("selenium", types.SimpleNamespace(webdriver=None))
    import pyshopee2

    client = pyshopee2.Client(
        given["shop_id"], given["partner_id"], given["partner_key"], "https://app.example/cb",
        code=given.get("code"),
    )
    client.host = "http://" + host
    # The client prints each answer; stdout is for our JSON alone.
    with contextlib.redirect_stdout(sys.stderr):
        if mode == "shopee-token":
            access, expire_in, refresh = client.get_token()
        else:
            access, expire_in, refresh = client.get_access_token(
                given["shop_id"], given["partner_id"], given["partner_key"], given["refresh_token"])
    print(json.dumps({"access_token": access, "expire_in": expire_in, "refresh_token": refresh}))
else:
    sys.exit(f"unknown mode {mode}")
