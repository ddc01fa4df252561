//! The benchmark driver. `cargo run --release -p cors-bench -- all` reproduces BENCHMARKS.md.
//!
//! Subcommands:
//! - `report [--quick]`: instructions per request (callgrind), wall time and heap allocations
//!   per request, for every scenario and contender, in process through `call_service`.
//! - `socket [--seconds S]`: a release server on loopback under `wrk`, server CPU per request.
//! - `compile`: type-check time of a crate with 200 `#[cors]` handlers against 200 plain ones.
//! - `all`: the three above, in that order.
//! - `measure CONTENDER SCENARIO N` and `serve CONTENDER SCENARIO ADDR`: what the others run in
//!   child processes.

use std::alloc::{GlobalAlloc, Layout, System};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use std::future::Future;

use actix_web::dev::{Service, ServiceResponse};
use actix_web::test::read_body;
use cors_bench::{scenario, with_service, Contender, Scenario, SCENARIOS};

/// Counts heap allocations so that `measure` can report them per request.
struct CountingAllocator;

static ALLOCATIONS: AtomicU64 = AtomicU64::new(0);

// SAFETY: every call is forwarded unchanged to the system allocator.
unsafe impl GlobalAlloc for CountingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.alloc(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        ALLOCATIONS.fetch_add(1, Ordering::Relaxed);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

#[global_allocator]
static GLOBAL: CountingAllocator = CountingAllocator;

/// Requests sent before measuring, so that pools (request and response heads, header maps)
/// are warm in every contender alike.
const WARM_UP: usize = 64;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let result = match args.as_slice() {
        ["measure", contender, scenario, n] => measure_command(contender, scenario, n),
        ["serve", contender, scenario, addr] => serve_command(contender, scenario, addr),
        ["report", rest @ ..] => report(rest.contains(&"--quick")),
        ["socket", "--seconds", seconds] => seconds
            .parse()
            .map_err(|_| "--seconds takes a number".to_owned())
            .and_then(socket),
        ["socket"] => socket(3),
        ["compile"] => compile(),
        ["metrics"] => metrics_cost(),
        ["all"] => report(false)
            .and_then(|()| socket(3))
            .and_then(|()| compile()),
        _ => Err(
            "usage: cors-bench report [--quick] | socket [--seconds S] | compile | metrics | all"
                .to_owned(),
        ),
    };
    if let Err(message) = result {
        eprintln!("cors-bench: {message}");
        std::process::exit(1);
    }
}

fn parse(contender: &str, name: &str) -> Result<(Contender, Scenario), String> {
    let contender = Contender::parse(contender).ok_or(format!("unknown contender {contender}"))?;
    let scenario = scenario(name).ok_or(format!("unknown scenario {name}"))?;
    Ok((contender, scenario))
}

/// What one in-process run found.
struct Run {
    elapsed: Duration,
    allocations: u64,
}

/// Checks the answer once, warms up, then sends `n` requests through `call_service`.
fn run_in_process(contender: Contender, scenario: Scenario, n: usize) -> Result<Run, String> {
    // `CORS_BENCH_RECORDER=prometheus` (the `metrics` build): counted into a Prometheus
    // recorder, installed before the app is built, as an app installs it.
    #[cfg(feature = "metrics")]
    if std::env::var_os("CORS_BENCH_RECORDER").is_some_and(|value| value == "prometheus") {
        metrics_exporter_prometheus::PrometheusBuilder::new()
            .install_recorder()
            .map_err(|error| format!("installing the recorder: {error}"))?;
    }
    actix_web::rt::System::new().block_on(async move {
        let request = scenario.prepared();
        with_service!(contender, scenario, |app| {
            let response =
                actix_web::test::call_service(&app, request.test_request().to_request()).await;
            let expected = scenario.expected(contender);
            let allow_origin = response
                .headers()
                .get("access-control-allow-origin")
                .and_then(|v| v.to_str().ok())
                .map(str::to_owned);
            if (response.status(), allow_origin.clone()) != expected {
                return Err(format!(
                    "{} {}: got {} {allow_origin:?}, expected {expected:?}",
                    contender.name(),
                    scenario.name,
                    response.status()
                ));
            }
            drop(read_body(response).await);
            for _ in 0..WARM_UP {
                serve_one(&app, request.test_request().to_request())?;
            }
            let mut elapsed = Duration::ZERO;
            let mut allocations = 0;
            for _ in 0..n {
                let built = request.test_request().to_request();
                let (start, allocated) = (Instant::now(), ALLOCATIONS.load(Ordering::Relaxed));
                serve_one(&app, built)?;
                allocations += ALLOCATIONS.load(Ordering::Relaxed) - allocated;
                elapsed += start.elapsed();
            }
            Ok(Run {
                elapsed,
                allocations,
            })
        })
    })
}

