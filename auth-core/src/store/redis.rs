//! Tokens in Redis, shared by processes on many machines.
//!
//! For a session key `k` under the namespace `ns`: `ns:{k}:token` is a hash of the version, the
//! writer's fence and the entry; `ns:{k}:lease` holds the lease holder's random owner with an
//! expiry (`SET NX PX`); `ns:{k}:fence` counts the leases granted; `ns:{k}:failures` holds what
//! the fleet learned from failed logins, until it no longer matters. The braces keep an
//! account's keys in one slot of a Redis Cluster. Writes and releases are Lua scripts, so each
//! is atomic.

use std::fmt;
use std::time::{Duration, SystemTime};

use futures_util::future::BoxFuture;
use percent_encoding::percent_decode_str;
use redis::aio::{ConnectionLike, MultiplexedConnection};
use redis::cluster::{ClusterClient, ClusterClientBuilder};
use redis::cluster_async::ClusterConnection;
use redis::{AsyncConnectionConfig, Client, Cmd, Pipeline, RedisFuture, Script, Value};
use tokio::sync::Mutex;

use super::wire::{self, MAX_ENTRY_BYTES};
use super::{
    EncryptionKey, FailureRecord, Lease, StoreError, StoredToken, Swap, TokenStore, Versioned,
};

/// Lua: a number found in Redis that the scripts trust: decimal digits below 2^53, exact in
/// Lua's doubles; anything else in a version or fence is garbage, which a hostile or broken
/// client may have written. Prepended to the scripts that read numbers.
macro_rules! sane {
    () => {
        r"
local function sane(text)
  if type(text) ~= 'string' or #text > 16 or not string.match(text, '^%d+$') then return nil end
  local n = tonumber(text)
  if n >= 9007199254740992 then return nil end
  return n
end
"
    };
}

/// Reads an entry: `{'entry', version, data}`, `{'absent', '', ''}`, or `{'damaged', why, ''}`.
/// What the server can tell is damaged (a key of another type, a version that is not a number,
/// data over the limit in ARGV[1]) is removed at once, atomically, keeping the writer's fence
/// `f`; the caller reads the data only when it is within the limit.
const LOAD: &str = concat!(
    sane!(),
    r"
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return {'absent', '', ''} end
if kind ~= 'hash' then
  redis.call('DEL', KEYS[1])
  return {'damaged', 'it is not a hash', ''}
end
local v = redis.call('HGET', KEYS[1], 'v')
if not v then return {'absent', '', ''} end
if not sane(v) then
  redis.call('HDEL', KEYS[1], 'v', 'd')
  return {'damaged', 'its version is not a number', ''}
end
if redis.call('HSTRLEN', KEYS[1], 'd') > tonumber(ARGV[1]) then
  redis.call('HDEL', KEYS[1], 'v', 'd')
  return {'damaged', 'it is larger than the store limit', ''}
end
local d = redis.call('HGET', KEYS[1], 'd')
if not d then
  redis.call('HDEL', KEYS[1], 'v')
  return {'damaged', 'it has a version but no data', ''}
end
return {'entry', v, d}
"
);

/// Removes an entry the client found damaged (a bad seal, foreign, not JSON), only if it still
/// holds what the client read; its writer's fence `f` stays, so a stale holder stays fenced out.
const FORGET_DAMAGED: &str = r"
if redis.call('TYPE', KEYS[1]).ok == 'hash' and redis.call('HGET', KEYS[1], 'v') == ARGV[1]
  and redis.call('HGET', KEYS[1], 'd') == ARGV[2] then
  return redis.call('HDEL', KEYS[1], 'v', 'd')
end
return 0
";

/// Writes the entry if the version is the expected one (`''`: absent) and no newer fence wrote.
/// A key of another type is removed, a version that is not a number counts as absent (the
/// entry is damaged), and a writer's fence that is not a number as 0.
const SWAP: &str = concat!(
    sane!(),
    r"
local kind = redis.call('TYPE', KEYS[1]).ok
if kind ~= 'none' and kind ~= 'hash' then redis.call('DEL', KEYS[1]) end
local current = redis.call('HGET', KEYS[1], 'v')
if current and not sane(current) then current = false end
-- Versions compare as numbers: a stored `007` is the version 7 its readers were told of.
if (ARGV[1] == '' and current) or (ARGV[1] ~= '' and sane(current) ~= tonumber(ARGV[1])) then return 0 end
local written_fence = sane(redis.call('HGET', KEYS[1], 'f')) or 0
if tonumber(ARGV[2]) < written_fence then return 0 end
local version = (tonumber(current) or 0) + 1
redis.call('HSET', KEYS[1], 'v', version, 'f', ARGV[2], 'd', ARGV[3])
if tonumber(ARGV[4]) > 0 then redis.call('PEXPIRE', KEYS[1], ARGV[4]) else redis.call('PERSIST', KEYS[1]) end
return version
"
);

