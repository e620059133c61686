//! The hit path (a valid token in the cache) allocates nothing: counted, not timed.
//! Its own test binary, because it replaces the global allocator.

mod common;

use std::sync::Arc;

use common::igv_builder;
use vendors::sandbox::Sandbox;

#[global_allocator]
static ALLOCATOR: dhat::Alloc = dhat::Alloc;

#[test]
fn a_cached_token_is_handed_out_without_allocating() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let sandbox = Sandbox::start().await.unwrap();
        let session = igv_builder(&sandbox).build().unwrap();
        let first = session.token().await.unwrap();
        // Warm up per-thread state (arc-swap's debt list) outside the measurement.
        drop(session.token().await.unwrap());
        let mut handle = session.handle();
        handle.token().await.unwrap();
        let erased = auth_core::AnySession::from(session.clone());
        drop(erased.token().await.unwrap());
        // Let the renewer take its first look, so that the watched path is the one counted.
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;

        let _profiler = dhat::Profiler::builder().testing().build();
        let before = dhat::HeapStats::get();
        for _ in 0..10_000 {
            let token = session.token().await.unwrap();
            assert!(Arc::ptr_eq(&token, &first));
        }
        for _ in 0..10_000 {
            let token = handle.token().await.unwrap();
            assert!(std::ptr::eq(token, &*first));
        }
        for _ in 0..10_000 {
            let token = erased.token().await.unwrap();
            assert!(Arc::ptr_eq(&token, &first));
        }
        let after = dhat::HeapStats::get();
        assert_eq!(
            after.total_blocks - before.total_blocks,
            0,
            "allocations on the hit path (Session::token, TokenHandle::token, AnySession::token)"
        );

        // Sessions built without a client share their runtime's: building one costs a small
        // fraction of what building an HTTP client (its TLS roots, its pool) does.
        let probe = dhat::HeapStats::get();
        let client = reqwest::Client::builder().build().unwrap();
        let client_bytes = dhat::HeapStats::get().total_bytes - probe.total_bytes;
        drop(client);
        let probe = dhat::HeapStats::get();
        let sessions: Vec<_> = (0..10)
            .map(|_| igv_builder(&sandbox).build().unwrap())
            .collect();
        let session_bytes = (dhat::HeapStats::get().total_bytes - probe.total_bytes) / 10;
        drop(sessions);
        assert!(
            session_bytes * 10 < client_bytes,
            "a session built without a client allocates {session_bytes} bytes, a client {client_bytes}"
        );

        // The counter does see allocations: one boxed value is one block.
        let probe = dhat::HeapStats::get();
        drop(std::hint::black_box(Box::new(7u64)));
        assert_eq!(dhat::HeapStats::get().total_blocks - probe.total_blocks, 1);
        assert_eq!(sandbox.igv().login_count(), 1);
    });
}
