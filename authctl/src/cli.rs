//! The command line, as clap parses it.

use std::net::SocketAddr;

use clap::{Parser, Subcommand, ValueEnum};

/// Get tokens from seller and merchant APIs, make authorised requests, run the local sandbox.
///
/// Credentials come from the environment, never from arguments (arguments are visible in `ps`);
/// each variable may instead be given as `NAME_FILE`, the path of a file holding it (Docker and
/// Kubernetes secrets), its trailing newlines trimmed: a regular file of at most 64 KiB, read
/// only when the command needs that variable.
#[derive(Debug, Parser)]
#[command(name = "authctl", version, about)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
    /// Base URL of the vendor, instead of `<VENDOR>_BASE_URL` or the documented default.
    #[arg(long, global = true, value_name = "URL")]
    pub base_url: Option<String>,
    /// Where tokens are kept between runs and shared between processes: `memory`, `file:PATH`,
    /// `redis://...` / `rediss://...`, or `redis-cluster:` with the comma-separated URLs of some
    /// of a Redis Cluster's nodes. Default: a per-user directory in the cache directory
    /// (`~/.cache/seller-auth`), files mode 0600. `SELLER_AUTH_STORE_KEY` (64 hex digits)
    /// encrypts what is stored.
    #[arg(long, global = true, value_name = "STORE")]
    pub store: Option<String>,
    /// The account (seller) whose tokens to use, as the vendor names it (an IOP `seller_id`),
    /// instead of `<VENDOR>_ACCOUNT`: one app's sellers then keep separate tokens, and a code
    /// another seller approved is refused.
    #[arg(long, global = true, value_name = "ACCOUNT")]
    pub account: Option<String>,
    /// More logging on stderr (-v: info, -vv: debug); `RUST_LOG` takes precedence.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Log in and print the token.
    Token {
        /// The vendor.
        vendor: VendorArg,
        /// What to print.
        #[arg(long, value_enum, default_value_t = Format::Token)]
        format: Format,
    },
    /// Make an authorised request and print the response body.
    Request {
        /// The vendor.
        vendor: VendorArg,
        /// The HTTP method.
        method: String,
        /// A path under the vendor's API base URL, or a full URL.
        target: String,
        /// The request body: form pairs (`a=1&b=2`) for IOP vendors, JSON or text otherwise.
        #[arg(long)]
        data: Option<String>,
        /// An extra header, `Name: value`; repeatable.
        #[arg(long = "header", short = 'H')]
        headers: Vec<String>,
    },
    /// Run the sandbox in the foreground and print the variables to use it.
    Sandbox {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:0")]
        addr: SocketAddr,
        /// How many seconds issued tokens live, to watch renewals (default: each vendor's own;
        /// IceKredit's sliding 20 minutes are kept).
        #[arg(long, value_name = "SECONDS")]
        token_lifetime: Option<u64>,
    },
    /// Start the sandbox and show every vendor logging in, calling, reusing and renewing.
    Demo,
    /// Print the seller consent URL of a vendor that has one.
    AuthorizeUrl {
        /// `lazada`, `aliexpress`, `amazon`, `ebay`, `shopee`, `tiktok` or `mercadolibre`.
        vendor: ConsentVendorArg,
        /// Where the seller is sent back with `?code=...` (eBay: the app's RuName); TikTok Shop
        /// sends the seller to the address registered for the app instead.
        #[arg(long)]
        redirect_uri: Option<String>,
        /// Amazon, TikTok Shop and Mercado Libre: the `state` returned with the code.
        #[arg(long)]
        state: Option<String>,
        /// Amazon: the app is still a draft (`version=beta`).
        #[arg(long)]
        draft: bool,
    },
    /// List what the token store holds: vendor, account, expiry, refresh token and when it
    /// expires, when stored. Never a token.
    Status {
        /// How to print the list.
        #[arg(long, value_enum, default_value_t = ListFormat::Text)]
        format: ListFormat,
        /// Only the entries whose refresh token dies within this window (`7d`, `12h`, `1h30m`),
        /// or has died: the sellers at risk. An entry whose refresh expiry is unknown is not
        /// listed.
        #[arg(long, value_name = "WINDOW", value_parser = crate::window::parse)]
        expiring: Option<std::time::Duration>,
    },
    /// Refresh every stored seller whose refresh token dies within a window, so that idle
    /// sellers are not lost (run it from cron): each under its lease, spread over time, a few at
    /// once. Prints what it did; exits 0 unless a seller's refresh failed (sellers that must
    /// approve the app again are listed, not failures).
    Keepalive {
        /// Refresh the sellers whose refresh token dies within this window (`7d`, `12h`).
        #[arg(long, value_name = "WINDOW", value_parser = crate::window::parse)]
        within: std::time::Duration,
        /// Only this vendor's sellers (default: every code-exchange vendor the store holds).
        #[arg(long, value_enum)]
        vendor: Option<ConsentVendorArg>,
        /// At most this many refreshes at once.
        #[arg(long, default_value_t = 8)]
        concurrency: usize,
        /// Start the refreshes evenly over this long (`10m`), for a steady rate at the vendor.
        #[arg(long, value_name = "DURATION", value_parser = crate::window::parse)]
        spread: Option<std::time::Duration>,
    },
    /// Remove a vendor's entry from the token store (after a password change, or to force a
    /// fresh login). The entry is found with the same variables `token` uses; nothing else is
    /// touched.
    Forget {
        /// The vendor.
        vendor: VendorArg,
    },
    /// Print a completion script for a shell (e.g. `authctl completions bash >
    /// /etc/bash_completion.d/authctl`).
    Completions {
        /// The shell.
        shell: clap_complete::Shell,
    },
    /// Print the manual page (roff), e.g. `authctl man | man -l -`.
    Man,
}

/// The vendors, by the names of their modules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum VendorArg {
    Igv,
    Wahool,
    Lazada,
    Aliexpress,
    Icekredit,
    Yz365,
    Amazon,
    Ebay,
    Walmart,
    Tiktok,
    Shopee,
    Mercadolibre,
}

/// The vendors with a consent page whose address authctl can make.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ConsentVendorArg {
    Lazada,
    Aliexpress,
    Ebay,
    Shopee,
    Tiktok,
    Mercadolibre,
    Amazon,
}

/// How `status` prints the list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ListFormat {
    /// A table.
    Text,
    /// A JSON array, one object per entry.
    Json,
}

/// How `token` prints the token.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// The bare token.
    Token,
    /// The one line a later request carries: `Name: value`, or `name=value` for a parameter.
    Header,
    /// Token, expiry and vendor as JSON.
    Json,
}