/// Serves one request: the app's service call, the response, and dropping it. This is what
/// every figure measures (callgrind counts only inside this function), so building the test
/// request — the harness's work, not the server's — is left out. Every handler here completes
/// without waiting, so one poll finishes the request.
#[inline(never)]
fn serve_one<S, B>(app: &S, request: actix_http::Request) -> Result<(), String>
where
    S: Service<actix_http::Request, Response = ServiceResponse<B>, Error = actix_web::Error>,
{
    let mut future = std::pin::pin!(app.call(request));
    let mut context = std::task::Context::from_waker(std::task::Waker::noop());
    match future.as_mut().poll(&mut context) {
        std::task::Poll::Ready(Ok(response)) => {
            drop(std::hint::black_box(response));
            Ok(())
        }
        std::task::Poll::Ready(Err(error)) => Err(format!("service error: {error}")),
        std::task::Poll::Pending => Err("the service did not complete in one poll".to_owned()),
    }
}

fn measure_command(contender: &str, scenario: &str, n: &str) -> Result<(), String> {
    let (contender, scenario) = parse(contender, scenario)?;
    let n: usize = n.parse().map_err(|_| "N must be a number".to_owned())?;
    let run = run_in_process(contender, scenario, n)?;
    println!("requests {n} allocations {}", run.allocations);
    Ok(())
}

/// Instructions per request: callgrind counts inside `serve_one` only, and the difference
/// between two runs that differ only in the number of requests cancels the warm-up.
fn instructions_per_request(
    contender: Contender,
    scenario: Scenario,
    small: usize,
    large: usize,
) -> Result<f64, String> {
    instructions_with(contender, scenario, small, large, None)
}

/// [`instructions_per_request`], with `CORS_BENCH_RECORDER` set to `recorder` when given.
fn instructions_with(
    contender: Contender,
    scenario: Scenario,
    small: usize,
    large: usize,
    recorder: Option<&str>,
) -> Result<f64, String> {
    let total = |n: usize| -> Result<u64, String> {
        let exe = std::env::current_exe().map_err(|e| e.to_string())?;
        let mut valgrind = Command::new("valgrind");
        match recorder {
            Some(recorder) => valgrind.env("CORS_BENCH_RECORDER", recorder),
            None => valgrind.env_remove("CORS_BENCH_RECORDER"),
        };
        let output = valgrind
            .args([
                "--tool=callgrind",
                "--callgrind-out-file=/dev/null",
                "--toggle-collect=*serve_one*",
            ])
            .arg(exe)
            .args(["measure", contender.name(), scenario.name, &n.to_string()])
            .output()
            .map_err(|e| format!("cannot run valgrind (apt-get install valgrind): {e}"))?;
        let stderr = String::from_utf8_lossy(&output.stderr);
        if !output.status.success() {
            return Err(format!("measure failed under valgrind: {stderr}"));
        }
        stderr
            .lines()
            .find_map(|line| line.split("Collected : ").nth(1))
            .and_then(|count| count.trim().parse().ok())
            .ok_or(format!(
                "no instruction count in valgrind's output: {stderr}"
            ))
    };
    let (a, b) = (total(small)?, total(large)?);
    #[allow(clippy::cast_precision_loss)] // counts far below 2^52
    Ok((b as f64 - a as f64) / (large - small) as f64)
}

