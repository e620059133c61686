//! Ready-made seller-auth declarations for the seed vendors and the big marketplaces, and (with the `sandbox` feature) a
//! local server that behaves as each of them documents.
//!
//! ```no_run
//! use auth_core::{Secret, Session};
//! use vendors::igv::IgvLogin;
//!
//! # async fn run() -> Result<(), auth_core::Error> {
//! let session = Session::new(IgvLogin::new("seller@shop.example", Secret::from("password")))?;
//! let token = session.token().await?;
//! # Ok(()) }
//! ```

pub mod aliexpress;
pub mod amazon;
pub mod ebay;
pub mod icekredit;
pub mod igv;
pub mod iop;
pub mod lazada;
pub mod mercadolibre;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod shopee;
pub mod tiktok;
pub mod wahool;
pub mod walmart;
pub mod yz365;
