//! `authctl`: tokens, authorised requests and the sandbox from the command line.

// `println!` and `eprintln!` panic when stdout or stderr cannot be written (a full disk, a closed
// pipe): every write goes through `output`, which turns that into an exit code.
#![deny(clippy::print_stdout, clippy::print_stderr)]

mod cli;
mod commands;
mod demo;
mod environment;
mod failure;
mod keepalive;
mod output;
mod printable;
mod sandbox_env;
mod store;
mod store_trouble;
mod vendor_client;
mod window;

use std::io::IsTerminal;
use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use auth_core::store::TokenStore;
use clap::{CommandFactory, Parser};
use tracing_subscriber::filter::LevelFilter;
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{EnvFilter, Layer};

use cli::{Cli, Command};
use environment::Environment;
use failure::Failure;
use vendor_client::Codes;

fn main() -> ExitCode {
    // `Cli::parse` would exit 0 even when `--help` could not be written.
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(usage) => {
            let code = u8::try_from(usage.exit_code()).unwrap_or(2);
            return match usage.print() {
                Err(e) if !usage.use_stderr() => report(Failure::Stdout(e)),
                // A usage error that stderr did not take has nowhere left to go: its code tells.
                _ => ExitCode::from(code),
            };
        }
    };
    // Failures are reported as one line by `main`; the library's own tracing shows with -v.
    let level = match cli.verbose {
        0 => "off",
        1 => "info",
        _ => "debug",
    };
    let filter = EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(level));
    let logs = tracing_subscriber::fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal())
        .with_filter(filter);
    // A store failing mid-run is said once even when tracing is off.
    let store_trouble =
        store_trouble::StoreTrouble::new(cli.store.as_deref()).with_filter(LevelFilter::WARN);
    tracing_subscriber::registry()
        .with(logs)
        .with(store_trouble)
        .init();

    let runtime = match tokio::runtime::Runtime::new() {
        Ok(runtime) => runtime,
        Err(e) => {
            output::stderr_line(&format!("authctl: cannot start the async runtime: {e}"));
            return ExitCode::from(4);
        }
    };
    let result = runtime
        .block_on(run(cli))
        .and_then(|text| match text.is_empty() {
            true => Ok(()),
            false => output::stdout(format!("{text}\n").as_bytes()),
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => {
            // As `curl --fail-with-body` does: the vendor's answer is still printed.
            let failure = match failure.body() {
                Some(body) => match output::stdout(body) {
                    Ok(()) => failure,
                    Err(unwritten) => unwritten,
                },
                None => failure,
            };
            report(failure)
        }
    }
}

/// Says why on stderr, unless no one is reading any more; the exit code.
fn report(failure: Failure) -> ExitCode {
    if !failure.is_quiet() {
        // The message may quote a vendor or a store: nothing in it may drive the terminal.
        output::stderr_line(&printable::visible(&failure.to_string()));
    }
    failure.exit_code()
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
    let choice = cli.store.as_deref();
    let store = |env: &Environment| store::open(choice, env.get(store::KEY_VARIABLE)?);
    // A command that logs in goes on without a store that does not work, and says so once.
    let usable = async |env: &Environment| -> Result<Arc<dyn TokenStore>, Failure> {
        Ok(store::usable(store(env)?, choice).await)
    };
    match cli.command {
        Command::Token { vendor, format } => {
            let env = Environment::load();
            let lookup = |name: &str| env.get(name);
            let store = usable(&env).await?;
            let driver =
                vendor_client::build(vendor, &lookup, where_to, &http, &store, Codes::Spend)
                    .await?;
            commands::token(vendor, &driver, format).await
        }
        Command::Request {
            vendor,
            method,
            target,
            data,
            headers,
        } => {
            let env = Environment::load();
            let lookup = |name: &str| env.get(name);
            let store = usable(&env).await?;
            let driver =
                vendor_client::build(vendor, &lookup, where_to, &http, &store, Codes::Spend)
                    .await?;
            commands::request(vendor, &driver, &method, target, data, headers).await
        }
        Command::AuthorizeUrl {
            vendor,
            redirect_uri,
            state,
            draft,
        } => {
            let env = Environment::load();
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
        Command::Status { format, expiring } => {
            let env = Environment::load();
            commands::status(&*store(&env)?, format, expiring).await
        }
        Command::Keepalive {
            within,
            vendor,
            concurrency,
            spread,
        } => {
            let env = Environment::load();
            let lookup = |name: &str| env.get(name);
            let store = store(&env)?;
            let mut plan = auth_core::KeepAlive::within(within).concurrency(concurrency);
            if let Some(spread) = spread {
                plan = plan.spread(spread);
            }
            let (summary, failed) =
                keepalive::keepalive(vendor, &lookup, &http, &store, &plan).await?;
            if failed {
                output::stdout(format!("{summary}\n").as_bytes())?;
                return Err(Failure::Local(
                    "keepalive: some sellers could not be refreshed (listed above); run it again"
                        .into(),
                ));
            }
            Ok(summary)
        }
        Command::Forget { vendor } => {
            let env = Environment::load();
            let lookup = |name: &str| env.get(name);
            let store = store(&env)?;
            let driver =
                vendor_client::build(vendor, &lookup, where_to, &http, &store, Codes::Keep).await?;
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
    // Consent pages hand out codes; these save a trip through them (IOP's is Lazada's).
    let mut variables = sandbox_env::variables(&sandbox);
    variables.extend(sandbox_env::fresh_codes(&sandbox));
    // Then a blank line: the end of the variables for a reader of the pipe.
    let lines = sandbox_env::export_lines(&variables) + "\n";
    output::stdout(lines.as_bytes())?;
    tokio::signal::ctrl_c()
        .await
        .map_err(|e| Failure::Local(format!("waiting for Ctrl-C failed: {e}")))?;
    Ok(String::new())
}
