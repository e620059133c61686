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
pub mod igv;
mod time;
mod token;

use std::io;
use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

pub use faults::Fault;
pub use igv::IgvSandbox;

/// The vendors the sandbox simulates.
#[non_exhaustive]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Vendor {
    /// iGV seller API.
    Igv,
}

/// A running sandbox. It stops when dropped.
pub struct Sandbox {
    addr: SocketAddr,
    igv: Arc<IgvSandbox>,
    shutdown: Option<oneshot::Sender<()>>,
    task: JoinHandle<()>,
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
        let igv = Arc::new(IgvSandbox::default());
        let router = Router::new().nest(igv::PREFIX, igv.router());
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
            shutdown: Some(shutdown),
            task,
        })
    }

    /// The address it listens on.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// The base URL to give a session for `vendor`, in place of the vendor's production URL.
    pub fn base_url(&self, vendor: Vendor) -> String {
        match vendor {
            Vendor::Igv => format!("http://{}{}", self.addr, igv::PREFIX),
        }
    }

    /// The simulated iGV.
    pub fn igv(&self) -> &IgvSandbox {
        &self.igv
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
