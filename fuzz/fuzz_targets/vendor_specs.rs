// Every login declaration of the `vendors` crate, so a target covers each vendor's decoding.
use auth_core::LoginEndpoint;
use auth_core::spec::LoginSpec;

pub const SPECS: [&LoginSpec; 20] = [
    vendors::igv::IgvLogin::SPEC,
    vendors::icekredit::IceKreditLogin::SPEC,
    vendors::wahool::WahoolLogin::SPEC,
    vendors::yz365::Yz365Login::SPEC,
    vendors::lazada::LazadaTokenCreate::SPEC,
    vendors::lazada::LazadaTokenRefresh::SPEC,
    vendors::aliexpress::AliExpressTokenCreate::SPEC,
    vendors::aliexpress::AliExpressTokenRefresh::SPEC,
    vendors::amazon::AmazonLogin::SPEC,
    vendors::amazon::AmazonGrantless::SPEC,
    vendors::amazon::AmazonCodeExchange::SPEC,
    vendors::ebay::EbayApplication::SPEC,
    vendors::ebay::EbayUser::SPEC,
    vendors::walmart::WalmartLogin::SPEC,
    vendors::tiktok::TiktokLogin::SPEC,
    vendors::tiktok::TiktokRefresh::SPEC,
    vendors::shopee::ShopeeLogin::SPEC,
    vendors::shopee::ShopeeRefresh::SPEC,
    vendors::mercadolibre::MercadoLibreLogin::SPEC,
    vendors::mercadolibre::MercadoLibreRefresh::SPEC,
];
