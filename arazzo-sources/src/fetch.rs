//! Fetching a remote document: a size cap, redirects within the origin only, and no private
//! addresses unless allowed (a document is untrusted input: its URLs must not reach the
//! machine's own services or the cloud metadata endpoint). Also the TLS setup every reqwest
//! client of the workspace uses.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

use crate::error::SourceErrorKind;

/// How long a remote document may take to arrive.
const FETCH_TIMEOUT: Duration = Duration::from_secs(30);

/// The most bytes a remote document may have: 16 MiB, far above any real description.
pub(crate) const MAX_FETCH_BYTES: u64 = 16 * 1024 * 1024;

/// How many redirects within the origin are followed.
const MAX_REDIRECTS: usize = 5;

/// The remote documents of one load: the [`Fetcher`] is built on the first remote fetch, so
/// local loads never build one.
#[derive(Default)]
pub(crate) struct Remote(Option<Fetcher>);

impl Remote {
    /// Fetches the text at `url` (see [`Fetcher::get`]).
    pub(crate) async fn get(
        &mut self,
        url: &Url,
        allow_private: bool,
    ) -> Result<String, SourceErrorKind> {
        let fetcher = match &self.0 {
            Some(fetcher) => fetcher,
            None => self
                .0
                .insert(Fetcher::new(allow_private, FETCH_TIMEOUT).map_err(|err| {
                    SourceErrorKind::Fetch {
                        url: url.to_string(),
                        reason: err.to_string(),
                    }
                })?),
        };
        fetcher.get(url).await
    }
}

/// Fetches remote documents: one client, and whether private addresses are allowed.
pub(crate) struct Fetcher {
    client: reqwest::Client,
    allow_private: bool,
    timeout: Duration,
}

impl Fetcher {
    /// Without `allow_private`, host names resolve through a resolver that drops private
    /// addresses (this covers redirects and DNS names pointing at 127.0.0.1 alike); `timeout`
    /// bounds each whole fetch ([`FETCH_TIMEOUT`] for a load).
    pub(crate) fn new(allow_private: bool, timeout: Duration) -> reqwest::Result<Fetcher> {
        Ok(Fetcher {
            client: client(allow_private, timeout)?,
            allow_private,
            timeout,
        })
    }

    /// Fetches the text at `url`.
    ///
    /// # Errors
    /// A private address without `allow_private`, a redirect to another origin, a body
    /// larger than [`MAX_FETCH_BYTES`], an error status, a timeout, a refused connection.
    pub(crate) async fn get(&self, url: &Url) -> Result<String, SourceErrorKind> {
        fetch(self, url).await
    }
}

/// Installs rustls's `ring` crypto provider as the process default, unless the process has
/// installed one already (then that one is used).
///
/// Every HTTP client of the workspace's crates calls it first ([`client_builder`]). A program
/// that builds its own `reqwest` clients beside them, in a process with no other provider,
/// calls it before them: reqwest is built without a provider of its own (see the workspace's
/// `Cargo.toml`).
pub fn install_tls_provider() {
    if rustls::crypto::CryptoProvider::get_default().is_none() {
        // Another thread may install one between the check and here: either is fine.
        let _ = rustls::crypto::ring::default_provider().install_default();
    }
}

/// A `reqwest` client builder whose TLS runs on the installed provider
/// ([`install_tls_provider`] first).
pub fn client_builder() -> reqwest::ClientBuilder {
    install_tls_provider();
    reqwest::Client::builder()
}

fn client(allow_private: bool, timeout: Duration) -> reqwest::Result<reqwest::Client> {
    // A redirect to another origin is not followed: it would let a document fetched from one
    // server send the loader anywhere (the origin rule of `$ref`s), and the 3xx response
    // names where it pointed. Within the origin it is the same server's choice.
    let redirects = reqwest::redirect::Policy::custom(|attempt| {
        let first = attempt.previous().first().map(Url::origin);
        if first.is_some_and(|first| first != attempt.url().origin()) {
            attempt.stop()
        } else if attempt.previous().len() > MAX_REDIRECTS {
            attempt.error(format!("more than {MAX_REDIRECTS} redirects"))
        } else {
            attempt.follow()
        }
    });
    let builder = client_builder().timeout(timeout).redirect(redirects);
    match allow_private {
        true => builder.build(),
        false => builder.dns_resolver(PublicOnly).build(),
    }
}

