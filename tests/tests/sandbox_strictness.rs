//! The sandbox checks requests as strictly as the vendors do: a wrong content type or a missing
//! required header is refused with the vendor's own answer, even when the credentials are right.

use serde_json::{Value, json};
use vendors::sandbox::{Sandbox, Vendor, icekredit, igv, wahool, yz365};

async fn post(
    url: String,
    content_type: &str,
    body: String,
    headers: &[(&str, &str)],
) -> (u16, Value) {
    let mut request = reqwest::Client::new()
        .post(url)
        .header("Content-Type", content_type)
        .body(body);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = request.send().await.unwrap();
    let status = response.status().as_u16();
    (
        status,
        serde_json::from_slice(&response.bytes().await.unwrap()).unwrap_or(Value::Null),
    )
}

fn form(pairs: &[(&str, &str)]) -> String {
    url::form_urlencoded::Serializer::new(String::new())
        .extend_pairs(pairs)
        .finish()
}

#[tokio::test]
async fn wrong_content_types_and_missing_headers_are_refused() {
    let sandbox = Sandbox::start().await.unwrap();

    // iGV takes JSON only.
    let url = format!("{}/seller/auth/login", sandbox.base_url(Vendor::Igv));
    let body = form(&[("email", igv::DEMO_EMAIL), ("password", igv::DEMO_PASSWORD)]);
    let (status, answer) = post(url, "application/x-www-form-urlencoded", body, &[]).await;
    assert_eq!((status, answer["code"].as_str()), (415, Some("4150")));

    // Wahool takes JSON only.
    let url = format!(
        "{}/seller/202405/auth/get-access-token",
        sandbox.base_url(Vendor::Wahool)
    );
    let body = form(&[
        ("accessKey", wahool::DEMO_ACCESS_KEY),
        ("secretKey", wahool::DEMO_SECRET_KEY),
    ]);
    let (_, answer) = post(url, "application/x-www-form-urlencoded", body, &[]).await;
    assert_eq!(answer["code"], 400);

    // IceKredit: the seed's own curl (a JSON-looking body) is refused; so is a missing Language.
    let url = format!("{}/api/login.do", sandbox.base_url(Vendor::IceKredit));
    let md5 = auth_core::md5_hex(icekredit::DEMO_PASSWORD);
    let json_body =
        json!({"merchant_name": icekredit::DEMO_MERCHANT, "merchant_pwd": md5}).to_string();
    let (_, answer) = post(
        url.clone(),
        "application/json",
        json_body,
        &[("Language", "en")],
    )
    .await;
    assert_eq!(answer["response_code"], "10000415");
    let good_form = form(&[
        ("merchant_name", icekredit::DEMO_MERCHANT),
        ("merchant_pwd", &md5),
    ]);
    let (_, answer) = post(
        url.clone(),
        "application/x-www-form-urlencoded",
        good_form.clone(),
        &[],
    )
    .await;
    assert_eq!(answer["response_code"], "10000400");
    let (_, answer) = post(
        url.clone(),
        "application/x-www-form-urlencoded",
        good_form,
        &[("Language", "en")],
    )
    .await;
    assert_eq!(
        answer["response_code"], "00",
        "the same request with its header succeeds"
    );
    // A plain password where the MD5 belongs is a wrong password.
    let plain = form(&[
        ("merchant_name", icekredit::DEMO_MERCHANT),
        ("merchant_pwd", icekredit::DEMO_PASSWORD),
    ]);
    let (_, answer) = post(
        url,
        "application/x-www-form-urlencoded",
        plain,
        &[("Language", "en")],
    )
    .await;
    assert_eq!(answer["response_code"], "200002");

    // yz365 needs its tenant-id header, and the MD5 of the password in the query.
    let base = format!(
        "{}/seller/passport/login/user",
        sandbox.base_url(Vendor::Yz365)
    );
    let md5 = auth_core::md5_hex(yz365::DEMO_PASSWORD);
    let query = form(&[("username", yz365::DEMO_USERNAME), ("password", &md5)]);
    let (_, answer) = post(format!("{base}?{query}"), "text/plain", String::new(), &[]).await;
    assert_eq!(
        (answer["success"].as_bool(), answer["code"].as_u64()),
        (Some(false), Some(400))
    );
    let (_, answer) = post(
        format!("{base}?{query}"),
        "text/plain",
        String::new(),
        &[("tenant-id", "10000")],
    )
    .await;
    assert_eq!(
        (answer["success"].as_bool(), answer["code"].as_u64()),
        (Some(true), Some(200))
    );
    let plain = form(&[
        ("username", yz365::DEMO_USERNAME),
        ("password", yz365::DEMO_PASSWORD),
    ]);
    let (_, answer) = post(
        format!("{base}?{plain}"),
        "text/plain",
        String::new(),
        &[("tenant-id", "10000")],
    )
    .await;
    assert_eq!(answer["code"], 401);
}