/// Grants the lease with a new fence (`{fence, repair}`), or answers `{0, repair}` when it is
/// held; `repair` says what garbage was repaired, or is empty.
///
/// The fence is the server's clock in microseconds, or one more than the last fence (or than
/// the entry's writer's fence) if that is higher: it grows with every lease even after a
/// failover to a replica that missed the last fences (a promoted replica's clock is past any
/// fence its old master granted, clocks being within the seconds a failover takes of each
/// other), so a holder from before the failover cannot write over a token stored after it.
///
/// Everything is read and checked before anything is written. A lease key without an expiry,
/// or not a string, is no lease any version writes: it is removed, so a lease always has a
/// TTL. A fence counter that is not a number below 2^53 restarts from the server's clock, which
/// is past every fence granted before (each was at most the clock when granted, unless a
/// writer's fence was higher); a writer's fence that would push the fence to 2^53 is reset.
const LEASE: &str = concat!(
    sane!(),
    r"
local repair = ''
local held = redis.call('PTTL', KEYS[1])
if held == -1 or (held >= 0 and redis.call('TYPE', KEYS[1]).ok ~= 'string') then
  redis.call('DEL', KEYS[1])
  repair = 'a lease without an expiry, or not a lease, was removed'
end
local counter = nil
local kind = redis.call('TYPE', KEYS[2]).ok
if kind == 'string' then counter = sane(redis.call('GET', KEYS[2])) end
if kind ~= 'none' and not counter then
  repair = 'the fence counter was not a number below 2^53; restarted from the server clock'
end
local entry_kind = redis.call('TYPE', KEYS[3]).ok
local written = 0
if entry_kind == 'hash' then written = sane(redis.call('HGET', KEYS[3], 'f')) or 0 end
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return {0, repair} end
local time = redis.call('TIME')
local now = tonumber(time[1]) * 1000000 + tonumber(time[2])
local fence = math.max((counter or 0) + 1, written + 1, now)
if fence >= 9007199254740992 then
  fence = now
  if entry_kind == 'hash' then redis.call('HSET', KEYS[3], 'f', '0') end
  repair = 'the fence reached 2^53; restarted from the server clock'
end
redis.call('SET', KEYS[2], string.format('%.0f', fence))
return {fence, repair}
"
);

/// Deletes the lease only if it is still the caller's.
const RELEASE: &str = r"
if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
";
/// Extends a lease only if it is still the caller's.
const EXTEND: &str = r"
if redis.call('TYPE', KEYS[1]).ok == 'string' and redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return 0
";

/// Reads a failure record: `{'record', text}`, `{'absent', ''}` or `{'damaged', why}`; one
/// of another type or over the limit in ARGV[1] is removed.
const LOAD_FAILURES: &str = r"
local kind = redis.call('TYPE', KEYS[1]).ok
if kind == 'none' then return {'absent', ''} end
if kind ~= 'string' then
  redis.call('DEL', KEYS[1])
  return {'damaged', 'it is not a string'}
end
if redis.call('STRLEN', KEYS[1]) > tonumber(ARGV[1]) then
  redis.call('DEL', KEYS[1])
  return {'damaged', 'it is larger than the store limit'}
end
return {'record', redis.call('GET', KEYS[1])}
";

/// How long an entry outlives its tokens (clocks differ a little).
const EXPIRY_MARGIN: Duration = Duration::from_secs(60);

/// How long Redis keeps `token`'s entry, in milliseconds (0: no expiry): until its access token
/// and its refresh token are both dead, plus [`EXPIRY_MARGIN`]. An entry whose refresh token's
/// expiry is unknown, or never comes, is kept until replaced or removed: that refresh token may
/// be the seller's only credential.
fn keep_for(token: &StoredToken, now: SystemTime) -> u128 {
    let dies = match (&token.refresh_token, token.refresh_expires_at) {
        (Some(_), None) => return 0,
        (Some(_), Some(refresh)) => refresh.max(token.expires_at),
        (None, _) => token.expires_at,
    };
    // Never 0, which would mean "no expiry": a dead entry goes after the margin.
    dies.duration_since(now)
        .unwrap_or_default()
        .saturating_add(EXPIRY_MARGIN)
        .as_millis()
}

