//! Lazada on the IOP platform: token calls for every country go to `auth.lazada.com/rest`;
//! business calls go to the country's own API host ([`API_BASE_URLS`]).

crate::iop::iop_vendor! {
    vendor: "Lazada",
    token_base_url: "https://auth.lazada.com/rest",
    authorize_url: "https://auth.lazada.com/oauth/authorize",
    token_param: "access_token",
    create: LazadaTokenCreate,
    refresh: LazadaTokenRefresh,
}

/// Business-call base URLs by country code.
pub const API_BASE_URLS: [(&str, &str); 6] = [
    ("sg", "https://api.lazada.sg/rest"),
    ("my", "https://api.lazada.com.my/rest"),
    ("vn", "https://api.lazada.vn/rest"),
    ("th", "https://api.lazada.co.th/rest"),
    ("ph", "https://api.lazada.com.ph/rest"),
    ("id", "https://api.lazada.co.id/rest"),
];
