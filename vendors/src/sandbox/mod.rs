//! A local server that behaves as each vendor documents: for our tests, your tests and demos.
//!
//! It keeps state (accounts, issued tokens, expiry) and enforces the vendors' rules; tests
//! shorten lifetimes, queue faults and read counters through it.
//!
//! ```
//! use auth_core::{Secret, Session};
//! use vendors::igv::IgvLogin;
//! use vendors::sandbox::{igv, Sandbox, Vendor};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let sandbox = Sandbox::start().await?;
//! let login = IgvLogin::new(igv::DEMO_EMAIL, Secret::from(igv::DEMO_PASSWORD));
//! let session = Session::builder(login).base_url(sandbox.base_url(Vendor::Igv)).build()?;
//! let token = session.token().await?;
//! assert_eq!(sandbox.igv().login_count(), 1);
//! # Ok(()) }
//! ```

mod faults;
pub mod icekredit;
pub mod igv;
pub mod iop;
mod iop_signature;
mod reply;
mod state;
mod time;
mod token;
pub mod wahool;
pub mod yz365;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::Fault;
pub use iop::IopSandbox;
pub use state::VendorState;

/// The vendors the sandbox simulates.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// iGV seller API.
    Igv,
    /// Wahool Open API.
    Wahool,
    /// Lazada (IOP).
    Lazada,
    /// AliExpress (IOP).
    AliExpress,
    /// IceKredit (its login domain; see [`Sandbox::icekredit_service_url`]).
    IceKredit,
    /// yz365 (tongueai).
    Yz365,
}

impl Vendor {
    /// Every vendor, in the order of the seed documents.
    pub const ALL: [Vendor; 6] = [
        Vendor::Igv,
        Vendor::Wahool,
        Vendor::Lazada,
        Vendor::AliExpress,
        Vendor::IceKredit,
        Vendor::Yz365,
    ];

    /// The name users type (module names, CLI arguments).
    pub fn name(self) -> &'static str {
        match self {
            Vendor::Igv => "igv",
            Vendor::Wahool => "wahool",
            Vendor::Lazada => "lazada",
            Vendor::AliExpress => "aliexpress",
            Vendor::IceKredit => "icekredit",
            Vendor::Yz365 => "yz365",
        }
    }

    fn prefix(self) -> &'static str {
        match self {
            Vendor::Igv => igv::PREFIX,
            Vendor::Wahool => wahool::PREFIX,
            Vendor::Lazada => "/lazada",
            Vendor::AliExpress => "/aliexpress",
            Vendor::IceKredit => icekredit::LOGIN_PREFIX,
            Vendor::Yz365 => yz365::PREFIX,
        }
    }
}

/// A running sandbox. It stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    igv: Arc<VendorState>,
    wahool: Arc<VendorState>,
    lazada: Arc<IopSandbox>,
    aliexpress: Arc<IopSandbox>,
    icekredit: Arc<VendorState>,
    yz365: Arc<VendorState>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
}

impl std::fmt::Debug for Sandbox {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sandbox")
            .field("addr", &self.addr)
            .finish_non_exhaustive()
    }
}

impl Sandbox {
    /// Starts on a free loopback port.
    pub async fn start() -> io::Result<Sandbox> {
        Sandbox::bind(SocketAddr::from(([127, 0, 0, 1], 0))).await
    }

    /// Starts on `addr`.
    pub async fn bind(addr: SocketAddr) -> io::Result<Sandbox> {
        let listener = TcpListener::bind(addr).await?;
        let addr = listener.local_addr()?;
        let igv = Arc::new(igv::state());
        let wahool = Arc::new(wahool::state());
        let lazada = Arc::new(IopSandbox::new(false));
        let aliexpress = Arc::new(IopSandbox::new(true));
        let icekredit = Arc::new(icekredit::state());
        let yz365 = Arc::new(yz365::state());
        let router = Router::new()
            .nest(Vendor::Igv.prefix(), igv::router(Arc::clone(&igv)))
            .nest(Vendor::Wahool.prefix(), wahool::router(Arc::clone(&wahool)))
            .nest(Vendor::Lazada.prefix(), iop::router(Arc::clone(&lazada)))
            .nest(
                Vendor::AliExpress.prefix(),
                iop::router(Arc::clone(&aliexpress)),
            )
            .nest(
                icekredit::LOGIN_PREFIX,
                icekredit::login_router(Arc::clone(&icekredit)),
            )
            .nest(
                icekredit::SERVICE_PREFIX,
                icekredit::service_router(Arc::clone(&icekredit)),
            )
            .nest(Vendor::Yz365.prefix(), yz365::router(Arc::clone(&yz365)));
        let (shutdown, stopped) = oneshot::channel::<()>();
        let task = tokio::spawn(async move {
            let serving = axum::serve(listener, router).with_graceful_shutdown(async {
                let _ = stopped.await;
            });
            if let Err(err) = serving.await {
                tracing::warn!(error = %err, "sandbox server stopped");
            }
        });
        Ok(Sandbox {
            addr,
            igv,
            wahool,
            lazada,
            aliexpress,
            icekredit,
            yz365,
            shutdown: Some(shutdown),
            task,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a session for `vendor`, in place of the vendor's production URL
    /// (for IOP vendors, the token base URL; business calls go to [`Sandbox::api_url`]).
    pub fn base_url(&self, vendor: Vendor) -> String {
        match vendor {
            Vendor::Lazada | Vendor::AliExpress => {
                format!("http://{}{}/rest", self.addr, vendor.prefix())
            }
            _ => format!("http://{}{}", self.addr, vendor.prefix()),
        }
    }

    /// The business-call base URL of `vendor`, in place of its production one: Lazada's `/rest`,
    /// AliExpress's gateway `/sync` (beside `/rest`, as at the vendor), IceKredit's service
    /// domain, and the login base URL of the others.
    pub fn api_url(&self, vendor: Vendor) -> String {
        match vendor {
            Vendor::AliExpress => format!("http://{}{}/sync", self.addr, vendor.prefix()),
            Vendor::IceKredit => self.icekredit_service_url(),
            _ => self.base_url(vendor),
        }
    }

    /// IceKredit's service domain (its login domain is `base_url(Vendor::IceKredit)`).
    pub fn icekredit_service_url(&self) -> String {
        format!("http://{}{}", self.addr, icekredit::SERVICE_PREFIX)
    }

    /// The seller consent page of an IOP vendor (`None` for the others).
    pub fn authorize_url(&self, vendor: Vendor) -> Option<String> {
        matches!(vendor, Vendor::Lazada | Vendor::AliExpress)
            .then(|| format!("http://{}{}/oauth/authorize", self.addr, vendor.prefix()))
    }

    /// The state and test controls of `vendor`: accounts, lifetimes, faults, counters.
    pub fn vendor(&self, vendor: Vendor) -> &VendorState {
        match vendor {
            Vendor::Igv => &self.igv,
            Vendor::Wahool => &self.wahool,
            Vendor::Lazada => self.lazada.state(),
            Vendor::AliExpress => self.aliexpress.state(),
            Vendor::IceKredit => &self.icekredit,
            Vendor::Yz365 => &self.yz365,
        }
    }

    /// The simulated iGV.
    pub fn igv(&self) -> &VendorState {
        &self.igv
    }

    /// The simulated Lazada, with its codes and refresh tokens.
    pub fn lazada(&self) -> &IopSandbox {
        &self.lazada
    }

    /// The simulated AliExpress, with its codes and refresh tokens.
    pub fn aliexpress(&self) -> &IopSandbox {
        &self.aliexpress
    }
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        self.task.abort();
    }
}