/// A token store on Redis (`redis://` or `rediss://` for TLS), or on a Redis Cluster
/// ([`RedisStore::cluster_builder`]). Every call has a timeout.
///
/// It trusts nothing it reads there:
/// - an entry larger than 1 MiB (checked by the server before it is sent), of another type
///   than a hash, with a version that is not a number, damaged, not JSON, sealed with another
///   key or moved from another key is read as absent, with a warning naming the key and why
///   (never the content), and removed (only if unchanged since read); its writer's fence is
///   kept, so a holder of an older lease still cannot write. A failure record likewise;
/// - the scripts check every number they read before they write anything: a fence counter
///   that is not a number below 2^53 restarts from the server's clock in microseconds (past
///   every fence granted before), a writer's fence that is not a number counts as 0, and a
///   lease key without an expiry (or not a string) is removed, so every lease has a TTL.
///
/// Entries expire in Redis a minute after both their tokens are dead: the access token, and the
/// refresh token when its expiry is known ([`StoredToken::refresh_expires_at`]). An entry whose
/// refresh token has no known expiry (the vendor states none, or an entry written before it was
/// kept) has no TTL: it stays until replaced or removed (`authctl forget`, `TokenStore::remove`).
///
/// ```no_run
/// # async fn run() -> Result<(), auth_core::store::StoreError> {
/// use std::time::Duration;
/// use auth_core::store::{EncryptionKey, RedisStore};
///
/// let store = RedisStore::builder("rediss://:password@cache.internal:6380/0")
///     .namespace("shop-42")
///     .timeout(Duration::from_millis(500))
///     .encrypted(EncryptionKey::from_bytes([7; 32]))
///     .build()?;
/// # Ok(()) }
/// ```
pub struct RedisStore {
    client: Backend,
    connection: Mutex<Option<Connection>>,
    namespace: String,
    timeout: Duration,
    key: Option<EncryptionKey>,
    /// The URLs' passwords, kept to strip them from error messages.
    passwords: Vec<String>,
    /// Host, port and database, for `Debug`.
    shown_as: String,
}

/// One server, or a cluster's client (which finds the node of each key's slot); boxed, as
/// both are large and built once.
enum Backend {
    Single(Box<Client>),
    Cluster(Box<ClusterClient>),
}

/// A connection to one server or to a cluster; cheap to clone, shared by concurrent calls.
#[derive(Clone)]
enum Connection {
    Single(MultiplexedConnection),
    Cluster(ClusterConnection),
}

impl ConnectionLike for Connection {
    fn req_packed_command<'a>(&'a mut self, cmd: &'a Cmd) -> RedisFuture<'a, Value> {
        match self {
            Connection::Single(c) => c.req_packed_command(cmd),
            Connection::Cluster(c) => c.req_packed_command(cmd),
        }
    }

    fn req_packed_commands<'a>(
        &'a mut self,
        pipeline: &'a Pipeline,
        offset: usize,
        count: usize,
    ) -> RedisFuture<'a, Vec<Value>> {
        match self {
            Connection::Single(c) => c.req_packed_commands(pipeline, offset, count),
            Connection::Cluster(c) => c.req_packed_commands(pipeline, offset, count),
        }
    }

    fn get_db(&self) -> i64 {
        match self {
            Connection::Single(c) => c.get_db(),
            Connection::Cluster(c) => c.get_db(),
        }
    }
}

/// Configures a [`RedisStore`]; from [`RedisStore::builder`].
#[must_use]
pub struct RedisStoreBuilder {
    /// One server's URL, or the URLs of some of a cluster's nodes.
    urls: Vec<String>,
    cluster: bool,
    namespace: String,
    timeout: Duration,
    key: Option<EncryptionKey>,
    root_certificate: Option<Vec<u8>>,
}

/// Without the URL, which may carry a password.
impl fmt::Debug for RedisStoreBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStoreBuilder")
            .field("cluster", &self.cluster)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("encrypted", &self.key.is_some())
            .field("root_certificate", &self.root_certificate.is_some())
            .finish_non_exhaustive()
    }
}