async fn fetch(fetcher: &Fetcher, url: &Url) -> Result<String, SourceErrorKind> {
    let failed = |reason: String| SourceErrorKind::Fetch {
        url: url.to_string(),
        reason,
    };
    if !fetcher.allow_private
        && let Some(address) = ip_literal(url)
    {
        check_address(url.host_str().unwrap_or_default(), address)
            .map_err(|private| private.into_kind(url))?;
    }
    let mut response = fetcher
        .client
        .get(url.clone())
        .send()
        .await
        .map_err(|err| transport(url, &err, fetcher.timeout))?;
    let status = response.status();
    if status.is_redirection() {
        let location = response
            .headers()
            .get(http::header::LOCATION)
            .and_then(|location| location.to_str().ok())
            .and_then(|location| response.url().join(location).ok());
        return Err(match location {
            Some(location) => SourceErrorKind::CrossOriginRedirect {
                url: url.to_string(),
                location: location.to_string(),
            },
            None => failed(format!("status {status} without a usable `Location`")),
        });
    }
    if !status.is_success() {
        return Err(failed(format!("status {status}")));
    }
    let too_large = || SourceErrorKind::TooLarge {
        url: url.to_string(),
        max_bytes: MAX_FETCH_BYTES,
    };
    if response
        .content_length()
        .is_some_and(|length| length > MAX_FETCH_BYTES)
    {
        return Err(too_large());
    }
    // Counted as it streams: `Content-Length` may be absent or lie.
    let mut body = Vec::new();
    while let Some(chunk) = response
        .chunk()
        .await
        .map_err(|err| transport(url, &err, fetcher.timeout))?
    {
        if (body.len() + chunk.len()) as u64 > MAX_FETCH_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    String::from_utf8(body).map_err(|_| failed("the body is not UTF-8 text".to_string()))
}

/// A transport error as a kind: the private address the resolver refused, else what failed
/// ("timed out after 30 s", "connection refused", …).
fn transport(url: &Url, err: &reqwest::Error, timeout: Duration) -> SourceErrorKind {
    let causes = || {
        std::iter::successors(Some(err as &(dyn std::error::Error + 'static)), |err| {
            err.source()
        })
    };
    if let Some(private) = causes().find_map(|cause| cause.downcast_ref::<PrivateAddress>()) {
        return private.clone().into_kind(url);
    }
    let io_kind = causes()
        .find_map(|cause| cause.downcast_ref::<std::io::Error>())
        .map(std::io::Error::kind);
    let reason = if err.is_timeout() {
        format!("timed out after {} s", timeout.as_secs_f64())
    } else if io_kind == Some(std::io::ErrorKind::ConnectionRefused) {
        "connection refused".to_string()
    } else {
        // reqwest's own message ("error sending request") hides the cause: the innermost one
        // says what happened.
        causes()
            .last()
            .map(|cause| crate::read::plain_reason(&cause.to_string()))
            .unwrap_or_default()
    };
    SourceErrorKind::Fetch {
        url: url.to_string(),
        reason,
    }
}

/// The address of a URL whose host is an IP address (those are not resolved, so the
/// resolver never sees them).
fn ip_literal(url: &Url) -> Option<IpAddr> {
    match url.host()? {
        Host::Ipv4(address) => Some(IpAddr::V4(address)),
        Host::Ipv6(address) => Some(IpAddr::V6(address)),
        Host::Domain(_) => None,
    }
}

/// A host that resolves (or is) an address of the machine or its private network.
#[derive(Debug, Clone, thiserror::Error)]
#[error("`{host}` is {address}, {kind}")]
struct PrivateAddress {
    host: String,
    address: IpAddr,
    kind: &'static str,
}

impl PrivateAddress {
    fn into_kind(self, url: &Url) -> SourceErrorKind {
        SourceErrorKind::PrivateAddress {
            url: url.to_string(),
            address: self.address.to_string(),
            kind: self.kind.to_string(),
        }
    }
}

fn check_address(host: &str, address: IpAddr) -> Result<(), PrivateAddress> {
    match private_kind(address) {
        Some(kind) => Err(PrivateAddress {
            host: host.to_string(),
            address,
            kind,
        }),
        None => Ok(()),
    }
}

/// What kind of non-public address this is: loopback, private (RFC 1918, unique local),
/// link-local (with the cloud metadata endpoint 169.254.169.254), shared (RFC 6598),
/// unspecified; `None` for a public address.
fn private_kind(address: IpAddr) -> Option<&'static str> {
    match address.to_canonical() {
        IpAddr::V4(v4) => {
            let [first, second, ..] = v4.octets();
            if v4.is_loopback() {
                Some("a loopback address")
            } else if v4.is_private() {
                Some("a private address")
            } else if v4 == std::net::Ipv4Addr::new(169, 254, 169, 254) {
                Some("the cloud metadata address")
            } else if v4.is_link_local() {
                Some("a link-local address")
            } else if first == 100 && (64..128).contains(&second) {
                Some("a shared (carrier-grade NAT) address")
            } else if first == 0 || v4.is_broadcast() {
                Some("an unspecified address")
            } else {
                None
            }
        }
        IpAddr::V6(v6) => {
            if v6.is_loopback() {
                Some("a loopback address")
            } else if v6.is_unspecified() {
                Some("an unspecified address")
            } else if v6.is_unique_local() {
                Some("a private address")
            } else if v6.is_unicast_link_local() {
                Some("a link-local address")
            } else {
                None
            }
        }
    }
}

/// The system resolver, without the private addresses ([`private_kind`]); a name with only
/// private addresses fails with [`PrivateAddress`].
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_string();
        Box::pin(async move {
            let resolved: Vec<SocketAddr> =
                tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = resolved
                .iter()
                .copied()
                .filter(|address| private_kind(address.ip()).is_none())
                .collect();
            let private = resolved
                .iter()
                .find_map(|address| check_address(&host, address.ip()).err());
            match private {
                Some(private) if public.is_empty() => Err(private.into()),
                _ => Ok(Box::new(public.into_iter()) as Addrs),
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_addresses_are_told_apart_from_public_ones() {
        let kind = |text: &str| private_kind(text.parse().unwrap());
        for private in [
            "10.1.2.3",
            "172.16.0.1",
            "172.31.255.255",
            "192.168.1.1",
            "127.0.0.1",
            "127.9.9.9",
            "169.254.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "100.127.255.255",
            "0.0.0.0",
            "::1",
            "::",
            "fc00::1",
            "fd00:ec2::254",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
        ] {
            assert!(kind(private).is_some(), "{private} is private");
        }
        for public in [
            "8.8.8.8",
            "172.32.0.1",
            "100.128.0.1",
            "93.184.216.34",
            "2606:4700::1",
        ] {
            assert_eq!(kind(public), None, "{public} is public");
        }
        assert_eq!(kind("169.254.169.254"), Some("the cloud metadata address"));
    }

    #[tokio::test]
    async fn a_timeout_says_after_how_long() {
        // A server that accepts and never answers (it lets go after 5 s).
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        let url = Url::parse(&format!(
            "http://{}/api.yaml",
            listener.local_addr().unwrap()
        ));
        std::thread::spawn(move || {
            let held = listener.accept();
            std::thread::sleep(Duration::from_secs(5));
            drop(held);
        });
        let fetcher = Fetcher::new(true, Duration::from_millis(200)).unwrap();
        let err = fetcher.get(&url.unwrap()).await.unwrap_err();
        assert!(
            err.to_string().ends_with(": timed out after 0.2 s"),
            "{err}"
        );
    }

    #[tokio::test]
    async fn localhost_resolves_to_nothing_usable() {
        let name: Name = "localhost".parse().unwrap();
        let err = match PublicOnly.resolve(name).await {
            Ok(addrs) => panic!("resolved to {:?}", addrs.collect::<Vec<_>>()),
            Err(err) => err,
        };
        assert!(err.to_string().starts_with("`localhost` is "), "{err}");
    }
}
