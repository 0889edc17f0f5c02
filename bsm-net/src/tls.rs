//! Mutual TLS 1.3 for both ends: certificates and keys from PEM files, the
//! collector requiring a client certificate that its CA signed, and the
//! host a sender names checked against its certificate.

use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::crypto::CryptoProvider;
use rustls::server::WebPkiClientVerifier;
use rustls::{ClientConfig, RootCertStore, ServerConfig};
use rustls_pki_types::{CertificateDer, PrivateKeyDer, ServerName};

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

fn private_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let mut reader = BufReader::new(File::open(path).map_err(read_err(path))?);
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

/// The collector's side: TLS 1.3 only, a client certificate required.
pub fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let verifier =
        WebPkiClientVerifier::builder_with_provider(Arc::new(roots(&files.ca)?), provider())
            .build()
            .map_err(setup)?;
    let config = ServerConfig::builder_with_provider(provider())
        .with_protocol_versions(&[&rustls::version::TLS13])
        .map_err(setup)?
        .with_client_cert_verifier(verifier)
        .with_single_cert(certificates(&files.cert)?, private_key(&files.key)?)
        .map_err(setup)?;
    Ok(Arc::new(config))
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
