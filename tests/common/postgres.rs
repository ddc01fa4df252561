//! A throwaway PostgreSQL cluster for the tests: Debian's server binaries, a data directory in a
//! temporary directory, one loopback port, run as the `postgres` user when the tests run as
//! root (the server refuses root), no systemd. `.ci/run` starts one and hands it over
//! (`CORS_TEST_PGDATA`, `CORS_TEST_PGPORT`, `CORS_TEST_PGBIN`); without them, a test starts its
//! own. Stopped and removed on drop (a handed-over one is left to `.ci/run`).

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use cors_postgres::tokio_postgres::{Client, NoTls};

/// The newest `pg_ctl` of Debian's `postgresql` package, or `CORS_TEST_PGBIN`'s.
fn server_binaries() -> Option<PathBuf> {
    if let Some(bin) = std::env::var_os("CORS_TEST_PGBIN") {
        return Some(PathBuf::from(bin));
    }
    let mut versions: Vec<PathBuf> = std::fs::read_dir("/usr/lib/postgresql")
        .ok()?
        .filter_map(Result::ok)
        .map(|entry| entry.path().join("bin"))
        .filter(|bin| bin.join("pg_ctl").exists() && bin.join("initdb").exists())
        .collect();
    versions.sort_by_key(|bin| {
        bin.parent()
            .and_then(Path::file_name)
            .and_then(|name| name.to_str())
            .and_then(|name| name.parse::<u32>().ok())
            .unwrap_or(0)
    });
    versions.pop()
}

/// A running cluster.
pub struct TestPostgres {
    bin: PathBuf,
    data: PathBuf,
    socket_dir: PathBuf,
    pub port: u16,
    /// Started here (and so stopped and removed on drop), or handed over by `.ci/run`.
    owned: bool,
}

fn is_root() -> bool {
    Command::new("id")
        .arg("-u")
        .output()
        .is_ok_and(|output| String::from_utf8_lossy(&output.stdout).trim() == "0")
}

impl TestPostgres {
    /// The cluster `.ci/run` started, or a new one. `None` (said loudly) when PostgreSQL is not
    /// installed; with `CI` set, that fails instead.
    pub fn start(name: &str) -> Option<Self> {
        let Some(bin) = server_binaries() else {
            assert!(
                std::env::var_os("CI").is_none(),
                "PostgreSQL's server is missing and CI is set: install it (apt-get install postgresql)"
            );
            eprintln!(
                "\n!!!! SKIPPED: PostgreSQL's server is not installed (apt-get install postgresql); {name} did not run !!!!\n"
            );
            return None;
        };
        if let (Some(data), Some(port)) = (
            std::env::var_os("CORS_TEST_PGDATA"),
            std::env::var("CORS_TEST_PGPORT")
                .ok()
                .and_then(|port| port.parse().ok()),
        ) {
            let data = PathBuf::from(data);
            let cluster = Self {
                bin,
                socket_dir: data
                    .parent()
                    .map_or_else(std::env::temp_dir, Path::to_path_buf),
                data,
                port,
                owned: false,
            };
            return Some(cluster);
        }
        let dir = std::env::temp_dir().join(format!("cors-pg-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let cluster = Self {
            bin,
            data: dir.join("data"),
            socket_dir: dir.clone(),
            port: super::wire::free_port(),
            owned: true,
        };
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown postgres {}", dir.display());
        }
        cluster.run("initdb", |command| {
            command.arg("-D").arg(&cluster.data).args([
                "-A",
                "trust",
                "-U",
                "postgres",
                "--no-sync",
            ]);
        });
        cluster.pg_ctl("start");
        actix_web::rt::System::new().block_on(async {
            let client = cluster.connect("postgres").await;
            client
                .batch_execute("CREATE DATABASE cors")
                .await
                .expect("CREATE DATABASE");
        });
        Some(cluster)
    }

    /// The libpq URL of the test database.
    pub fn url(&self) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/cors", self.port)
    }

    /// Runs `program` of the server's binaries (as `postgres` when root), arguments from `args`.
    fn run(&self, program: &str, args: impl FnOnce(&mut Command)) {
        let path = self.bin.join(program);
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(&path);
            command
        } else {
            Command::new(&path)
        };
        args(&mut command);
        let output = command
            .stdin(Stdio::null())
            .output()
            .unwrap_or_else(|error| panic!("{program}: {error}"));
        assert!(
            output.status.success(),
            "{program}: {}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
    }

    /// `pg_ctl ACTION` (`start`, `stop`, `restart`), waiting until it is done.
    pub fn pg_ctl(&self, action: &str) {
        let options = format!(
            "-p {} -k {} -c listen_addresses=127.0.0.1 -c fsync=off",
            self.port,
            self.socket_dir.display()
        );
        let log = self.socket_dir.join("server.log");
        self.run("pg_ctl", |command| {
            command
                .arg(action)
                .arg("-D")
                .arg(&self.data)
                .args(["-w", "-t", "60", "-m", "fast", "-o", &options, "-l"])
                .arg(&log);
        });
    }

    /// A client of `database`, its connection driven on the current runtime.
    pub async fn connect(&self, database: &str) -> Client {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            let url = format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port);
            match cors_postgres::tokio_postgres::connect(&url, NoTls).await {
                Ok((client, connection)) => {
                    actix_web::rt::spawn(async move {
                        let _ = connection.await;
                    });
                    return client;
                }
                Err(error) => {
                    assert!(Instant::now() < deadline, "connecting to {url}: {error}");
                    actix_web::rt::time::sleep(Duration::from_millis(50)).await;
                }
            }
        }
    }
}

