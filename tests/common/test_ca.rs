//! A certificate authority made at test time, with `openssl` (Debian's package): its key and
//! certificate, and leaf certificates it signs for the test sites' names (`api.saas.test`,
//! `app.customer.test`, …), each valid for a day, in a scratch directory removed on drop. The
//! browser suites make their engine trust the CA by its supported means; `curl` takes
//! `--cacert`.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The CA and where its files are.
pub struct TestCa {
    pub dir: PathBuf,
}

/// A leaf certificate and its key, PEM files.
pub struct Leaf {
    pub cert: PathBuf,
    pub key: PathBuf,
}

fn openssl(dir: &Path, args: &[&str]) {
    let output = Command::new("openssl")
        .args(args)
        .current_dir(dir)
        .output()
        .expect("openssl runs");
    assert!(
        output.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

impl TestCa {
    /// A new CA in a scratch directory of its own.
    pub fn new(name: &str) -> Self {
        let dir = std::env::temp_dir().join(format!("cors-test-ca-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        openssl(
            &dir,
            &[
                "req",
                "-x509",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-days",
                "1",
                "-subj",
                "/CN=cors-runtime test CA",
                "-keyout",
                "ca.key",
                "-out",
                "ca.pem",
                "-addext",
                "basicConstraints=critical,CA:TRUE",
                "-addext",
                "keyUsage=critical,keyCertSign,cRLSign",
            ],
        );
        Self { dir }
    }

    /// The CA's certificate, PEM.
    pub fn cert(&self) -> PathBuf {
        self.dir.join("ca.pem")
    }

    /// A leaf certificate for `names` (DNS names, and `127.0.0.1`), signed by the CA.
    pub fn leaf(&self, file: &str, names: &[&str]) -> Leaf {
        let alt: Vec<String> = names
            .iter()
            .map(|name| {
                if name.parse::<std::net::IpAddr>().is_ok() {
                    format!("IP:{name}")
                } else {
                    format!("DNS:{name}")
                }
            })
            .collect();
        std::fs::write(
            self.dir.join(format!("{file}.ext")),
            format!(
                "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n\
                 extendedKeyUsage=serverAuth\nsubjectAltName={}\n",
                alt.join(",")
            ),
        )
        .expect("the extensions");
        let key = format!("{file}.key");
        let csr = format!("{file}.csr");
        let cert = format!("{file}.pem");
        openssl(
            &self.dir,
            &[
                "req",
                "-newkey",
                "ec",
                "-pkeyopt",
                "ec_paramgen_curve:prime256v1",
                "-nodes",
                "-subj",
                &format!("/CN={}", names[0]),
                "-keyout",
                &key,
                "-out",
                &csr,
            ],
        );
        openssl(
            &self.dir,
            &[
                "x509",
                "-req",
                "-in",
                &csr,
                "-CA",
                "ca.pem",
                "-CAkey",
                "ca.key",
                "-CAcreateserial",
                "-days",
                "1",
                "-extfile",
                &format!("{file}.ext"),
                "-out",
                &cert,
            ],
        );
        Leaf {
            cert: self.dir.join(cert),
            key: self.dir.join(key),
        }
    }

    /// The base64 SHA-256 of `leaf`'s public key (its SPKI): what Chromium's
    /// `--ignore-certificate-errors-spki-list` names.
    pub fn spki_hash(&self, leaf: &Leaf) -> String {
        let output = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "openssl x509 -in '{}' -pubkey -noout | openssl pkey -pubin -outform der | \
                 openssl dgst -sha256 -binary | openssl base64 -A",
                leaf.cert.display()
            ))
            .output()
            .expect("openssl runs");
        assert!(output.status.success());
        String::from_utf8_lossy(&output.stdout).trim().to_owned()
    }
}

impl Drop for TestCa {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