/// The bare handler has no preflight and no policy size; the floor (the handlers writing the
/// headers themselves) stands beside the allowed GET and the preflight.
fn applies(contender: Contender, scenario: Scenario) -> bool {
    match contender {
        Contender::Bare => scenario.bare_applies,
        Contender::BareWithHeaders => ["allowed-get", "preflight"].contains(&scenario.name),
        Contender::PassThrough => scenario.name == "allowed-get",
        Contender::Cors | Contender::ActixCors => true,
    }
}

struct Row {
    scenario: &'static str,
    contender: Contender,
    instructions: f64,
    nanos: f64,
    allocations: f64,
}

fn report(quick: bool) -> Result<(), String> {
    let (small, large) = if quick { (50, 250) } else { (200, 2200) };
    let wall_requests = if quick { 2_000 } else { 200_000 };
    let mut rows = Vec::new();
    for scenario in SCENARIOS {
        for contender in Contender::ALL {
            if !applies(contender, scenario) {
                continue;
            }
            let instructions = instructions_per_request(contender, scenario, small, large)?;
            // Wall time: median of five runs in this process.
            let mut nanos = Vec::new();
            let mut allocations = 0.0;
            for _ in 0..5 {
                let run = run_in_process(contender, scenario, wall_requests)?;
                #[allow(clippy::cast_precision_loss)]
                {
                    nanos.push(run.elapsed.as_nanos() as f64 / wall_requests as f64);
                    allocations = run.allocations as f64 / wall_requests as f64;
                }
            }
            nanos.sort_by(f64::total_cmp);
            rows.push(Row {
                scenario: scenario.name,
                contender,
                instructions,
                nanos: nanos[2],
                allocations,
            });
            eprintln!("measured {} {}", scenario.name, contender.name());
        }
    }
    print_report(&rows);
    Ok(())
}

