//! Memory: the heap bytes an idle session holds with a cached token, counted by dhat (not
//! timed). The HTTP client is built first and shared, as applications share one; its own
//! bytes are reported separately.
#![allow(clippy::unwrap_used, clippy::expect_used)] // a benchmark: a failed setup stops it loudly

mod support;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

fn live_bytes() -> usize {
    dhat::HeapStats::get().curr_bytes
}

fn main() {
    let _profiler = dhat::Profiler::builder().testing().build();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let addr = runtime.block_on(support::start_server());
    let before_client = live_bytes();
    let client = reqwest::Client::new();
    let with_client = live_bytes();
    // One login first, so that the client's connection pool is already warm for both counts.
    runtime.block_on(async {
        let warm = support::session_builder(addr)
            .client(client.clone())
            .build()
            .unwrap();
        warm.token().await.unwrap();
    });
    // Many sessions, so that what the pool and the in-process server hold is noise per session.
    const SESSIONS: usize = 1000;
    let baseline = live_bytes();
    let sessions: Vec<_> = (0..SESSIONS)
        .map(|_| {
            support::session_builder(addr)
                .client(client.clone())
                .build()
                .unwrap()
        })
        .collect();
    let built = live_bytes();
    runtime.block_on(async {
        for session in &sessions {
            drop(session.token().await.unwrap());
        }
    });
    let cached = live_bytes();
    println!(
        "memory/reqwest client (shared by sessions): {} bytes",
        with_client - before_client
    );
    println!(
        "memory/session built, no token: {} bytes each",
        (built - baseline) / SESSIONS
    );
    println!(
        "memory/idle session with a cached token (renewer task included): {} bytes each",
        (cached - baseline) / SESSIONS
    );
    drop(sessions);
    // Let the renewers see their sessions gone and end.
    runtime.block_on(async { tokio::time::sleep(std::time::Duration::from_millis(50)).await });
    println!(
        "memory/after the sessions are dropped: {} bytes left each",
        live_bytes().saturating_sub(baseline) / SESSIONS
    );
    sellers(&runtime, addr, &client);
}

fn live_blocks() -> usize {
    dhat::HeapStats::get().curr_blocks
}

/// Many sellers of one app on one store: each seller's client from a `SellerDirectory`, against
/// the same sellers as plain sessions on the shared client and the store (one per seller, as
/// before the directory). Both adopt the token the onboarding stored; the bytes and blocks
/// each seller holds, built and then with its token cached.
fn sellers(
    runtime: &tokio::runtime::Runtime,
    addr: std::net::SocketAddr,
    client: &reqwest::Client,
) {
    use auth_core::store::{MemoryStore, TokenStore};
    use auth_core::{Secret, SellerDirectory, Session};
    use std::sync::Arc;

    const SELLERS: usize = 1000;
    let store: Arc<dyn TokenStore> = Arc::new(MemoryStore::new());
    let directory = |max| {
        SellerDirectory::<support::BenchExchange>::builder("app".into())
            .store(Arc::clone(&store))
            .client(client.clone())
            .token_base_url(format!("http://{addr}"))
            .api_base_url(format!("http://{addr}"))
            .max_sellers(max)
            .build()
            .unwrap()
    };
    let ids: Vec<String> = (0..SELLERS).map(|i| format!("seller-{i}")).collect();
    runtime.block_on(async {
        let seeding = directory(1);
        for id in &ids {
            let code = Secret::from(format!("code:{id}"));
            assert_eq!(&seeding.onboard(code, None).await.unwrap(), id);
        }
        drop(seeding);
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    });
    let per = |a: (usize, usize), b: (usize, usize)| {
        (
            b.0.saturating_sub(a.0) / SELLERS,
            b.1.saturating_sub(a.1) as f64 / SELLERS as f64,
        )
    };
    let stats = || (live_bytes(), live_blocks());

    let before = stats();
    let sellers = directory(SELLERS);
    let clients: Vec<_> = ids.iter().map(|id| sellers.seller(id).unwrap()).collect();
    let built = stats();
    runtime.block_on(async {
        for client in &clients {
            client.session().token().await.unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    });
    let cached = stats();
    let (b, n) = per(before, built);
    println!("memory/directory seller, client built, no token: {b} bytes in {n:.1} blocks each");
    let (b, n) = per(before, cached);
    println!(
        "memory/directory seller, token cached, idle (the shared renewal task's entry included): {b} bytes in {n:.1} blocks each"
    );

    let before = stats();
    let plain: Vec<_> = ids
        .iter()
        .map(|id| {
            Session::builder(support::BenchExchange {
                app_key: "app".into(),
                code: Secret::from("spent"),
            })
            .base_url(format!("http://{addr}"))
            .client(client.clone())
            .account(id.clone())
            .store(Arc::clone(&store))
            .build()
            .unwrap()
        })
        .collect();
    let built = stats();
    runtime.block_on(async {
        for session in &plain {
            session.token().await.unwrap();
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    });
    let cached = stats();
    let (b, n) = per(before, built);
    println!(
        "memory/plain seller session (shared client, store, account), built: {b} bytes in {n:.1} blocks each"
    );
    let (b, n) = per(before, cached);
    println!(
        "memory/plain seller session, token cached, idle (its renewer task included): {b} bytes in {n:.1} blocks each"
    );
    drop((clients, plain));
}
