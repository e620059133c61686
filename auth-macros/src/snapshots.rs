//! Expansion snapshots: what the macro generates, pretty-printed, reviewed in diffs.

use quote::quote;

fn expand(args: proc_macro2::TokenStream, item: proc_macro2::TokenStream) -> String {
    let tokens = crate::entry::login_endpoint_impl(args, item);
    match syn::parse2::<syn::File>(tokens.clone()) {
        Ok(file) => prettyplease::unparse(&file),
        Err(_) => tokens.to_string(),
    }
}

#[test]
fn igv() {
    insta::assert_snapshot!(expand(
        quote!(
            vendor = "iGV",
            path = "/seller/auth/login",
            base_url = "https://paas-gateway.imetastore.io/merchant-api",
            body = json,
            success("code" = "0000"),
            error_code = "code",
            error_message = "msg",
            token_field = "data.accessToken",
            scheme = field("data.tokenType"),
            lifetime = seconds("data.expiresIn"),
            refresh_token = "data.refreshToken",
        ),
        quote!(
            pub struct IgvLogin {
                pub email: String,
                pub password: Secret,
            }
        ),
    ));
}

#[test]
fn every_field_kind() {
    insta::assert_snapshot!(expand(
        quote!(
            path = "/auth/token/create",
            method = GET,
            hash = md5,
            rename_all = camelCase,
            header("Language" = "en"),
            success("ok" = true),
            success("code" = -1),
            error_message = ["response_msg", "message"],
            transient("02"),
            rate_limited(10000429),
            token_field = "access_token",
            lifetime = fixed("1h30m"),
            sliding,
            send_as = query("access_token"),
            sign = auth_core::signing::IopSha256,
        ),
        quote!(
            struct Login {
                app_key: String,
                #[login(signing_key)]
                app_secret: Secret,
                #[login(hashed, rename = "pwd")]
                password: Secret,
                #[login(header = "tenant-id")]
                tenant_id: u32,
                optional_uuid: Option<String>,
            }
        ),
    ));
}

#[test]
fn errors_still_emit_the_struct_without_helper_attributes() {
    let out = expand(
        quote!(
            path = "/x",
            body = xml,
            token_field = "t",
            lifetime = jwt_exp
        ),
        quote!(
            struct Login {
                #[login(hashed)]
                password: Secret,
            }
        ),
    );
    assert!(out.contains("struct Login"), "{out}");
    assert!(!out.contains("# [login"), "{out}");
    assert!(out.contains("compile_error"), "{out}");
    // Only the stand-in impl, so that code using the struct adds no errors of its own.
    assert_eq!(out.matches("impl").count(), 1, "{out}");
    assert!(out.contains("LoginEndpoint for Login"), "{out}");
    assert!(out.contains("fn params<'__a>(&'__a self, _: &mut"), "{out}");
}