impl RedisStore {
    /// A store at `url` with the default namespace (`seller-auth`) and timeout (2 s).
    pub fn open(url: &str) -> Result<RedisStore, StoreError> {
        RedisStore::builder(url).build()
    }

    /// A builder for a store at `url`.
    pub fn builder(url: &str) -> RedisStoreBuilder {
        RedisStoreBuilder {
            urls: vec![url.to_owned()],
            cluster: false,
            namespace: "seller-auth".to_owned(),
            timeout: Duration::from_secs(2),
            key: None,
            root_certificate: None,
        }
    }

    /// A builder for a store on the Redis Cluster these nodes belong to (one is enough; the
    /// client learns the others, and follows the slots as they move or fail over).
    ///
    /// An account's keys share a hash tag, so each of its scripts runs on one node. On a
    /// failover, writes the old master acknowledged but had not yet replicated are lost: the
    /// fleet then logs in once more for that account. A lease may be lost with them, and a
    /// second process may then log in beside its holder; but each lease's fence is at least the
    /// server's clock in microseconds, so the promoted replica grants fences above any the old
    /// master granted, and a holder from before the failover cannot write over a token stored
    /// after it.
    ///
    /// ```no_run
    /// # fn run() -> Result<(), auth_core::store::StoreError> {
    /// use auth_core::store::RedisStore;
    ///
    /// let store = RedisStore::cluster_builder([
    ///     "redis://10.0.0.1:7000",
    ///     "redis://10.0.0.2:7000",
    /// ])
    /// .namespace("shop-42")
    /// .build()?;
    /// # Ok(()) }
    /// ```
    pub fn cluster_builder<I, S>(nodes: I) -> RedisStoreBuilder
    where
        I: IntoIterator<Item = S>,
        S: AsRef<str>,
    {
        let mut builder = RedisStore::builder("");
        builder.urls = nodes.into_iter().map(|n| n.as_ref().to_owned()).collect();
        builder.cluster = true;
        builder
    }

    fn name(&self, key: &str, part: &str) -> String {
        format!("{}:{{{key}}}:{part}", self.namespace)
    }

    /// Runs `call` on a connection (made now if there is none), within the timeout. A failed
    /// call drops the connection, so the next one reconnects.
    async fn with_connection<T, F, Fut>(&self, call: F) -> Result<T, StoreError>
    where
        F: FnOnce(Connection) -> Fut,
        Fut: Future<Output = redis::RedisResult<T>>,
    {
        let attempt = async {
            let connection = {
                let mut slot = self.connection.lock().await;
                match slot.as_ref() {
                    Some(connection) => connection.clone(),
                    None => {
                        let connection = match &self.client {
                            Backend::Single(client) => {
                                let config = AsyncConnectionConfig::new()
                                    .set_connection_timeout(Some(self.timeout))
                                    .set_response_timeout(Some(self.timeout));
                                Connection::Single(
                                    client
                                        .get_multiplexed_async_connection_with_config(&config)
                                        .await?,
                                )
                            }
                            Backend::Cluster(client) => {
                                Connection::Cluster(client.get_async_connection().await?)
                            }
                        };
                        *slot = Some(connection.clone());
                        connection
                    }
                }
            };
            call(connection).await
        };
        let result = match tokio::time::timeout(self.timeout, attempt).await {
            Ok(Ok(value)) => return Ok(value),
            Ok(Err(e)) => Err(StoreError::Unavailable(self.describe(&e))),
            Err(_) => Err(StoreError::Timeout(self.timeout)),
        };
        *self.connection.lock().await = None;
        result
    }

    fn describe(&self, error: &redis::RedisError) -> String {
        describe(error, &self.passwords)
    }

    /// The keys matching `pattern` on one server, by `SCAN` (which never blocks it for long).
    async fn scan(&self, pattern: &str) -> Result<Vec<String>, StoreError> {
        let mut names: Vec<String> = Vec::new();
        let mut cursor = 0u64;
        loop {
            let (next, batch): (u64, Vec<String>) = self
                .with_connection(|mut c| async move {
                    redis::cmd("SCAN")
                        .arg(cursor)
                        .arg("MATCH")
                        .arg(pattern)
                        .arg("COUNT")
                        .arg(500)
                        .query_async(&mut c)
                        .await
                })
                .await?;
            names.extend(batch);
            if next == 0 {
                return Ok(names);
            }
            cursor = next;
        }
    }
}