fn print_report(rows: &[Row]) {
    let find = |scenario: &str, contender: Contender| {
        rows.iter()
            .find(|r| r.scenario == scenario && r.contender == contender)
    };
    println!("### In process (the app service called directly), per request served\n");
    println!(
        "| scenario | contender | instructions | vs bare GET | wall time | heap allocations |"
    );
    println!("| --- | --- | ---: | ---: | ---: | ---: |");
    let bare = find("allowed-get", Contender::Bare).map_or(f64::NAN, |r| r.instructions);
    for row in rows {
        println!(
            "| {} | {} | {:.0} | {:.2}× | {:.0} ns | {:.2} |",
            row.scenario,
            row.contender.name(),
            row.instructions,
            row.instructions / bare,
            row.nanos,
            row.allocations
        );
    }
    let get =
        |scenario: &str, contender| find(scenario, contender).map_or(f64::NAN, |r| r.instructions);
    println!("\n### Goals (instructions, this run)\n");
    println!("| goal | `#[cors]` | actix-cors | target | met |");
    println!("| --- | ---: | ---: | ---: | --- |");
    let goal = |name: &str, cors: f64, actix: f64, share: f64, label: &str| {
        println!(
            "| {name} | {cors:.0} | {actix:.0} | ≤ {:.0} ({label} of actix-cors') | {} |",
            actix * share,
            if cors <= actix * share {
                "yes"
            } else {
                "**no**"
            }
        );
    };
    // Work beyond what writing the answer's headers costs (the `bare+headers` floor).
    let beyond = |scenario: &str, contender| {
        get(scenario, contender) - get(scenario, Contender::BareWithHeaders)
    };
    goal(
        "allowed GET: beyond writing its four headers",
        beyond("allowed-get", Contender::Cors),
        beyond("allowed-get", Contender::ActixCors),
        0.25,
        "¼",
    );
    println!(
        "| … of which the least a middleware costs (`pass-through` − `bare`) | {:.0} | {:.0} | | |",
        get("allowed-get", Contender::PassThrough) - get("allowed-get", Contender::Bare),
        get("allowed-get", Contender::PassThrough) - get("allowed-get", Contender::Bare),
    );
    goal(
        "preflight: beyond a plain OPTIONS handler writing the six headers",
        beyond("preflight", Contender::Cors),
        beyond("preflight", Contender::ActixCors),
        0.125,
        "⅛",
    );
    // A refusal and a request without `Origin` write no grant; the floor is the bare handler.
    let added =
        |scenario: &str, contender| get(scenario, contender) - get(scenario, Contender::Bare);
    for (scenario, name) in [
        (
            "refused-origin",
            "refused origin: added over the bare handler",
        ),
        ("no-origin", "no `Origin`: added over the bare handler"),
        (
            "allowed-get-auth-scope",
            "allowed GET in a scope with auth: added over the bare scoped handler",
        ),
    ] {
        goal(
            name,
            added(scenario, Contender::Cors),
            added(scenario, Contender::ActixCors),
            0.25,
            "¼",
        );
    }
    println!("\n| goal | measured | target | met |");
    println!("| --- | ---: | ---: | --- |");
    let within = |name: &str, scenario: &str, limit: f64| {
        let (one, other) = (
            get("allowed-get", Contender::Cors),
            get(scenario, Contender::Cors),
        );
        let change = other / one - 1.0;
        println!(
            "| {name} | {:+.1} % | within ±{limit:.0} % | {} |",
            change * 100.0,
            if change.abs() * 100.0 <= limit {
                "yes"
            } else {
                "**no**"
            }
        );
    };
    within("1,000 origins vs 1 origin", "allowed-get-1000-origins", 5.0);
    within(
        "origins from configuration vs the same literal",
        "allowed-get-configured",
        1.0,
    );
    let (literal, tenant) = (
        get("allowed-get-tenant-path-literal", Contender::Cors),
        get("allowed-get-tenant", Contender::Cors),
    );
    let change = tenant / literal - 1.0;
    println!(
        "| a tenant's origins (warm cache) vs the same route with the literal | {:+.1} % | at most +20 % | {} |",
        change * 100.0,
        if change <= 0.20 { "yes" } else { "**no**" }
    );
    let bare_allocations = find("allowed-get", Contender::Bare).map_or(f64::NAN, |r| r.allocations);
    for scenario in ["allowed-get", "refused-origin", "no-origin", "preflight"] {
        let allocations = find(scenario, Contender::Cors).map_or(f64::NAN, |r| r.allocations);
        println!(
            "| heap allocations, {scenario} | {allocations:.2} | ≤ {bare_allocations:.2} (bare GET) | {} |",
            if allocations <= bare_allocations {
                "yes"
            } else {
                "**no**"
            }
        );
    }
    // The tenant route's handler reads its path parameter (one allocation more than the bare
    // GET's): it is held to the same route with the literal origin.
    let allocations =
        |scenario| find(scenario, Contender::Cors).map_or(f64::NAN, |r| r.allocations);
    let (literal, tenant) = (
        allocations("allowed-get-tenant-path-literal"),
        allocations("allowed-get-tenant"),
    );
    println!(
        "| heap allocations, allowed-get-tenant | {tenant:.2} | ≤ {literal:.2} (the same route with the literal) | {} |",
        if tenant <= literal { "yes" } else { "**no**" }
    );
    // A write the guard refuses (R20) is answered before the app: nothing beyond the request.
    let (refused, bare_post) = (
        allocations("cross-site-post"),
        find("cross-site-post", Contender::Bare).map_or(f64::NAN, |r| r.allocations),
    );
    println!(
        "| heap allocations, cross-site-post (refused by the guard) | {refused:.2} | ≤ {bare_post:.2} (bare POST) | {} |",
        if refused <= bare_post { "yes" } else { "**no**" }
    );
}