impl Drop for TestPostgres {
    fn drop(&mut self) {
        if self.owned {
            let options = ["stop", "-m", "immediate", "-D"];
            let path = self.bin.join("pg_ctl");
            let _ = if is_root() {
                Command::new("runuser")
                    .args(["-u", "postgres", "--"])
                    .arg(&path)
                    .args(options)
                    .arg(&self.data)
                    .output()
            } else {
                Command::new(&path).args(options).arg(&self.data).output()
            };
            let _ = std::fs::remove_dir_all(&self.socket_dir);
        }
    }
}

impl TestPostgres {
    /// Creates `database` (dropped first if it exists), and returns its libpq URL.
    pub fn database(&self, database: &str) -> String {
        actix_web::rt::System::new().block_on(async {
            let client = self.connect("postgres").await;
            // Each alone: one query string is one transaction, which neither may run in.
            for statement in [
                format!("DROP DATABASE IF EXISTS {database} WITH (FORCE)"),
                format!("CREATE DATABASE {database}"),
            ] {
                client
                    .batch_execute(&statement)
                    .await
                    .unwrap_or_else(|error| panic!("{statement}: {error:?}"));
            }
        });
        format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

/// PgBouncer in front of a [`TestPostgres`], in transaction mode — the pooler of most hosted
/// PostgreSQL services: Debian's `pgbouncer`, its own ini in a temporary directory, one loopback
/// port, run as the `postgres` user when the tests run as root (it refuses root), in the
/// foreground, stopped on drop.
pub struct TestPgBouncer {
    child: std::process::Child,
    dir: PathBuf,
    pub port: u16,
}

impl TestPgBouncer {
    /// PgBouncer in `pool_mode = transaction` in front of `postgres`; `None` (said loudly) when
    /// it is not installed; with `CI` set, that fails instead.
    pub fn start(postgres: &TestPostgres, name: &str) -> Option<Self> {
        let program = Path::new("/usr/sbin/pgbouncer");
        if !super::tool_available("/usr/sbin/pgbouncer", "pgbouncer", name) {
            return None;
        }
        let dir =
            std::env::temp_dir().join(format!("cors-pgbouncer-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("a scratch directory");
        let port = super::wire::free_port();
        let ini = dir.join("pgbouncer.ini");
        std::fs::write(
            &ini,
            format!(
                "[databases]\n* = host=127.0.0.1 port={}\n[pgbouncer]\nlisten_addr = 127.0.0.1\n\
                 listen_port = {port}\nauth_type = trust\nauth_file = {}\npool_mode = transaction\n\
                 default_pool_size = 8\nmax_client_conn = 200\nunix_socket_dir =\n\
                 logfile = {}\npidfile = {}\n",
                postgres.port,
                dir.join("users.txt").display(),
                dir.join("pgbouncer.log").display(),
                dir.join("pgbouncer.pid").display(),
            ),
        )
        .expect("the ini");
        std::fs::write(dir.join("users.txt"), "\"postgres\" \"\"\n").expect("the users");
        if is_root() {
            let status = Command::new("chown")
                .args(["-R", "postgres"])
                .arg(&dir)
                .status()
                .expect("chown");
            assert!(status.success(), "chown postgres {}", dir.display());
        }
        let mut command = if is_root() {
            let mut command = Command::new("runuser");
            command.args(["-u", "postgres", "--"]).arg(program);
            command
        } else {
            Command::new(program)
        };
        let child = command
            .arg(&ini)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("pgbouncer starts");
        let bouncer = Self { child, dir, port };
        super::wire::wait_for(port);
        Some(bouncer)
    }

    /// The libpq URL of `database` through the pooler.
    pub fn url(&self, database: &str) -> String {
        format!("postgresql://postgres@127.0.0.1:{}/{database}", self.port)
    }
}

impl Drop for TestPgBouncer {
    fn drop(&mut self) {
        // `runuser` does not pass SIGKILL on: the pooler itself is ended by its pid.
        if let Ok(pid) = std::fs::read_to_string(self.dir.join("pgbouncer.pid")) {
            let _ = Command::new("kill").arg(pid.trim()).status();
        }
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