impl RedisStoreBuilder {
    /// Prefixes every key, so that several applications can share one Redis.
    pub fn namespace(mut self, namespace: &str) -> Self {
        namespace.clone_into(&mut self.namespace);
        self
    }

    /// The longest any call may take, connecting included (2 s unless set).
    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    /// Encrypts tokens with `key`; entries written without it are ignored and replaced.
    pub fn encrypted(mut self, key: EncryptionKey) -> Self {
        self.key = Some(key);
        self
    }

    /// Trusts this CA certificate (PEM) for `rediss://` instead of the system's roots, for a
    /// Redis whose certificate a private CA signed.
    pub fn root_certificate(mut self, pem: Vec<u8>) -> Self {
        self.root_certificate = Some(pem);
        self
    }

    /// The store; nothing is connected until the first call.
    pub fn build(self) -> Result<RedisStore, StoreError> {
        let mut passwords = Vec::new();
        let mut shown = Vec::new();
        for url in &self.urls {
            let parsed = url::Url::parse(url)
                .map_err(|e| StoreError::Unavailable(format!("not a Redis URL: {e}")))?;
            if !matches!(parsed.scheme(), "redis" | "rediss") {
                return Err(StoreError::Unavailable(format!(
                    "a Redis URL starts with redis:// or rediss://, not {}://",
                    parsed.scheme()
                )));
            }
            // The URL holds it percent-encoded; messages may show either form.
            passwords.extend(parsed.password().map(str::to_owned));
            shown.push(format!(
                "{}://{}:{}{}",
                parsed.scheme(),
                parsed.host_str().unwrap_or(""),
                parsed.port().unwrap_or(6379),
                parsed.path()
            ));
        }
        if shown.is_empty() {
            return Err(StoreError::Unavailable(
                "a Redis Cluster needs the URL of at least one node".into(),
            ));
        }
        let certificates = |pem: Vec<u8>| redis::TlsCertificates {
            client_tls: None,
            root_cert: Some(pem),
        };
        let client = if self.cluster {
            let mut builder = ClusterClientBuilder::new(self.urls.iter().map(String::as_str))
                .connection_timeout(self.timeout)
                .response_timeout(self.timeout);
            if let Some(pem) = self.root_certificate {
                builder = builder.certs(certificates(pem));
            }
            builder.build().map(|c| Backend::Cluster(Box::new(c)))
        } else {
            let url = self.urls.first().map_or("", String::as_str);
            match self.root_certificate {
                Some(pem) => Client::build_with_tls(url, certificates(pem)),
                None => Client::open(url),
            }
            .map(|c| Backend::Single(Box::new(c)))
        }
        .map_err(|e| StoreError::Unavailable(describe(&e, &passwords)))?;
        let shown_as = match (self.cluster, shown.as_slice()) {
            (false, [one]) => one.clone(),
            _ => format!("cluster [{}]", shown.join(", ")),
        };
        Ok(RedisStore {
            client,
            connection: Mutex::new(None),
            namespace: self.namespace,
            timeout: self.timeout,
            key: self.key,
            passwords,
            shown_as,
        })
    }
}

/// A lease time as Redis takes it: whole milliseconds, at least one (`PX 0` is an error).
fn whole_millis(ttl: Duration) -> u64 {
    u64::try_from(ttl.as_millis()).unwrap_or(u64::MAX).max(1)
}

/// The error's message without the URLs' passwords.
fn describe(error: &redis::RedisError, passwords: &[String]) -> String {
    let mut text = error.to_string();
    for password in passwords.iter().filter(|p| !p.is_empty()) {
        let decoded = percent_decode_str(password).decode_utf8_lossy();
        text = text
            .replace(password.as_str(), "[redacted]")
            .replace(decoded.as_ref(), "[redacted]");
    }
    text
}

impl fmt::Debug for RedisStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RedisStore")
            .field("server", &self.shown_as)
            .field("namespace", &self.namespace)
            .field("timeout", &self.timeout)
            .field("encrypted", &self.key.is_some())
            .finish()
    }
}

