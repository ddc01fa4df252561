//! Turning development mode on in code says so when the layer is made — once per process, so
//! this binary holds this one test.

mod common;

#[cfg(debug_assertions)]
#[test]
fn explain_refusals_says_development_mode_is_on() {
    let _capture = common::log_capture::install(log::LevelFilter::Warn);
    assert!(
        std::env::var_os("CORS_RUNTIME_EXPLAIN").is_none(),
        "the environment would say it first"
    );
    let layer = cors_runtime::CorsFirst::new();
    assert!(common::log_capture::take().is_empty(), "not on by default");
    let _layer = layer.explain_refusals();
    let lines: Vec<String> = common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].starts_with("cors_runtime development mode is on"),
        "{}",
        lines[0]
    );
}
