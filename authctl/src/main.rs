//! `authctl`: tokens, authorised requests and the sandbox from the command line.

mod cli;
mod commands;
mod demo;
mod environment;
mod failure;
mod sandbox_env;
mod store;
mod vendor_client;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Duration;

use clap::{CommandFactory, Parser};
use tracing_subscriber::EnvFilter;

use cli::{Cli, Command};
use environment::Environment;
use failure::Failure;

fn main() -> ExitCode {
    let cli = Cli::parse();
    // Failures are reported as one line by `main`; the library's own tracing shows with -v.
    let level = match cli.verbose {
        0 => "off",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .init();

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            eprintln!("authctl: cannot start the async runtime: {e}");
            return ExitCode::from(4);
        }
    };
    match runtime.block_on(run(cli)) {
        Ok(output) => {
            if !output.is_empty() {
                println!("{output}");
            }
            ExitCode::SUCCESS
        }
        Err(failure) => {
            // As `curl --fail-with-body` does: the vendor's answer is still printed.
            if let Some(body) = failure.body() {
                println!("{body}");
            }
            eprintln!("{failure}");
            failure.exit_code()
        }
    }
}

async fn run(cli: Cli) -> Result<String, Failure> {
    let http = reqwest::Client::builder()
        .connect_timeout(Duration::from_secs(5))
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| Failure::Local(format!("the HTTP client could not be built: {e}")))?;
    let where_to = vendor_client::Target {
        base_url: cli.base_url.as_deref(),
        account: cli.account.as_deref(),
    };
    let store = |env: &Environment| store::open(cli.store.as_deref(), env.get(store::KEY_VARIABLE));
    match cli.command {
        Command::Token { vendor, format } => {
            let env = Environment::load()?;
            let lookup = |name: &str| env.get(name);
            let driver = vendor_client::build(vendor, &lookup, where_to, &http, &store(&env)?)?;
            commands::token(vendor, &driver, format).await
        }
        Command::Request {
            vendor,
            method,
            target,
            data,
            headers,
        } => {
            let env = Environment::load()?;
            let lookup = |name: &str| env.get(name);
            let driver = vendor_client::build(vendor, &lookup, where_to, &http, &store(&env)?)?;
            commands::request(vendor, &driver, &method, target, data, headers).await
        }
        Command::AuthorizeUrl {
            vendor,
            redirect_uri,
            state,
            draft,
        } => {
            let env = Environment::load()?;
            commands::authorize_url(
                vendor,
                commands::Consent {
                    redirect_uri: redirect_uri.as_deref(),
                    state: state.as_deref(),
                    draft,
                },
                &|name: &str| env.get(name),
            )
        }
        Command::Demo => demo::demo(&http).await,
        Command::Status { format } => {
            let env = Environment::load()?;
            commands::status(&*store(&env)?, format).await
        }
        Command::Forget { vendor } => {
            let env = Environment::load()?;
            let lookup = |name: &str| env.get(name);
            let driver = vendor_client::build(vendor, &lookup, where_to, &http, &store(&env)?)?;
            commands::forget(vendor, &driver).await
        }
        Command::Completions { shell } => {
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "authctl", &mut script);
            String::from_utf8(script)
                .map_err(|e| Failure::Local(format!("the completion script is not text: {e}")))
        }
        Command::Man => {
            let mut page = Vec::new();
            clap_mangen::Man::new(Cli::command())
                .render(&mut page)
                .map_err(|e| Failure::Local(format!("the manual page could not be made: {e}")))?;
            String::from_utf8(page)
                .map_err(|e| Failure::Local(format!("the manual page is not text: {e}")))
        }
        Command::Sandbox {
            addr,
            token_lifetime,
        } => serve_sandbox(addr, token_lifetime).await,
    }
}

async fn serve_sandbox(
    addr: std::net::SocketAddr,
    token_lifetime: Option<u64>,
) -> Result<String, Failure> {
    use vendors::sandbox::Vendor;
    let sandbox = vendors::sandbox::Sandbox::bind(addr)
        .await
        .map_err(|e| Failure::Local(format!("the sandbox could not listen on {addr}: {e}")))?;
    if let Some(secs) = token_lifetime {
        // IceKredit's lifetime is documented, not sent: the SDK could not learn a shorter one.
        for vendor in Vendor::ALL.into_iter().filter(|v| *v != Vendor::IceKredit) {
            sandbox
                .vendor(vendor)
                .set_token_lifetime(std::time::Duration::from_secs(secs));
        }
    }
    let mut lines = String::new();
    for (name, value) in sandbox_env::variables(&sandbox) {
        lines.push_str(&format!("export {name}={value}\n"));
    }
    // Consent pages hand out codes; these save a trip through them (IOP's is Lazada's).
    for (name, code) in sandbox_env::fresh_codes(&sandbox) {
        lines.push_str(&format!("export {name}={code}\n"));
    }
    println!("{lines}");
    use std::io::Write;
    let _ = std::io::stdout().flush();
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Local(format!("waiting for Ctrl-C failed: {e}")))?;
    Ok(String::new())
}
