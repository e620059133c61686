//! Worker processes of a fleet (`src/bin/fleet_worker.rs`) and what they report.
#![allow(dead_code)]

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};

/// Starts `fleet_worker stampede`: `tasks` concurrent callers in one process.
pub fn stampede(url: &str, store: &str, tasks: usize, lease_ms: u64, key: Option<&str>) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fleet_worker"));
    command
        .args([
            "stampede",
            url,
            store,
            &tasks.to_string(),
            &lease_ms.to_string(),
        ])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    if let Some(key) = key {
        command.env("FLEET_STORE_KEY", key);
    }
    command.spawn().unwrap()
}

/// Starts `fleet_worker seller`: one seller's process of an app, with its code.
pub fn seller(url: &str, store: &str, code: &str, account: Option<&str>) -> Child {
    Command::new(env!("CARGO_BIN_EXE_fleet_worker"))
        .args(["seller", url, store, code])
        .args(account)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap()
}

/// What a worker reported: the distinct tokens it was handed, its login requests, and (a
/// seller worker) the seller its call acted for.
#[derive(Debug)]
pub struct Report {
    pub fingerprints: Vec<String>,
    pub logins: u64,
    pub seller: Option<String>,
}

/// Waits for a worker (off the runtime's threads); what it printed, once it exited successfully.
async fn output_of(child: Child) -> String {
    let output = tokio::task::spawn_blocking(move || child.wait_with_output())
        .await
        .unwrap()
        .unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(
        output.status.success(),
        "worker failed: {}{}",
        stdout,
        String::from_utf8_lossy(&output.stderr)
    );
    stdout
}

/// Waits for a stampede worker (off the runtime's threads) and reads its report.
pub async fn report(child: Child) -> Report {
    let stdout = output_of(child).await;
    let mut report = Report {
        fingerprints: Vec::new(),
        logins: 0,
        seller: None,
    };
    for line in stdout.lines() {
        match line.split_once(' ') {
            Some(("fingerprint", f)) => report.fingerprints.push(f.to_owned()),
            Some(("logins", n)) => report.logins = n.parse().unwrap(),
            Some(("seller", s)) => report.seller = Some(s.to_owned()),
            _ => panic!("unexpected worker output: {line}"),
        }
    }
    report
}

/// A `fleet_worker race` process, driven line by line.
pub struct Racer {
    child: Child,
    stdin: ChildStdin,
    stdout: BufReader<ChildStdout>,
}

impl Racer {
    /// Starts one and waits until it holds a token.
    pub async fn start(url: &str, store: &str, code: &str) -> Racer {
        Racer::start_with(&["race", url, store, code]).await
    }

    /// Starts a worker with these arguments (a `race` mode) and waits until it holds a token.
    pub async fn start_with(args: &[&str]) -> Racer {
        let (racer, line) = Racer::start_reading(args).await;
        assert_eq!(line, "ready");
        racer
    }

    /// Starts a worker with these arguments; its first line.
    pub async fn start_reading(args: &[&str]) -> (Racer, String) {
        let mut child = Command::new(env!("CARGO_BIN_EXE_fleet_worker"))
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = BufReader::new(child.stdout.take().unwrap());
        let racer = Racer {
            child,
            stdin,
            stdout,
        };
        racer.read_line().await
    }

    /// Asks for a renewal and a signed call; no waiting for the answer.
    pub fn send_renew(&mut self) {
        self.stdin.write_all(b"renew\n").unwrap();
        self.stdin.flush().unwrap();
    }

    /// One round of a race: both workers renew at once; what each said.
    pub async fn race(first: Racer, second: Racer) -> (Racer, Racer, (String, String)) {
        let (mut first, mut second) = (first, second);
        first.send_renew();
        second.send_renew();
        let (first, first_said) = first.read_line().await;
        let (second, second_said) = second.read_line().await;
        (first, second, (first_said, second_said))
    }

    /// The next line the worker prints (read off the runtime's threads).
    pub async fn read_line(self) -> (Racer, String) {
        tokio::task::spawn_blocking(move || {
            let mut this = self;
            let mut line = String::new();
            this.stdout.read_line(&mut line).unwrap();
            (this, line.trim().to_owned())
        })
        .await
        .unwrap()
    }
}

impl Drop for Racer {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts `fleet_worker login`: one iGV session with `password` asks for a token (until it
/// holds one, with `until_token`); `env` sets the worker's `FLEET_*` variables.
pub fn login(
    url: &str,
    store: &str,
    password: &str,
    until_token: bool,
    env: &[(&str, String)],
) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_fleet_worker"));
    command
        .args(["login", url, store, password])
        .args(until_token.then_some("until-token"))
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in env {
        command.env(name, value);
    }
    command.spawn().unwrap()
}

/// What a `login` worker reported.
#[derive(Debug)]
pub struct LoginReport {
    /// The md5 of the token it held, and when it held it (Unix ms).
    pub token: Option<(String, u64)>,
    /// The error's class and message, when it held none.
    pub error: Option<String>,
    /// Login requests this process sent.
    pub logins: u64,
}

/// Waits for a `login` worker (off the runtime's threads) and reads its report.
pub async fn login_report(child: Child) -> LoginReport {
    let stdout = output_of(child).await;
    let mut report = LoginReport {
        token: None,
        error: None,
        logins: 0,
    };
    for line in stdout.lines() {
        match line.split_once(' ') {
            Some(("token", rest)) => {
                let (md5, at) = rest.split_once(' ').unwrap();
                report.token = Some((md5.to_owned(), at.parse().unwrap()));
            }
            Some(("error", message)) => report.error = Some(message.to_owned()),
            Some(("logins", n)) => report.logins = n.parse().unwrap(),
            _ => panic!("unexpected worker output: {line}"),
        }
    }
    report
}

/// Starts `count` login workers at once and waits for all of them.
pub async fn login_fleet(
    count: usize,
    url: &str,
    store: &str,
    password: &str,
    until_token: bool,
    env: &[(&str, String)],
) -> Vec<LoginReport> {
    let workers: Vec<_> = (0..count)
        .map(|_| login(url, store, password, until_token, env))
        .collect();
    let mut reports = Vec::new();
    for worker in workers {
        reports.push(login_report(worker).await);
    }
    reports
}
