#!/usr/bin/env python3
"""Compile time of the macro: 50 endpoints declared with #[login_endpoint] against the same 50
written by hand (the `LoginEndpoint` impls the macro would emit, spelled out with auth-core's
public `spec` items), and the clean build time of auth-macros alone.

The crates are generated here, into target/compile-bench/, never committed: once with every
endpoint used in a `Session`, as an application would (code generation counted), once with the
declarations only (the macro's own cost stands out most).
Prints one line per measurement and the ratio; `--runs N` repeats each build (median kept).
"""

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "target" / "compile-bench"
ENDPOINTS = 50


def endpoint(i: int, by_hand: bool, used: bool) -> str:
    vendor, path = f"Vendor{i}", f"/v{i}/auth/login"
    token, ttl, code = f"data.token{i}", "data.expiresIn", "code"
    use = "" if not used else f"""
pub async fn token_{i}() -> Result<std::sync::Arc<auth_core::Token>, auth_core::Error> {{
    let login = Login{i} {{ user: "u".into(), password: Secret::from("p") }};
    Session::new(login)?.token().await
}}
"""
    if not by_hand:
        return f"""
#[login_endpoint(vendor = "{vendor}", path = "{path}", base_url = "https://vendor{i}.example/api",
                 body = json, hash = md5, success("{code}" = "0000"), error_code = "{code}",
                 error_message = "msg", token_field = "{token}", scheme = "Bearer",
                 lifetime = seconds("{ttl}"))]
pub struct Login{i} {{
    pub user: String,
    #[login(hashed)]
    pub password: Secret,
}}
{use}"""
    return f"""
pub struct Login{i} {{
    pub user: String,
    pub password: Secret,
}}

impl LoginEndpoint for Login{i} {{
    const SPEC: &'static LoginSpec = &LoginSpec::new(
        "{vendor}",
        "{path}",
        FieldPath::new(&["data", "token{i}"]),
        Lifetime::Seconds(FieldPath::new(&["data", "expiresIn"])),
    )
    .base_url("https://vendor{i}.example/api")
    .method(Method::Post)
    .body(BodyEncoding::Json)
    .hash(HashAlgorithm::Md5)
    .success(&[SuccessRule::new(FieldPath::new(&["{code}"]), Expected::Str("0000"))])
    .error_code(FieldPath::new(&["{code}"]))
    .error_message(&[FieldPath::new(&["msg"])])
    .scheme(Scheme::Fixed("Bearer"));

    fn params<'a>(&'a self, out: &mut Params<'a>) {{
        Params::push::<String>(out, FieldSpec::body("user"), &self.user);
        Params::push::<Secret>(out, FieldSpec::body("password").hashed(), &self.password);
    }}
}}
{use}"""


def write_crate(name: str, by_hand: bool, used: bool) -> Path:
    crate = OUT / name
    if crate.exists():
        shutil.rmtree(crate)
    (crate / "src").mkdir(parents=True)
    (crate / "Cargo.toml").write_text(
        f"""[package]
name = "{name}"
version = "0.1.0"
edition = "2024"
publish = false

[workspace]

[dependencies]
auth-core = {{ path = "{ROOT / 'auth-core'}" }}
""")
    if by_hand:
        head = ("use auth_core::spec::{BodyEncoding, Expected, FieldPath, HashAlgorithm, Lifetime, "
                "LoginSpec, Method, Scheme, SuccessRule};\n"
                "use auth_core::{FieldSpec, LoginEndpoint, Params, Secret};\n"
                + ("use auth_core::Session;\n" if used else ""))
    else:
        head = "use auth_core::{Secret, login_endpoint};\n" + ("use auth_core::Session;\n" if used else "")
    body = "".join(endpoint(i, by_hand, used) for i in range(ENDPOINTS))
    (crate / "src" / "lib.rs").write_text("#![allow(missing_docs)]\n" + head + body)
    return crate


def timed_build(crate: Path, target: Path, package: str) -> float:
    env = dict(os.environ, CARGO_TARGET_DIR=str(target))
    subprocess.run(["cargo", "clean", "-q", "-p", package], cwd=crate, env=env, check=True)
    began = time.monotonic()
    subprocess.run(["cargo", "build", "-q"], cwd=crate, env=env, check=True)
    return time.monotonic() - began


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    runs = parser.parse_args().runs
    target = OUT / "target"
    for used, label in ((True, "used in sessions"), (False, "declarations only")):
        suffix = "" if used else "_decl"
        crates = {f"endpoints_by_{way}{suffix}": write_crate(f"endpoints_by_{way}{suffix}",
                                                             way == "hand", used)
                  for way in ("macro", "hand")}
        # Dependencies once (shared target), so that what is timed is the crate itself.
        for crate in crates.values():
            env = dict(os.environ, CARGO_TARGET_DIR=str(target))
            subprocess.run(["cargo", "build", "-q"], cwd=crate, env=env, check=True)
        results = {}
        for _ in range(runs):
            for name, crate in crates.items():  # interleaved, so drift hits both alike
                results.setdefault(name, []).append(timed_build(crate, target, name))
        for name, times in results.items():
            print(f"{label}: {name}: clean build of the crate {statistics.median(times):.2f} s "
                  f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
        by_macro, by_hand = (statistics.median(t) for t in results.values())
        print(f"{label}: ratio macro / by hand: {by_macro / by_hand:.2f}")

    # auth-macros alone, from nothing: its dependencies (syn, quote, proc-macro2) included.
    alone = OUT / "macros-alone"
    times = []
    for _ in range(runs):
        shutil.rmtree(alone, ignore_errors=True)
        env = dict(os.environ, CARGO_TARGET_DIR=str(alone))
        began = time.monotonic()
        subprocess.run(["cargo", "build", "-q", "-p", "auth-macros"], cwd=ROOT, env=env,
                       check=True)
        times.append(time.monotonic() - began)
    print(f"auth-macros clean build, with its dependencies: {statistics.median(times):.2f} s "
          f"(runs: {', '.join(f'{t:.2f}' for t in times)})")
    # The build directories take gigabytes; the generated sources stay for a look.
    shutil.rmtree(target, ignore_errors=True)
    shutil.rmtree(alone, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
