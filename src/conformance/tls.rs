//! HTTPS for the conformance server (`CONFORMANCE_TLS_CERT`, `CONFORMANCE_TLS_KEY`: PEM files):
//! actix-web's own TLS, rustls 0.23 with the `ring` crypto provider, HTTP/2 chosen by ALPN and
//! HTTP/1.1 beside it. Behind the `tls` feature of this package, so that nothing else compiles
//! rustls.

use std::path::Path;
use std::sync::Arc;

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};

/// The server's TLS configuration from a certificate chain and its key, PEM files: the
/// certificate first, then any intermediates.
///
/// # Errors
/// A file that cannot be read, holds no certificate or key, or a key that does not fit the
/// certificate — each said with the variable and the path.
pub fn server_config(cert: &Path, key: &Path) -> Result<rustls::ServerConfig, String> {
    let chain: Vec<CertificateDer<'static>> = CertificateDer::pem_file_iter(cert)
        .map_err(|error| format!("CONFORMANCE_TLS_CERT `{}`: {error}", cert.display()))?
        .collect::<Result<_, _>>()
        .map_err(|error| format!("CONFORMANCE_TLS_CERT `{}`: {error}", cert.display()))?;
    if chain.is_empty() {
        return Err(format!(
            "CONFORMANCE_TLS_CERT `{}`: no PEM certificate in it",
            cert.display()
        ));
    }
    let key = PrivateKeyDer::from_pem_file(key)
        .map_err(|error| format!("CONFORMANCE_TLS_KEY `{}`: {error}", key.display()))?;
    // rustls 0.23.48 deprecates ring's provider for its lack of post-quantum key exchange;
    // aws-lc-rs has it, at the build cost BENCHMARKS.md measures. A test and demo server on
    // loopback takes ring's.
    #[allow(deprecated)]
    let provider = rustls::crypto::ring::default_provider();
    rustls::ServerConfig::builder_with_provider(Arc::new(provider))
        .with_safe_default_protocol_versions()
        .map_err(|error| format!("TLS: {error}"))?
        .with_no_client_auth()
        .with_single_cert(chain, key)
        .map_err(|error| format!("CONFORMANCE_TLS_CERT and CONFORMANCE_TLS_KEY: {error}"))
}
