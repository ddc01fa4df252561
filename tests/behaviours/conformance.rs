//! The conformance routes (`src/conformance.rs`, served by `examples/conformance.rs`) checked
//! through actix-web with real headers, rule by rule (R-numbers from cors-runtime/docs/protocol.md).

use crate::common::{assert_credentialed_grant, get, preflight, send, APP, PREFLIGHT_VARY};
use actix_web::http::StatusCode;
use actix_web::test::{init_service, TestRequest};

macro_rules! app {
    () => {
        init_service(cors_workspace_tests::conformance::app()).await
    };
}

#[actix_web::test]
async fn r6_r7_r5_allowed_preflight_is_204_with_every_header() {
    let app = app!();
    let answer = send(
        &app,
        preflight("/account", APP, "POST")
            .insert_header(("access-control-request-headers", "x-token,content-type")),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_credentialed_grant(&answer, APP);
    assert_eq!(
        answer.header("access-control-allow-methods"),
        Some("GET, POST")
    );
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("x-token, content-type")
    );
    assert_eq!(answer.header("access-control-max-age"), Some("600"));
    assert_eq!(answer.header("vary"), Some(PREFLIGHT_VARY));
    assert_eq!(
        answer.header("access-control-expose-headers"),
        None,
        "R13: not on preflights"
    );
    assert_eq!(answer.body, "", "the handler never runs for a preflight");
}

#[actix_web::test]
async fn r3_r7_refused_preflight_origin_is_403_without_cors_headers() {
    let app = app!();
    for origin in [
        "https://evil.example",
        "null",
        "",
        "https://app.example.com/",
    ] {
        let answer = send(&app, preflight("/account", origin, "GET")).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin:?}");
        answer.assert_no_cors();
        assert_eq!(
            answer.header("vary"),
            Some(PREFLIGHT_VARY),
            "R14: refusals vary too"
        );
    }
}

#[actix_web::test]
async fn r3_repeated_origin_or_request_method_refuses_the_preflight() {
    let app = app!();
    let two_origins = preflight("/account", APP, "GET").append_header(("origin", APP));
    let answer = send(&app, two_origins).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    answer.assert_no_cors();

    let two_methods =
        preflight("/account", APP, "GET").append_header(("access-control-request-method", "GET"));
    let answer = send(&app, two_methods).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
    answer.assert_no_cors();
}

#[actix_web::test]
async fn r8_method_match_is_case_sensitive_and_unserved_methods_are_refused() {
    let app = app!();
    for method in ["post", "Post", "PUT", "DELETE", "PATCH"] {
        let answer = send(&app, preflight("/account", APP, method)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{method}");
        answer.assert_no_cors();
        assert_eq!(answer.body, "", "R6: no handler runs for a preflight");
    }
}

#[actix_web::test]
async fn r9_request_headers_are_parsed_tolerantly_and_every_name_must_be_allowed() {
    let app = app!();
    for list in [
        "x-token",
        "X-Token",
        " x-token , CONTENT-TYPE ,, ",
        "content-type",
        ",",
        "",
    ] {
        let request = preflight("/account", APP, "GET")
            .insert_header(("access-control-request-headers", list));
        assert_eq!(
            send(&app, request).await.status,
            StatusCode::NO_CONTENT,
            "{list:?}"
        );
    }
    let split = preflight("/account", APP, "GET")
        .insert_header(("access-control-request-headers", "x-token"))
        .append_header(("access-control-request-headers", "content-type"));
    assert_eq!(send(&app, split).await.status, StatusCode::NO_CONTENT);
    for list in [
        "x-token, x-other",
        "authorization",
        "x-token;",
        "x token",
        "x-tokenx",
    ] {
        let request = preflight("/account", APP, "GET")
            .insert_header(("access-control-request-headers", list));
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{list:?}");
        answer.assert_no_cors();
    }
}

#[actix_web::test]
async fn r9_a_post_preflight_without_header_list_succeeds() {
    // Upload progress listeners and streamed bodies preflight a POST with no header list.
    let app = app!();
    let answer = send(&app, preflight("/account", "http://localhost:3000", "POST")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://localhost:3000")
    );
}

#[actix_web::test]
async fn r6_options_without_request_method_is_not_a_preflight() {
    let app = app!();
    let request = TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/account")
        .insert_header(("origin", APP));
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    answer.assert_no_cors();
}

#[actix_web::test]
async fn r4_r13_r14_allowed_actual_request_gets_exact_origin_credentials_expose_and_vary() {
    let app = app!();
    for method in [actix_web::http::Method::GET, actix_web::http::Method::POST] {
        let request = get("/account")
            .method(method.clone())
            .insert_header(("origin", APP));
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::OK, "{method}");
        assert_eq!(answer.body, "account");
        assert_credentialed_grant(&answer, APP);
        assert_eq!(
            answer.header("access-control-expose-headers"),
            Some("x-total-count")
        );
        assert_eq!(answer.header("vary"), Some("Origin"));
        assert_eq!(answer.header("access-control-allow-methods"), None);
        assert_eq!(
            answer.header("x-secret"),
            Some("hidden"),
            "the handler's headers are kept"
        );
    }
}