fn serve_command(contender: &str, scenario: &str, addr: &str) -> Result<(), String> {
    let (contender, scenario) = parse(contender, scenario)?;
    let (origins, scoped) = (scenario.origins, scenario.scoped);
    actix_web::rt::System::new().block_on(async move {
        macro_rules! serve {
            ($app:expr) => {{
                let server = actix_web::HttpServer::new(move || $app)
                    .workers(1)
                    .bind(addr)
                    .map_err(|e| e.to_string())?;
                println!("listening on {}", server.addrs()[0]);
                std::io::stdout().flush().map_err(|e| e.to_string())?;
                server.run().await.map_err(|e| e.to_string())
            }};
        }
        match contender {
            Contender::ActixCors => serve!(cors_bench::actix_cors_app(origins, scoped)),
            Contender::Cors => serve!(cors_bench::cors_app(origins, scoped)),
            Contender::PassThrough => serve!(cors_bench::plain_app(Contender::Bare, scoped)
                .wrap(cors_bench::pass_through::PassThrough)),
            _ => serve!(cors_bench::plain_app(contender, scoped)),
        }
    })
}

/// CPU time (user + system) a process has used so far.
fn cpu_time(pid: u32) -> Result<Duration, String> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).map_err(|e| e.to_string())?;
    // Fields after the parenthesised command name; utime and stime are fields 14 and 15.
    let after = stat.rsplit_once(')').ok_or("unreadable /proc stat")?.1;
    let fields: Vec<&str> = after.split_whitespace().collect();
    let ticks: u64 = fields[11].parse::<u64>().map_err(|e| e.to_string())?
        + fields[12].parse::<u64>().map_err(|e| e.to_string())?;
    let per_second = Command::new("getconf")
        .arg("CLK_TCK")
        .output()
        .ok()
        .and_then(|o| String::from_utf8(o.stdout).ok())
        .and_then(|s| s.trim().parse::<u64>().ok())
        .unwrap_or(100);
    Ok(Duration::from_secs_f64(ticks as f64 / per_second as f64))
}

/// Rounds over every socket case; each case's median is reported. On a shared virtual machine
/// a case can run 15 % slow for a few seconds: more, shorter rounds weigh that less than a few
/// long ones.
const SOCKET_ROUNDS: usize = 5;

/// Requests `wrk` writes at once on each connection. Pipelining amortises the kernel's
/// per-write cost, which otherwise dwarfs everything the server does in user space.
const PIPELINE: usize = 16;

