// Every login declaration of the `vendors` crate, so a target covers each vendor's decoding.
use auth_core::LoginEndpoint;
use auth_core::spec::LoginSpec;

pub const SPECS: [&LoginSpec; 8] = [
    vendors::igv::IgvLogin::SPEC,
    vendors::icekredit::IceKreditLogin::SPEC,
    vendors::wahool::WahoolLogin::SPEC,
    vendors::yz365::Yz365Login::SPEC,
    vendors::lazada::LazadaTokenCreate::SPEC,
    vendors::lazada::LazadaTokenRefresh::SPEC,
    vendors::aliexpress::AliExpressTokenCreate::SPEC,
    vendors::aliexpress::AliExpressTokenRefresh::SPEC,
];