#[actix_web::test]
async fn r3_r14_refused_absent_repeated_or_malformed_origin_runs_the_handler_without_cors() {
    let app = app!();
    let cases = [
        get("/account"),
        get("/account").insert_header(("origin", "https://evil.example")),
        get("/account").insert_header(("origin", "")),
        get("/account")
            .insert_header(("origin", APP))
            .append_header(("origin", APP)),
        get("/account").insert_header(("origin", "https://app.example.com, https://evil.example")),
    ];
    for request in cases {
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(
            answer.body, "account",
            "R18: simple requests reach the handler"
        );
        answer.assert_no_cors();
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
}

#[actix_web::test]
async fn r1_adversarial_origins_are_never_echoed() {
    let app = app!();
    let adversarial = [
        "https://app.example.com.evil.net", // prefix
        "https://evilapp.example.com",      // suffix
        "https://xapp.example.comx",        // substring
        "https://appxexample.com",          // unescaped dot
        "https://app.example.com@evil.net", // special characters after the host
        "https://app.example.com%60.evil.net",
        "https://app.example.com:443", // default port
        "https://app.example.com:8443",
        "https://APP.EXAMPLE.COM", // uppercase
        "HTTPS://app.example.com",
        "https://app.example.com/", // trailing slash
        "https://app.example.com/path",
        "http://app.example.com", // scheme
        "null",
        " https://app.example.com",
        "https://app.example.com ",
        "https://app.example.com,https://app.example.com",
        "http://localhost:30000",
        "http://localhost",
    ];
    for origin in adversarial {
        let answer = send(&app, get("/account").insert_header(("origin", origin))).await;
        assert_eq!(answer.status, StatusCode::OK, "{origin}");
        answer.assert_no_cors();
        let answer = send(&app, preflight("/account", origin, "GET")).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin}");
        answer.assert_no_cors();
    }
}