fn socket(seconds: u64) -> Result<(), String> {
    let seconds = seconds.clamp(1, 60);
    println!(
        "\n### Over loopback (`wrk`, 1 server worker, 1 wrk thread, 32 connections, {PIPELINE} requests \
         pipelined, {seconds} s, median of {SOCKET_ROUNDS} rounds)\n"
    );
    println!("| scenario | contender | requests/s | server CPU per request |");
    println!("| --- | --- | ---: | ---: |");
    let script_dir = std::env::temp_dir().join(format!("cors-bench-{}", std::process::id()));
    std::fs::create_dir_all(&script_dir).map_err(|e| e.to_string())?;
    let cases: Vec<(Scenario, Contender)> = SCENARIOS
        .into_iter()
        .filter(|s| ["allowed-get", "refused-origin", "no-origin", "preflight"].contains(&s.name))
        .flat_map(|s| Contender::ALL.into_iter().map(move |c| (s, c)))
        .filter(|&(s, c)| applies(c, s))
        .collect();
    // Rounds alternate between the cases so that a slow spell of the machine hits all alike.
    let mut results: Vec<Vec<(f64, f64)>> = vec![Vec::new(); cases.len()];
    for _ in 0..SOCKET_ROUNDS {
        for (index, &(scenario, contender)) in cases.iter().enumerate() {
            let (requests, per_second, cpu) = wrk_run(contender, scenario, seconds, &script_dir)?;
            #[allow(clippy::cast_precision_loss)]
            results[index].push((per_second, cpu.as_secs_f64() * 1e6 / requests as f64));
        }
    }
    let mut medians = Vec::new();
    for ((scenario, contender), mut runs) in cases.into_iter().zip(results) {
        runs.sort_by(|a, b| a.1.total_cmp(&b.1));
        let (per_second, micros) = runs[SOCKET_ROUNDS / 2];
        println!(
            "| {} | {} | {per_second:.0} | {micros:.3} µs |",
            scenario.name,
            contender.name()
        );
        medians.push((scenario.name, contender, micros));
    }
    let cpu = |scenario: &str, contender: Contender| {
        medians
            .iter()
            .find(|&&(s, c, _)| s == scenario && c == contender)
            .map_or(f64::NAN, |&(_, _, micros)| micros)
    };
    println!("\n| goal (server CPU per request) | `#[cors]` | compared with | met |");
    println!("| --- | ---: | ---: | --- |");
    for scenario in ["allowed-get", "refused-origin", "no-origin", "preflight"] {
        let (cors, actix) = (
            cpu(scenario, Contender::Cors),
            cpu(scenario, Contender::ActixCors),
        );
        println!(
            "| {scenario}: at or below actix-cors | {cors:.3} µs | {actix:.3} µs | {} |",
            if cors <= actix { "yes" } else { "**no**" }
        );
    }
    let (cors, floor) = (
        cpu("allowed-get", Contender::Cors),
        cpu("allowed-get", Contender::BareWithHeaders),
    );
    println!(
        "| allowed-get: within 5 % of bare+headers | {cors:.3} µs | {floor:.3} µs ({:+.1} %) | {} |",
        (cors / floor - 1.0) * 100.0,
        if cors <= floor * 1.05 { "yes" } else { "**no**" }
    );
    std::fs::remove_dir_all(&script_dir).ok();
    Ok(())
}

