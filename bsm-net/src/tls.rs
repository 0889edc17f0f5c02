//! Mutual TLS 1.3 for both ends: certificates and keys from PEM files, the
//! collector requiring a client certificate that its CA signed, and the
//! host a sender names checked against its certificate.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::server::danger::ClientCertVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName, UnixTime};

/// Where an end's identity and the CA it trusts are.
#[derive(Debug, Clone)]
pub struct TlsFiles {
    /// This end's certificate chain (PEM).
    pub cert: PathBuf,
    /// Its private key (PEM).
    pub key: PathBuf,
    /// The CA certificates the other end's certificate must chain to (PEM).
    pub ca: PathBuf,
}

#[derive(Debug, thiserror::Error)]
pub enum TlsError {
    #[error("{path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("{0}: no certificate in it")]
    NoCertificate(String),
    #[error("{0}: no private key in it")]
    NoKey(String),
    #[error("{path}: a private key others may read (mode {mode:04o}): make it 0600")]
    KeyExposed { path: String, mode: u32 },
    #[error("TLS set-up: {0}")]
    Setup(String),
}

// ring: it builds without cmake, which aws-lc-rs needs; ring lacks the
// post-quantum hybrid key exchange (hence the deprecation), a one-line
// change once the build has cmake.
#[allow(deprecated)]
fn provider() -> Arc<CryptoProvider> {
    Arc::new(rustls::crypto::ring::default_provider())
}

fn read_err(path: &Path) -> impl FnOnce(std::io::Error) -> TlsError + '_ {
    move |source| TlsError::Read {
        path: path.display().to_string(),
        source,
    }
}

fn certificates(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let mut reader = BufReader::new(File::open(path).map_err(read_err(path))?);
    let certs = rustls_pemfile::certs(&mut reader)
        .collect::<Result<Vec<_>, _>>()
        .map_err(read_err(path))?;
    if certs.is_empty() {
        return Err(TlsError::NoCertificate(path.display().to_string()));
    }
    Ok(certs)
}

/// The private key at `path`, which only its owner may read (as ssh
/// insists for its keys).
fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    use std::os::unix::fs::PermissionsExt;
    let file = File::open(path).map_err(read_err(path))?;
    let mode = file
        .metadata()
        .map_err(read_err(path))?
        .permissions()
        .mode()
        & 0o7777;
    if mode & 0o077 != 0 {
        return Err(TlsError::KeyExposed {
            path: path.display().to_string(),
            mode,
        });
    }
    let mut reader = BufReader::new(file);
    rustls_pemfile::private_key(&mut reader)
        .map_err(read_err(path))?
        .ok_or_else(|| TlsError::NoKey(path.display().to_string()))
}

fn roots(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for cert in certificates(path)? {
        roots
            .add(cert)
            .map_err(|err| TlsError::Setup(format!("{}: {err}", path.display())))?;
    }
    Ok(roots)
}

fn setup<E: std::fmt::Display>(err: E) -> TlsError {
    TlsError::Setup(err.to_string())
}

/// Whose a client certificate is, by the CA that signed it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A host that ships its records.
    Sender,
    /// An analyst, who may list, fetch and follow what is stored.
    Analyst,
}

/// The collector's TLS: the server configuration (a client certificate of
/// either CA required) and the verifiers that tell the roles apart.
pub struct ServerTls {
    pub config: Arc<ServerConfig>,
    senders: Arc<dyn ClientCertVerifier>,
    analysts: Option<Arc<dyn ClientCertVerifier>>,
}

fn client_verifier(roots: RootCertStore) -> Result<Arc<dyn ClientCertVerifier>, TlsError> {
    WebPkiClientVerifier::builder_with_provider(Arc::new(roots), provider())
        .build()
        .map_err(setup)
}

/// The collector's side: TLS 1.3 only, a client certificate required,
/// signed by the senders' CA (`files.ca`) or the analysts' (`analyst_ca`).
/// The two must differ: with one CA, every sender could read every host's
/// trails.
pub fn server_tls(files: &TlsFiles, analyst_ca: Option<&Path>) -> Result<ServerTls, TlsError> {
    let sender_roots = roots(&files.ca)?;
    let mut either = sender_roots.clone();
    let analysts = match analyst_ca {
        Some(path) => {
            let shared = certificates(&files.ca)?;
            for cert in certificates(path)? {
                if shared.contains(&cert) {
                    return Err(TlsError::Setup(format!(
                        "{} and {} share a CA certificate: analysts need a CA of their own",
                        path.display(),
                        files.ca.display()
                    )));
                }
                either
                    .add(cert)
                    .map_err(|err| TlsError::Setup(format!("{}: {err}", path.display())))?;
            }
            Some(client_verifier(roots(path)?)?)
        }
        None => None,
    };
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(setup)?
        .with_client_cert_verifier(client_verifier(either)?)
        .with_single_cert(certificates(&files.cert)?, private_key(&files.key)?)
        .map_err(setup)?;
    Ok(ServerTls {
        config: Arc::new(config),
        senders: client_verifier(sender_roots)?,
        analysts,
    })
}

impl ServerTls {
    /// The role of a peer whose chain (`chain[0]` its own certificate) the
    /// handshake verified: which of the two CAs it chains to.
    pub fn role(&self, chain: &[CertificateDer<'_>]) -> Option<Role> {
        let (cert, intermediates) = chain.split_first()?;
        let now = UnixTime::now();
        let signed_by = |verifier: &Arc<dyn ClientCertVerifier>| {
            verifier
                .verify_client_cert(cert, intermediates, now)
                .is_ok()
        };
        let sender = signed_by(&self.senders);
        let analyst = self.analysts.as_ref().is_some_and(signed_by);
        match (sender, analyst) {
            (true, false) => Some(Role::Sender),
            (false, true) => Some(Role::Analyst),
            _ => None,
        }
    }
}

/// A sender's side: TLS 1.3 only, its certificate offered.
pub fn client_config(files: &TlsFiles) -> Result<Arc<ClientConfig>, TlsError> {
    let config = ClientConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(setup)?
        .with_root_certificates(roots(&files.ca)?)
        .with_client_auth_cert(certificates(&files.cert)?, private_key(&files.key)?)
        .map_err(setup)?;
    Ok(Arc::new(config))
}

/// Whether the peer's certificate (`chain[0]`, already verified against
/// the CA) names `host`: a sender may only ship as the host it is.
pub fn certificate_names(chain: &[CertificateDer<'_>], host: &str) -> Result<(), String> {
    let cert = chain.first().ok_or("no client certificate")?;
    let name = ServerName::try_from(host).map_err(|_| format!("{host:?} is not a host name"))?;
    webpki::EndEntityCert::try_from(cert)
        .map_err(|err| format!("the client certificate: {err}"))?
        .verify_is_valid_for_subject_name(&name)
        .map_err(|_| format!("the client certificate does not name {host}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    #[test]
    fn a_private_key_others_may_read_is_refused() {
        let path = std::env::temp_dir().join(format!("bsm-net-key-{}", std::process::id()));
        std::fs::write(&path, "not read: the mode is judged first").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o640)).unwrap();
        let refused = private_key(&path).unwrap_err().to_string();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o600)).unwrap();
        let private = private_key(&path).unwrap_err().to_string();
        std::fs::remove_file(&path).unwrap();
        assert_eq!(
            refused,
            format!(
                "{}: a private key others may read (mode 0640): make it 0600",
                path.display()
            )
        );
        assert_eq!(private, format!("{}: no private key in it", path.display()));
    }
}
