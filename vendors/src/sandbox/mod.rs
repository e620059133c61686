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

pub mod amazon;
pub mod ebay;
mod faults;
pub mod icekredit;
pub mod igv;
pub mod iop;
mod iop_signature;
mod ledger;
mod marketplace;
pub mod mercadolibre;
mod oauth;
mod reply;
pub mod shopee;
mod state;
pub mod tiktok;
mod time;
mod token;
pub mod wahool;
pub mod walmart;
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
pub use ledger::Ledger;
pub use marketplace::MarketplaceSandbox;
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
    /// Amazon SP-API (Login with Amazon).
    Amazon,
    /// eBay.
    Ebay,
    /// Walmart Marketplace.
    Walmart,
    /// TikTok Shop.
    Tiktok,
    /// Shopee Open Platform.
    Shopee,
    /// Mercado Libre.
    MercadoLibre,
}

impl Vendor {
    /// The seed vendors, in the order of the seed documents.
    pub const SEEDS: [Vendor; 6] = [
        Vendor::Igv,
        Vendor::Wahool,
        Vendor::Lazada,
        Vendor::AliExpress,
        Vendor::IceKredit,
        Vendor::Yz365,
    ];

    /// The marketplaces beyond the seeds.
    pub const MARKETPLACES: [Vendor; 6] = [
        Vendor::Amazon,
        Vendor::Ebay,
        Vendor::Walmart,
        Vendor::Tiktok,
        Vendor::Shopee,
        Vendor::MercadoLibre,
    ];

    /// Every vendor: the seeds, then the marketplaces.
    pub const ALL: [Vendor; 12] = [
        Vendor::Igv,
        Vendor::Wahool,
        Vendor::Lazada,
        Vendor::AliExpress,
        Vendor::IceKredit,
        Vendor::Yz365,
        Vendor::Amazon,
        Vendor::Ebay,
        Vendor::Walmart,
        Vendor::Tiktok,
        Vendor::Shopee,
        Vendor::MercadoLibre,
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
            Vendor::Amazon => "amazon",
            Vendor::Ebay => "ebay",
            Vendor::Walmart => "walmart",
            Vendor::Tiktok => "tiktok",
            Vendor::Shopee => "shopee",
            Vendor::MercadoLibre => "mercadolibre",
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
            Vendor::Amazon => amazon::PREFIX,
            Vendor::Ebay => ebay::PREFIX,
            Vendor::Walmart => walmart::PREFIX,
            Vendor::Tiktok => tiktok::PREFIX,
            Vendor::Shopee => shopee::PREFIX,
            Vendor::MercadoLibre => mercadolibre::PREFIX,
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
    amazon: Arc<MarketplaceSandbox>,
    ebay: Arc<MarketplaceSandbox>,
    walmart: Arc<MarketplaceSandbox>,
    tiktok: Arc<MarketplaceSandbox>,
    shopee: Arc<MarketplaceSandbox>,
    mercadolibre: Arc<MarketplaceSandbox>,
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
        let amazon = Arc::new(amazon::sandbox());
        let ebay = Arc::new(ebay::sandbox());
        let walmart = Arc::new(walmart::sandbox());
        let tiktok = Arc::new(tiktok::sandbox());
        let shopee = Arc::new(shopee::sandbox());
        let mercadolibre = Arc::new(mercadolibre::sandbox());
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
            .nest(Vendor::Yz365.prefix(), yz365::router(Arc::clone(&yz365)))
            .nest(Vendor::Amazon.prefix(), amazon::router(Arc::clone(&amazon)))
            .nest(Vendor::Ebay.prefix(), ebay::router(Arc::clone(&ebay)))
            .nest(
                Vendor::Walmart.prefix(),
                walmart::router(Arc::clone(&walmart)),
            )
            .nest(Vendor::Tiktok.prefix(), tiktok::router(Arc::clone(&tiktok)))
            .nest(Vendor::Shopee.prefix(), shopee::router(Arc::clone(&shopee)))
            .nest(
                Vendor::MercadoLibre.prefix(),
                mercadolibre::router(Arc::clone(&mercadolibre)),
            );
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
            amazon,
            ebay,
            walmart,
            tiktok,
            shopee,
            mercadolibre,
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
            Vendor::Amazon => self.amazon.state(),
            Vendor::Ebay => self.ebay.state(),
            Vendor::Walmart => self.walmart.state(),
            Vendor::Tiktok => self.tiktok.state(),
            Vendor::Shopee => self.shopee.state(),
            Vendor::MercadoLibre => self.mercadolibre.state(),
        }
    }

    /// The simulated Amazon, with its sellers' refresh tokens.
    pub fn amazon(&self) -> &MarketplaceSandbox {
        &self.amazon
    }

    /// The simulated eBay, with its consent codes and user refresh tokens.
    pub fn ebay(&self) -> &MarketplaceSandbox {
        &self.ebay
    }

    /// The simulated Walmart.
    pub fn walmart(&self) -> &MarketplaceSandbox {
        &self.walmart
    }

    /// The simulated TikTok Shop, with its codes and refresh tokens.
    pub fn tiktok(&self) -> &MarketplaceSandbox {
        &self.tiktok
    }

    /// The simulated Shopee, with its codes and refresh tokens.
    pub fn shopee(&self) -> &MarketplaceSandbox {
        &self.shopee
    }

    /// The simulated Mercado Libre, with its codes and refresh tokens.
    pub fn mercadolibre(&self) -> &MarketplaceSandbox {
        &self.mercadolibre
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