/// Runs `wrk` against a fresh server; returns requests done, requests per second and the
/// server's CPU time during the run.
fn wrk_run(
    contender: Contender,
    scenario: Scenario,
    seconds: u64,
    dir: &Path,
) -> Result<(u64, f64, Duration), String> {
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let mut server = Command::new(exe)
        .args(["serve", contender.name(), scenario.name, "127.0.0.1:0"])
        .stdout(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut line = String::new();
    BufReader::new(server.stdout.take().ok_or("no stdout")?)
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    let addr = line
        .trim()
        .strip_prefix("listening on ")
        .ok_or(format!("unexpected server output {line:?}"))?
        .to_owned();
    let (method, headers) = scenario.request_parts();
    let headers: Vec<String> = headers
        .iter()
        .map(|(name, value)| format!("[\"{name}\"] = \"{value}\""))
        .collect();
    let script = format!(
        "local headers = {{ {} }}\n\
         init = function(args)\n\
           local one = wrk.format(\"{method}\", \"{path}\", headers)\n\
           req = string.rep(one, {PIPELINE})\n\
         end\n\
         request = function() return req end\n",
        headers.join(", "),
        path = scenario.path(),
    );
    let script_path: PathBuf = dir.join(format!("{}-{}.lua", contender.name(), scenario.name));
    std::fs::write(&script_path, script).map_err(|e| e.to_string())?;
    let before = cpu_time(server.id())?;
    let output = Command::new("wrk")
        .args(["-t1", "-c32", &format!("-d{seconds}s"), "-s"])
        .arg(&script_path)
        .arg(format!("http://{addr}{}", scenario.path()))
        .output();
    let after = cpu_time(server.id());
    server.kill().ok();
    server.wait().ok();
    let output = output.map_err(|e| format!("cannot run wrk (apt-get install wrk): {e}"))?;
    let text = String::from_utf8_lossy(&output.stdout);
    if text.contains("Non-2xx") || text.contains("Socket errors") {
        return Err(format!(
            "{} {}: wrk saw failures:\n{text}",
            contender.name(),
            scenario.name
        ));
    }
    let requests = text
        .lines()
        .find_map(|l| {
            l.trim()
                .split_once(" requests in ")
                .and_then(|(n, _)| n.parse().ok())
        })
        .ok_or(format!("no request count in wrk output:\n{text}"))?;
    let per_second = text
        .lines()
        .find_map(|l| {
            l.strip_prefix("Requests/sec:")
                .and_then(|v| v.trim().parse().ok())
        })
        .ok_or(format!("no rate in wrk output:\n{text}"))?;
    Ok((requests, per_second, after?.saturating_sub(before)))
}

/// Rounds of the compile-time benchmark; each round checks both crates, alternately, so that a
/// slow spell of the machine weighs on both alike.
const COMPILE_ROUNDS: usize = 9;

/// What the 200 handlers of a compile-benchmark crate carry.
#[derive(Clone, Copy, PartialEq)]
enum Handlers {
    /// `#[get]` alone.
    Plain,
    /// `#[cors(...)]` with a literal policy of its own on each.
    OwnPolicy,
    /// `#[cors(policy = SHARED)]`, one shared policy.
    SharedPolicy,
}

impl Handlers {
    const ALL: [Self; 3] = [Self::Plain, Self::OwnPolicy, Self::SharedPolicy];

    fn name(self) -> &'static str {
        match self {
            Self::Plain => "plain",
            Self::OwnPolicy => "own-policy",
            Self::SharedPolicy => "shared-policy",
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Plain => "200 × `#[get]`",
            Self::OwnPolicy => "200 × `#[cors(...)]` + `#[get]`, each its own literal policy",
            Self::SharedPolicy => "200 × `#[cors(policy = SHARED)]` + `#[get]`, one shared policy",
        }
    }
}

/// Where scratch crates and their build go: the build directory (`CARGO_TARGET_DIR` when set),
/// never the sources.
fn scratch_dir(root: &Path) -> PathBuf {
    std::env::var_os("CARGO_TARGET_DIR")
        .map_or_else(|| root.join("target"), PathBuf::from)
        .join("compile-bench")
}