#[actix_web::test]
async fn subdomain_pattern_matches_whole_labels_only() {
    let app = app!();
    for origin in [
        "https://a.example.com",
        "https://a.b.example.com",
        "https://app.example.com",
    ] {
        let answer = send(&app, get("/tenants").insert_header(("origin", origin))).await;
        assert_credentialed_grant(&answer, origin);
    }
    for origin in [
        "https://example.com",
        "https://.example.com",
        "https://evilexample.com",
        "https://example.com.evil.net",
        "https://a.example.com.evil.net",
        "http://a.example.com",
        "https://a.example.com:8443",
        "https://A.example.com",
        "https://a.example.com/",
        "https://evil.net/.example.com",
        "https://evil.net?.example.com",
        "https://evil.net#.example.com",
        "https://u@evil.net.example.com:1",
    ] {
        let answer = send(&app, get("/tenants").insert_header(("origin", origin))).await;
        answer.assert_no_cors();
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
}

#[actix_web::test]
async fn wildcard_route_answers_star_with_or_without_origin_and_no_vary() {
    let app = app!();
    for request in [
        get("/public"),
        get("/public").insert_header(("origin", "https://any.example")),
    ] {
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::OK);
        assert_eq!(answer.body, "public");
        assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
        assert_eq!(
            answer.header("access-control-expose-headers"),
            Some("x-request-id")
        );
        assert_eq!(
            answer.header("access-control-allow-credentials"),
            None,
            "R4"
        );
        assert_eq!(answer.header("vary"), None);
    }
    let answer = send(&app, preflight("/public", "https://any.example", "GET")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
    assert_eq!(answer.header("access-control-allow-credentials"), None);
}

#[actix_web::test]
async fn two_handlers_on_one_path_answer_their_own_preflights() {
    let app = app!();
    let put_from_app = send(
        &app,
        preflight("/items/7", APP, "PUT")
            .insert_header(("access-control-request-headers", "content-type")),
    )
    .await;
    assert_eq!(put_from_app.status, StatusCode::NO_CONTENT);
    assert_eq!(
        put_from_app.header("access-control-allow-methods"),
        Some("PUT")
    );
    assert_eq!(
        put_from_app.header("access-control-allow-headers"),
        Some("content-type")
    );

    let delete_from_admin = send(
        &app,
        preflight("/items/7", "https://admin.example.com", "DELETE"),
    )
    .await;
    assert_eq!(delete_from_admin.status, StatusCode::NO_CONTENT);
    assert_eq!(
        delete_from_admin.header("access-control-allow-origin"),
        Some("https://admin.example.com")
    );
    assert_eq!(
        delete_from_admin.header("access-control-allow-methods"),
        Some("DELETE")
    );

    for (origin, method) in [(APP, "DELETE"), ("https://admin.example.com", "PUT")] {
        let answer = send(&app, preflight("/items/7", origin, method)).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN, "{origin} {method}");
        answer.assert_no_cors();
    }
    let patch = send(&app, preflight("/items/7", APP, "PATCH")).await;
    assert_eq!(
        patch.status,
        StatusCode::FORBIDDEN,
        "no #[cors] route serves PATCH here"
    );
    patch.assert_no_cors();

    let put = send(
        &app,
        get("/items/7")
            .method(actix_web::http::Method::PUT)
            .insert_header(("origin", APP)),
    )
    .await;
    assert_eq!((put.status, put.body.as_str()), (StatusCode::OK, "put"));
    assert_eq!(put.header("access-control-allow-origin"), Some(APP));
    // A write from an origin the DELETE route does not trust: refused before its handler (R20,
    // row 7: no `Sec-Fetch-Site`, not the server's own host).
    let delete = send(
        &app,
        get("/items/7")
            .method(actix_web::http::Method::DELETE)
            .insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(
        (delete.status, delete.body.as_str()),
        (StatusCode::FORBIDDEN, "")
    );
    delete.assert_no_cors();
}

#[actix_web::test]
async fn handler_and_extractor_errors_carry_cors_headers() {
    let app = app!();
    let fail = send(
        &app,
        get("/fail").insert_header(("origin", "http://localhost:3000")),
    )
    .await;
    assert_eq!(fail.status, StatusCode::CONFLICT);
    assert_credentialed_grant(&fail, "http://localhost:3000");
    assert_eq!(fail.header("vary"), Some("Origin"));

    let malformed = TestRequest::post()
        .uri("/json")
        .insert_header(("origin", APP))
        .insert_header(("content-type", "application/json"))
        .set_payload("{not json");
    let answer = send(&app, malformed).await;
    assert_eq!(answer.status, StatusCode::BAD_REQUEST);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    assert_eq!(answer.header("access-control-allow-credentials"), None);
    assert_eq!(answer.header("vary"), Some("Origin"));

    let good = TestRequest::post()
        .uri("/json")
        .insert_header(("origin", APP))
        .insert_header(("content-type", "application/json"))
        .set_payload(r#"{"a":1}"#);
    let answer = send(&app, good).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, r#"{"a":1}"#)
    );
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
}

#[actix_web::test]
async fn plain_http_origin_without_credentials_is_allowed() {
    let app = app!();
    let answer = send(
        &app,
        get("/scan").insert_header(("origin", "http://api.example.com")),
    )
    .await;
    assert_eq!(
        answer.header("access-control-allow-origin"),
        Some("http://api.example.com")
    );
    assert_eq!(answer.header("access-control-allow-credentials"), None);
    let answer = send(
        &app,
        get("/scan").insert_header(("origin", "https://api.example.com")),
    )
    .await;
    answer.assert_no_cors();
}

#[actix_web::test]
async fn route_without_cors_sends_nothing_and_has_no_preflight() {
    let app = app!();
    let answer = send(&app, get("/private").insert_header(("origin", APP))).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "private")
    );
    answer.assert_no_cors();
    assert_eq!(answer.header("vary"), None);
    let answer = send(&app, preflight("/private", APP, "GET")).await;
    assert_eq!(answer.status, StatusCode::NOT_FOUND);
    answer.assert_no_cors();
}