impl TokenStore for RedisStore {
    fn load<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<Option<Versioned>, StoreError>> {
        Box::pin(async move {
            let name = self.name(key, "token");
            let (status, version, data): (String, String, Vec<u8>) = self
                .with_connection(|mut c| {
                    let name = name.clone();
                    async move {
                        Script::new(LOAD)
                            .key(&name)
                            .arg(MAX_ENTRY_BYTES)
                            .invoke_async(&mut c)
                            .await
                    }
                })
                .await?;
            match status.as_str() {
                "entry" => {}
                "damaged" => {
                    wire::ignored(key, "entry", &version);
                    return Ok(None);
                }
                _ => return Ok(None),
            }
            let decoded = match std::str::from_utf8(&data) {
                Ok(text) => wire::read_entry(text, self.key.as_ref(), key)?,
                Err(_) => Err("it is not UTF-8 text"),
            };
            let number = version
                .parse::<u64>()
                .map_err(|_| "its version is not a number");
            match decoded.and_then(|token| number.map(|number| (token, number))) {
                Ok((token, number)) => Ok(Some(Versioned {
                    token,
                    version: number,
                })),
                Err(why) => {
                    wire::ignored(key, "entry", why);
                    self.with_connection(|mut c| async move {
                        Script::new(FORGET_DAMAGED)
                            .key(&name)
                            .arg(&version)
                            .arg(&data)
                            .invoke_async::<i64>(&mut c)
                            .await
                    })
                    .await?;
                    Ok(None)
                }
            }
        })
    }