/// Type-check time of generated crates with 200 handlers: plain, each with its own policy, all
/// with one shared policy.
fn compile() -> Result<(), String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .ok_or("no workspace root")?
        .to_owned();
    let base = scratch_dir(&root);
    let target = base.join("target");
    let crates: Vec<(Handlers, PathBuf)> = Handlers::ALL
        .iter()
        .map(|&handlers| (handlers, base.join(handlers.name())))
        .collect();
    let check = |dir: &Path| -> Result<Duration, String> {
        let start = Instant::now();
        // `cargo` from PATH (the rustup proxy), not the binary this was built with: the proxy pins
        // the toolchain for every rustc it starts, so a registry crate that ships a
        // rust-toolchain file cannot redirect one to a toolchain that is not installed.
        let status = Command::new("cargo")
            .args(["check", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .map_err(|e| e.to_string())?;
        if !status.success() {
            return Err(format!("cargo check of {} failed", dir.display()));
        }
        Ok(start.elapsed())
    };
    for (handlers, dir) in &crates {
        write_compile_crate(dir, &root, *handlers)?;
        check(dir)?; // dependencies
    }
    let mut times = vec![Vec::new(); crates.len()];
    for round in 1..=COMPILE_ROUNDS {
        for (index, (handlers, dir)) in crates.iter().enumerate() {
            // A changed source file makes cargo type-check the crate again, and only it.
            write_main(dir, *handlers, round)?;
            times[index].push(check(dir)?);
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|runs| {
            runs.sort();
            runs[COMPILE_ROUNDS / 2].as_secs_f64()
        })
        .collect();
    println!("\n### Compile time (`cargo check` of a crate with 200 handlers, median of {COMPILE_ROUNDS})\n");
    println!("| crate | time | ratio | goal ≤ 1.30× |");
    println!("| --- | ---: | ---: | --- |");
    for ((handlers, _), median) in crates.iter().zip(&medians) {
        let ratio = median / medians[0];
        let goal = match handlers {
            Handlers::Plain => "",
            _ if ratio <= 1.3 => "met",
            _ => "**not met**",
        };
        println!(
            "| {} | {median:.3} s | {ratio:.2}× | {goal} |",
            handlers.label()
        );
    }
    Ok(())
}

fn write_compile_crate(dir: &Path, root: &Path, handlers: Handlers) -> Result<(), String> {
    std::fs::create_dir_all(dir.join("src")).map_err(|e| e.to_string())?;
    let manifest = format!(
        "[package]\nname = \"compile-bench-{}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nactix-web = {{ version = \"4.18\", default-features = false, features = [\"macros\"] }}\n\
         cors-runtime = {{ path = {:?} }}\n\n[workspace]\n",
        handlers.name(),
        root.join("cors-runtime")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).map_err(|e| e.to_string())?;
    // The workspace's lock file pins the same dependency versions as the benchmarks use.
    std::fs::copy(root.join("Cargo.lock"), dir.join("Cargo.lock")).map_err(|e| e.to_string())?;
    write_main(dir, handlers, 0)
}

fn write_main(dir: &Path, handlers: Handlers, generation: usize) -> Result<(), String> {
    let mut source =
        format!("// generation {generation}\nuse actix_web::{{get, App, Responder}};\n\n");
    if handlers == Handlers::SharedPolicy {
        source.push_str(
            "cors_runtime::policy! {\n    SHARED {\n        origins = [\"https://app.example.com\"],\n        credentials,\n        headers = [\"x-token\"],\n    }\n}\n\n",
        );
    }
    for i in 0..200 {
        match handlers {
            Handlers::Plain => {}
            Handlers::OwnPolicy => source.push_str(
                "#[cors_runtime::cors(origins = [\"https://app.example.com\"], credentials, headers = [\"x-token\"])]\n",
            ),
            Handlers::SharedPolicy => source.push_str("#[cors_runtime::cors(policy = SHARED)]\n"),
        }
        source.push_str(&format!(
            "#[get(\"/h{i}\")]\nasync fn h{i}() -> impl Responder {{\n    \"h{i}\"\n}}\n\n"
        ));
    }
    source.push_str("fn main() {\n    let _app = App::new()");
    for i in 0..200 {
        source.push_str(&format!("\n        .service(h{i})"));
    }
    if handlers != Handlers::Plain {
        source.push_str("\n        .wrap(cors_runtime::CorsFirst::new())");
    }
    source.push_str(";\n}\n");
    std::fs::write(dir.join("src/main.rs"), source).map_err(|e| e.to_string())
}

/// What counting costs (`--features metrics`): the `#[cors]` contender's instructions per request
/// with the feature on and no recorder, and with a Prometheus recorder installed.
fn metrics_cost() -> Result<(), String> {
    if !cfg!(feature = "metrics") {
        return Err("build with the metrics feature: cargo run --release -p cors-bench --features metrics -- metrics".to_owned());
    }
    println!("| scenario | no recorder | Prometheus recorder | added |");
    println!("| --- | ---: | ---: | ---: |");
    for name in [
        "allowed-get",
        "preflight",
        "refused-origin",
        "cross-site-post",
    ] {
        let scenario = scenario(name).ok_or(format!("unknown scenario {name}"))?;
        let without = instructions_with(Contender::Cors, scenario, 200, 2200, None)?;
        let with = instructions_with(Contender::Cors, scenario, 200, 2200, Some("prometheus"))?;
        println!(
            "| {name} | {without:.0} | {with:.0} | {:+.1} % |",
            (with - without) / without * 100.0
        );
    }
    Ok(())
}