#[actix_web::test]
async fn hostile_input_is_refused_never_echoed_never_5xx() {
    let app = app!();
    let huge_origin = format!("https://{}.example.com", "a".repeat(7000));
    let many_headers = (0..5000)
        .map(|i| format!("x-h{i}"))
        .collect::<Vec<_>>()
        .join(",");
    let non_ascii =
        actix_web::http::header::HeaderValue::from_bytes(b"https://app.example.com\xff").unwrap();
    let cases = vec![
        preflight("/account", &huge_origin, "GET"),
        preflight("/tenants", &huge_origin, "GET"),
        preflight("/account", APP, "GET")
            .insert_header(("access-control-request-headers", many_headers.as_str())),
        preflight("/account", APP, "GET").insert_header((
            "access-control-request-headers",
            "x-token,".repeat(2000).as_str(),
        )),
        preflight("/account", "x", "GET").insert_header(("origin", non_ascii.clone())),
        preflight("/tenants", "x", "GET").insert_header(("origin", non_ascii.clone())),
    ];
    for request in cases {
        let answer = send(&app, request).await;
        assert_eq!(answer.status, StatusCode::FORBIDDEN);
        answer.assert_no_cors();
    }
    for path in ["/account", "/tenants", "/public"] {
        for origin in [
            actix_web::http::header::HeaderValue::from_str(&huge_origin).unwrap(),
            non_ascii.clone(),
        ] {
            let answer = send(&app, get(path).insert_header(("origin", origin))).await;
            assert_eq!(answer.status, StatusCode::OK, "{path}");
            assert!(
                answer
                    .headers
                    .get("access-control-allow-origin")
                    .is_none_or(|v| v == "*"),
                "{path}: never an echo"
            );
        }
    }
}

/// The auth-scope rows: `/api` is wrapped by an authentication middleware that answers 401
/// `login required` to any request without `Authorization` and knows nothing of CORS.
const LOCAL: &str = "http://localhost:3000";

#[actix_web::test]
async fn r6_auth_scope_preflights_are_answered_before_authentication() {
    let app = app!();
    for (path, method, headers) in [
        ("/api/me", "GET", "authorization"),
        ("/api/orders", "POST", "authorization, content-type"),
    ] {
        for origin in [APP, LOCAL] {
            let request = preflight(path, origin, method)
                .insert_header(("access-control-request-headers", headers));
            let answer = send(&app, request).await;
            assert_eq!(answer.status, StatusCode::NO_CONTENT, "{path} {origin}");
            assert_credentialed_grant(&answer, origin);
            assert_eq!(answer.header("access-control-allow-methods"), Some(method));
            assert_eq!(answer.header("access-control-allow-headers"), Some(headers));
            assert_eq!(answer.header("vary"), Some(PREFLIGHT_VARY));
            assert_eq!(
                answer.body, "",
                "neither the auth layer nor the handler answered"
            );
        }
        let refused = send(&app, preflight(path, "https://evil.example", method)).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path}");
        refused.assert_no_cors();
    }
}

#[actix_web::test]
async fn r3_r4_r14_a_refusal_by_the_auth_layer_carries_the_routes_cors_headers() {
    let app = app!();
    for origin in [APP, LOCAL] {
        let answer = send(&app, get("/api/me").insert_header(("origin", origin))).await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (StatusCode::UNAUTHORIZED, "login required")
        );
        assert_credentialed_grant(&answer, origin);
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
    let refused = send(
        &app,
        get("/api/me").insert_header(("origin", "https://evil.example")),
    )
    .await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    refused.assert_no_cors();
    assert_eq!(refused.header("vary"), Some("Origin"));
    let no_origin = send(&app, get("/api/me")).await;
    assert_eq!(no_origin.status, StatusCode::UNAUTHORIZED);
    no_origin.assert_no_cors();
    assert_eq!(no_origin.header("vary"), Some("Origin"));

    let signed_in = send(
        &app,
        get("/api/me")
            .insert_header(("origin", APP))
            .insert_header(("authorization", "Bearer t")),
    )
    .await;
    assert_eq!(
        (signed_in.status, signed_in.body.as_str()),
        (StatusCode::OK, "me")
    );
    assert_eq!(signed_in.header("access-control-allow-origin"), Some(APP));
}

