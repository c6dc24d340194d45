//! TLS for the conversation (rustls, with ring's cryptography): the client settings each
//! `ssl-mode` asks for, and how the server's certificate is checked.

use std::path::Path;
use std::sync::Arc;

use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::client::WebPkiServerVerifier;
use rustls::crypto::{verify_tls12_signature, verify_tls13_signature, CryptoProvider};
use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, ServerName, UnixTime};
use rustls::{
    CertificateError, ClientConfig, DigitallySignedStruct, RootCertStore, SignatureScheme,
};

use crate::address::{SslMode, TlsOptions};
use crate::error::RemoteErrorKind;

/// The client settings for `tls` (whose mode is not `disabled`).
pub(crate) fn client_config(tls: &TlsOptions) -> Result<Arc<ClientConfig>, RemoteErrorKind> {
    let provider = Arc::new(ring_provider());
    let verifier: Arc<dyn ServerCertVerifier> = match (&tls.ca, tls.mode) {
        (Some(ca), mode) if mode.verifies() => {
            let webpki =
                WebPkiServerVerifier::builder_with_provider(Arc::new(roots(ca)?), provider.clone())
                    .build()
                    .map_err(|e| RemoteErrorKind::CaFile {
                        path: ca.clone(),
                        problem: e.to_string(),
                    })?;
            if mode == SslMode::VerifyIdentity {
                webpki
            } else {
                Arc::new(AnyName(webpki))
            }
        }
        _ => Arc::new(Unchecked(provider.clone())),
    };
    let config = ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .map_err(|e| RemoteErrorKind::Tls(std::io::Error::other(e)))?
        .dangerous()
        .with_custom_certificate_verifier(verifier)
        .with_no_client_auth();
    Ok(Arc::new(config))
}

/// ring's cryptography. rustls 0.23.48 marks it deprecated because ring has no
/// post-quantum key exchange; its other provider, aws-lc-rs, needs cmake and a C
/// toolchain to build. The classical exchanges ring has are what servers' OpenSSL
/// negotiates with a client that offers no other.
#[allow(deprecated)]
fn ring_provider() -> CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// The name the server's certificate is checked against with `verify-identity` (and
/// sent in the TLS greeting): the URL's host, `localhost` for a socket.
pub(crate) fn server_name(host: &str) -> Result<ServerName<'static>, RemoteErrorKind> {
    ServerName::try_from(host.to_string()).map_err(|_| {
        RemoteErrorKind::Tls(std::io::Error::other(format!(
            "'{host}' is neither a host name nor an address a certificate can be issued for"
        )))
    })
}

fn roots(ca: &Path) -> Result<RootCertStore, RemoteErrorKind> {
    let fail = |problem: String| RemoteErrorKind::CaFile {
        path: ca.to_path_buf(),
        problem,
    };
    let mut roots = RootCertStore::empty();
    for cert in CertificateDer::pem_file_iter(ca).map_err(|e| fail(e.to_string()))? {
        roots
            .add(cert.map_err(|e| fail(e.to_string()))?)
            .map_err(|e| fail(e.to_string()))?;
    }
    if roots.is_empty() {
        return Err(fail("no certificate in it".into()));
    }
    Ok(roots)
}

/// `verify-ca`: the chain must lead to a CA of `ssl-ca`, whatever names the
/// certificate carries (servers' certificates often name no host a client uses).
#[derive(Debug)]
struct AnyName(Arc<WebPkiServerVerifier>);

impl ServerCertVerifier for AnyName {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        intermediates: &[CertificateDer<'_>],
        server_name: &ServerName<'_>,
        ocsp_response: &[u8],
        now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        // The name is checked last, after the chain and the dates: an error about it
        // means everything else held.
        match self
            .0
            .verify_server_cert(end_entity, intermediates, server_name, ocsp_response, now)
        {
            Err(rustls::Error::InvalidCertificate(
                CertificateError::NotValidForName | CertificateError::NotValidForNameContext { .. },
            )) => Ok(ServerCertVerified::assertion()),
            other => other,
        }
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls12_signature(message, cert, dss)
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        self.0.verify_tls13_signature(message, cert, dss)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.supported_verify_schemes()
    }
}

/// `preferred` and `required`: encrypted, but any certificate is taken (as the MySQL
/// client does in these modes); the handshake's signatures are still checked, so the
/// peer holds the key of the certificate it shows.
#[derive(Debug)]
struct Unchecked(Arc<CryptoProvider>);

impl ServerCertVerifier for Unchecked {
    fn verify_server_cert(
        &self,
        _end_entity: &CertificateDer<'_>,
        _intermediates: &[CertificateDer<'_>],
        _server_name: &ServerName<'_>,
        _ocsp_response: &[u8],
        _now: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        Ok(ServerCertVerified::assertion())
    }

    fn verify_tls12_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls12_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn verify_tls13_signature(
        &self,
        message: &[u8],
        cert: &CertificateDer<'_>,
        dss: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        verify_tls13_signature(
            message,
            cert,
            dss,
            &self.0.signature_verification_algorithms,
        )
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        self.0.signature_verification_algorithms.supported_schemes()
    }
}