    fn compare_and_swap<'a>(
        &'a self,
        key: &'a str,
        expected: Option<u64>,
        token: &'a StoredToken,
        fence: u64,
    ) -> BoxFuture<'a, Result<Swap, StoreError>> {
        Box::pin(async move {
            let entry = wire::encode(token, self.key.as_ref(), key)?;
            let keep_for = keep_for(token, SystemTime::now());
            let expected = expected.map(|v| v.to_string()).unwrap_or_default();
            let name = self.name(key, "token");
            let version: u64 = self
                .with_connection(|mut c| async move {
                    Script::new(SWAP)
                        .key(&name)
                        .arg(&expected)
                        .arg(fence)
                        .arg(&entry)
                        .arg(u64::try_from(keep_for).unwrap_or(u64::MAX))
                        .invoke_async(&mut c)
                        .await
                })
                .await?;
            Ok(match version {
                0 => Swap::Conflict,
                version => Swap::Written { version },
            })
        })
    }

    fn try_lease<'a>(
        &'a self,
        key: &'a str,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<Option<Lease>, StoreError>> {
        Box::pin(async move {
            let owner = Lease::random_owner();
            let (lease, fence) = (self.name(key, "lease"), self.name(key, "fence"));
            let token = self.name(key, "token");
            let ttl_ms = whole_millis(ttl);
            let (granted, repair): (u64, String) = self
                .with_connection(|mut c| {
                    let owner = owner.clone();
                    async move {
                        Script::new(LEASE)
                            .key(&lease)
                            .key(&fence)
                            .key(&token)
                            .arg(&owner)
                            .arg(ttl_ms)
                            .invoke_async(&mut c)
                            .await
                    }
                })
                .await?;
            if !repair.is_empty() {
                tracing::warn!(
                    key,
                    repair = repair.as_str(),
                    "garbage in the store's lease keys was repaired"
                );
            }
            Ok((granted > 0).then(|| Lease::new(owner, granted)))
        })
    }

    fn extend_lease<'a>(
        &'a self,
        key: &'a str,
        lease: &'a Lease,
        ttl: Duration,
    ) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let name = self.name(key, "lease");
            let ttl_ms = whole_millis(ttl);
            let extended: i64 = self
                .with_connection(|mut c| {
                    let name = name.clone();
                    async move {
                        Script::new(EXTEND)
                            .key(&name)
                            .arg(lease.owner())
                            .arg(ttl_ms)
                            .invoke_async(&mut c)
                            .await
                    }
                })
                .await?;
            Ok(extended == 1)
        })
    }

    fn release<'a>(&'a self, key: &'a str, lease: Lease) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let name = self.name(key, "lease");
            self.with_connection(|mut c| async move {
                Script::new(RELEASE)
                    .key(&name)
                    .arg(lease.owner())
                    .invoke_async::<i64>(&mut c)
                    .await
            })
            .await?;
            Ok(())
        })
    }

    fn list(&self) -> BoxFuture<'_, Result<Vec<(String, StoredToken)>, StoreError>> {
        Box::pin(async move {
            let pattern = format!("{}:{{*}}:token", self.namespace);
            let names: Vec<String> = match &self.client {
                // The client sends KEYS to every master and joins their answers; a cursor of
                // SCAN would walk one node only. O(keys) on each master: a listing for an
                // operator, not for a request path.
                Backend::Cluster(_) => {
                    self.with_connection(|mut c| {
                        let pattern = pattern.clone();
                        async move { redis::cmd("KEYS").arg(&pattern).query_async(&mut c).await }
                    })
                    .await?
                }
                Backend::Single(_) => self.scan(&pattern).await?,
            };
            let mut entries = Vec::new();
            for name in names {
                let key = name
                    .split_once('{')
                    .and_then(|(_, rest)| rest.rsplit_once("}:token"))
                    .map(|(key, _)| key.to_owned());
                let Some(key) = key else { continue };
                // An entry this process cannot read (another key, a newer format) is the
                // fleet's, not this listing's to fail on: it is skipped, as damage is.
                match self.load(&key).await {
                    Ok(Some(entry)) => entries.push((key, entry.token)),
                    Ok(None) => {}
                    Err(StoreError::SealedWithAnotherKey | StoreError::NewerFormat) => {
                        wire::ignored(&key, "entry", "this process cannot read it");
                    }
                    Err(other) => return Err(other),
                }
            }
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Ok(entries)
        })
    }

    fn remove<'a>(&'a self, key: &'a str) -> BoxFuture<'a, Result<bool, StoreError>> {
        Box::pin(async move {
            let removed: i64 = self
                .with_connection(|mut c| {
                    let (token, failures) = (self.name(key, "token"), self.name(key, "failures"));
                    async move {
                        let removed = redis::cmd("DEL").arg(&token).query_async(&mut c).await?;
                        redis::cmd("DEL")
                            .arg(&failures)
                            .query_async::<i64>(&mut c)
                            .await?;
                        Ok(removed)
                    }
                })
                .await?;
            Ok(removed > 0)
        })
    }

    fn load_failures<'a>(
        &'a self,
        key: &'a str,
    ) -> BoxFuture<'a, Result<Option<FailureRecord>, StoreError>> {
        Box::pin(async move {
            let name = self.name(key, "failures");
            let (status, text): (String, Vec<u8>) = self
                .with_connection(|mut c| async move {
                    Script::new(LOAD_FAILURES)
                        .key(&name)
                        .arg(MAX_ENTRY_BYTES)
                        .invoke_async(&mut c)
                        .await
                })
                .await?;
            let decoded = match status.as_str() {
                "record" => match std::str::from_utf8(&text) {
                    Ok(text) => wire::read_failures(text, self.key.as_ref(), key)?,
                    Err(_) => Err("it is not UTF-8 text"),
                },
                "damaged" => Err(std::str::from_utf8(&text).unwrap_or("it is damaged")),
                _ => return Ok(None),
            };
            Ok(decoded
                .inspect_err(|why| wire::ignored(key, "failure record", why))
                .ok())
        })
    }

    fn write_failures<'a>(
        &'a self,
        key: &'a str,
        record: Option<&'a FailureRecord>,
    ) -> BoxFuture<'a, Result<(), StoreError>> {
        Box::pin(async move {
            let name = self.name(key, "failures");
            let Some(record) = record else {
                return self
                    .with_connection(|mut c| async move {
                        redis::cmd("DEL")
                            .arg(&name)
                            .query_async::<i64>(&mut c)
                            .await
                    })
                    .await
                    .map(drop);
            };
            let text = wire::encode_failures(record, self.key.as_ref(), key)?;
            // Kept a little past its last deadline (clocks differ), then Redis drops it.
            let keep_for = record
                .expires_at()
                .and_then(|at| at.duration_since(SystemTime::now()).ok())
                .unwrap_or_default()
                .saturating_add(EXPIRY_MARGIN);
            let keep_ms = whole_millis(keep_for);
            self.with_connection(|mut c| async move {
                redis::cmd("SET")
                    .arg(&name)
                    .arg(&text)
                    .arg("PX")
                    .arg(keep_ms)
                    .query_async::<()>(&mut c)
                    .await
            })
            .await
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_is_kept_until_both_its_tokens_are_dead_or_forever_if_unknown() {
        use crate::secret::Secret;
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_800_000_000);
        let hour = Duration::from_secs(3600);
        let entry = |refresh: Option<&str>, refresh_expires_at| StoredToken {
            token: Secret::from("t"),
            scheme: None,
            refresh_token: refresh.map(Secret::from),
            refresh_expires_at,
            expires_at: now + hour,
            account: None,
            about: None,
        };
        let ms = |d: Duration| (d + EXPIRY_MARGIN).as_millis();
        // Unknown or never: the seller's only credential stays.
        assert_eq!(keep_for(&entry(Some("r"), None), now), 0);
        // Known: the later of the two deaths, plus the margin.
        let month = Duration::from_secs(30 * 86_400);
        assert_eq!(
            keep_for(&entry(Some("r"), Some(now + month)), now),
            ms(month)
        );
        assert_eq!(
            keep_for(&entry(Some("r"), Some(now + Duration::from_secs(60))), now),
            ms(hour)
        );
        assert_eq!(keep_for(&entry(None, None), now), ms(hour));
        // Both dead already: gone after the margin, never "no expiry".
        assert_eq!(
            keep_for(&entry(Some("r"), Some(now - hour)), now + 2 * hour),
            EXPIRY_MARGIN.as_millis()
        );
    }

    #[tokio::test]
    async fn the_password_stays_out_of_debug_and_errors_and_calls_end_in_time() {
        let store = RedisStore::builder("redis://:hunter2-secret@127.0.0.1:1/0")
            .timeout(Duration::from_millis(300))
            .build()
            .unwrap();
        let shown = format!("{store:?}");
        assert!(
            shown.contains("127.0.0.1:1") && !shown.contains("hunter2"),
            "{shown}"
        );
        let started = std::time::Instant::now();
        let err = store.load("k").await.unwrap_err();
        assert!(started.elapsed() < Duration::from_secs(5));
        assert!(
            matches!(err, StoreError::Unavailable(_) | StoreError::Timeout(_)),
            "{err}"
        );
        assert!(!err.to_string().contains("hunter2"), "{err}");
    }

    #[test]
    fn the_password_is_redacted_as_written_and_decoded() {
        let url = "redis://:p%40ss%2Fw0rd-42@127.0.0.1:1/0";
        let parsed = url::Url::parse(url).unwrap();
        let password = parsed.password();
        for shown in ["p%40ss%2Fw0rd-42", "p@ss/w0rd-42"] {
            let error = redis::RedisError::from((
                redis::ErrorKind::Io,
                "connection failed",
                format!("auth with {shown} refused"),
            ));
            let passwords: Vec<String> = password.into_iter().map(str::to_owned).collect();
            let text = describe(&error, &passwords);
            assert!(!text.contains("w0rd-42"), "{text}");
            assert!(text.contains("[redacted]"), "{text}");
        }
    }

    #[test]
    fn only_redis_urls_are_accepted() {
        for bad in ["http://127.0.0.1:6379", "redis://[::1", "not a url"] {
            assert!(RedisStore::open(bad).is_err(), "{bad}");
        }
        assert!(RedisStore::open("rediss://cache.internal:6380/2").is_ok());
        let store = RedisStore::builder("redis://127.0.0.1/")
            .namespace("shop")
            .build();
        assert_eq!(store.unwrap().name("igv-1", "lease"), "shop:{igv-1}:lease");
    }

    #[test]
    fn a_cluster_needs_redis_urls_and_hides_their_passwords() {
        let empty: [&str; 0] = [];
        assert!(RedisStore::cluster_builder(empty).build().is_err());
        let mixed = ["redis://127.0.0.1:7000", "http://127.0.0.1:7001"];
        assert!(RedisStore::cluster_builder(mixed).build().is_err());
        let refused = RedisStore::cluster_builder([
            "redis://:s3cret-one@127.0.0.1:7000",
            "redis://:s3cret-two@127.0.0.1:7001",
        ])
        .build()
        .unwrap_err();
        assert!(!refused.to_string().contains("s3cret"), "{refused}");
        let store = RedisStore::cluster_builder([
            "redis://:s3cret-one@127.0.0.1:7000",
            "redis://:s3cret-one@127.0.0.1:7001",
        ])
        .build()
        .unwrap();
        let shown = format!("{store:?}");
        assert!(
            shown.contains("cluster [redis://127.0.0.1:7000, redis://127.0.0.1:7001]"),
            "{shown}"
        );
        assert!(!shown.contains("s3cret"), "{shown}");
        let error = redis::RedisError::from((
            redis::ErrorKind::Io,
            "connection failed",
            "auth s3cret-one refused".to_owned(),
        ));
        let text = describe(&error, &store.passwords);
        assert!(!text.contains("s3cret"), "{text}");
    }
}
