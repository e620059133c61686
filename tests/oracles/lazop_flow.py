"""The official Lazada SDK's client runs the whole token flow against a server (our sandbox).

  python lazop_flow.py TOKEN_BASE API_BASE APP_KEY APP_SECRET CODE

Exchanges CODE, makes a signed business call with the token, refreshes, then tries the spent
code and the spent refresh token again; prints each step's answer code (and the tokens' shapes)
as JSON, for the Rust test to judge.
"""

import json
import os
import sys
import tempfile

os.environ["HOME"] = tempfile.mkdtemp(prefix="lazop-home-")
import lazop_sdk  # noqa: E402
from lazop_sdk import LazopClient, LazopRequest  # noqa: E402

# Its error log resolves the machine's host name; nothing of the protocol depends on it.
lazop_sdk.base.logApiError = lambda *args: None

token_base, api_base, app_key, app_secret, code = sys.argv[1:6]
auth = LazopClient(token_base, app_key, app_secret, timeout=10)
api = LazopClient(api_base, app_key, app_secret, timeout=10)
steps = {}

create = LazopRequest("/auth/token/create")
create.add_api_param("code", code)
created = auth.execute(create).body
steps["create"] = created.get("code")
access, refresh = created.get("access_token"), created.get("refresh_token")

call = LazopRequest("/seller/get", "GET")
call.add_api_param("fields", "all")
steps["call"] = api.execute(call, access).body.get("code")

renew = LazopRequest("/auth/token/refresh")
renew.add_api_param("refresh_token", refresh)
renewed = auth.execute(renew).body
steps["refresh"] = renewed.get("code")
steps["refresh_gave_new_token"] = bool(renewed.get("access_token")) and renewed.get("access_token") != access

call_again = LazopRequest("/seller/get", "POST")
steps["call_with_refreshed"] = api.execute(call_again, renewed.get("access_token")).body.get("code")

steps["code_reused"] = auth.execute(create).body.get("code")
renew_again = LazopRequest("/auth/token/refresh")
renew_again.add_api_param("refresh_token", refresh)
steps["refresh_token_reused"] = auth.execute(renew_again).body.get("code")

json.dump(steps, sys.stdout)
