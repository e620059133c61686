//! Ready-made seller-auth declarations for the seed vendors, and (with the `sandbox` feature) a
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
pub mod icekredit;
pub mod igv;
pub mod iop;
pub mod lazada;
#[cfg(feature = "sandbox")]
pub mod sandbox;
pub mod wahool;
pub mod yz365;
