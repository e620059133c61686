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
}