#[actix_web::test]
async fn a_route_middleware_that_mutates_the_request_works_every_time() {
    let app = app!();
    for _ in 0..20 {
        let answer = send(
            &app,
            TestRequest::post()
                .uri("/api/orders")
                .insert_header(("origin", APP))
                .insert_header(("authorization", "Bearer t")),
        )
        .await;
        assert_eq!(
            (answer.status, answer.body.as_str()),
            (StatusCode::CREATED, "7")
        );
        assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
}

#[actix_web::test]
async fn r6_a_route_serving_options_never_gets_a_preflight() {
    let app = app!();
    let delete = send(&app, preflight("/both", APP, "DELETE")).await;
    assert_eq!(delete.status, StatusCode::FORBIDDEN);
    delete.assert_no_cors();
    assert_eq!(delete.body, "", "never the handler");
    let get_preflight = send(&app, preflight("/both", APP, "GET")).await;
    assert_eq!(get_preflight.status, StatusCode::NO_CONTENT);
    assert_eq!(
        get_preflight.header("access-control-allow-origin"),
        Some(APP)
    );
    assert_eq!(
        get_preflight.header("access-control-allow-methods"),
        Some("GET, OPTIONS")
    );
    assert_eq!(get_preflight.body, "");
    let plain_options = TestRequest::default()
        .method(actix_web::http::Method::OPTIONS)
        .uri("/both")
        .insert_header(("origin", APP));
    let answer = send(&app, plain_options).await;
    assert_eq!(
        (answer.status, answer.body.as_str()),
        (StatusCode::OK, "handler")
    );
    assert_credentialed_grant(&answer, APP);
    assert_eq!(answer.header("vary"), Some("Origin"));
}

#[actix_web::test]
async fn configured_origins_default_when_the_variable_is_unset() {
    // CONFORMANCE_ORIGINS is not set for the tests: the default written in the attribute holds.
    assert!(std::env::var_os("CONFORMANCE_ORIGINS").is_none());
    let app = app!();
    for origin in [
        "https://config.example.com",
        "https://eu.config.example.com",
    ] {
        let answer = send(&app, get("/configured").insert_header(("origin", origin))).await;
        assert_eq!(answer.body, "configured");
        assert_credentialed_grant(&answer, origin);
        let answer = send(&app, preflight("/configured", origin, "GET")).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT);
    }
    for origin in [
        APP,
        "http://config.example.com",
        "https://config.example.com.evil.net",
    ] {
        let answer = send(&app, get("/configured").insert_header(("origin", origin))).await;
        answer.assert_no_cors();
        assert_eq!(answer.header("vary"), Some("Origin"));
    }
}

#[actix_web::test]
async fn one_shared_policy_for_several_handlers_with_overrides_and_one_without() {
    let app = app!();
    for (path, body) in [("/shared/a", "a"), ("/shared/b", "b")] {
        for origin in [APP, LOCAL] {
            let answer = send(&app, get(path).insert_header(("origin", origin))).await;
            assert_eq!(answer.body, body);
            assert_eq!(answer.header("x-shared"), Some("1"));
            assert_credentialed_grant(&answer, origin);
            assert_eq!(
                answer.header("access-control-expose-headers"),
                Some("x-shared")
            );
        }
        send(
            &app,
            get(path).insert_header(("origin", "https://evil.example")),
        )
        .await
        .assert_no_cors();
        let answer = send(&app, preflight(path, APP, "GET")).await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT);
        assert_eq!(answer.header("access-control-max-age"), None);
        assert_eq!(answer.header("access-control-allow-headers"), None);
    }
    // The override: a request header added, its own max age; the rest as shared.
    let request = preflight("/shared/c", LOCAL, "PUT")
        .insert_header(("access-control-request-headers", "content-type"));
    let answer = send(&app, request).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_credentialed_grant(&answer, LOCAL);
    assert_eq!(answer.header("access-control-allow-methods"), Some("PUT"));
    assert_eq!(
        answer.header("access-control-allow-headers"),
        Some("content-type")
    );
    assert_eq!(answer.header("access-control-max-age"), Some("60"));
    let put = send(
        &app,
        get("/shared/c")
            .method(actix_web::http::Method::PUT)
            .insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(put.body, "c");
    assert_eq!(
        put.header("access-control-expose-headers"),
        Some("x-shared")
    );
    // Beside them, without CORS.
    let off = send(&app, get("/shared/off").insert_header(("origin", APP))).await;
    assert_eq!(off.body, "off");
    off.assert_no_cors();
    assert_eq!(off.header("vary"), None);
    assert_eq!(
        send(&app, preflight("/shared/off", APP, "GET"))
            .await
            .status,
        StatusCode::NOT_FOUND
    );
}
