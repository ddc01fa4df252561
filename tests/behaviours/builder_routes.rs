//! Routes declared builder-style (`cors_runtime::resource`) and a scope's default policy
//! (`cors_runtime::scope`), through the conformance app: preflights, actual requests, refusals,
//! the guard on writes (R20), `Vary` (R14), the routes that keep their own policy or opt out,
//! nested scopes, the report's policy source; and what stops such an app from starting.

use crate::common::{assert_credentialed_grant, get, preflight, send, APP};
use actix_web::http::{Method, StatusCode};
use actix_web::test::{init_service, TestRequest};
use actix_web::{get, post, web, App, HttpResponse, Responder};
use cors_runtime::{cors_policy, CorsFirst, PolicyFrom};
use cors_workspace_tests::conformance;

const GROUP: &str = "https://group.example.com";
const B: &str = "https://b.example.com";
const EVIL: &str = "https://evil.example";

fn from(path: &str, origin: &str) -> TestRequest {
    get(path).insert_header(("origin", origin))
}

#[actix_web::test]
async fn a_builder_style_resource_answers_by_its_policy() {
    let app = init_service(conformance::app()).await;
    let answer = send(
        &app,
        preflight("/built", APP, "POST")
            .insert_header(("access-control-request-headers", "content-type")),
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
        Some("content-type")
    );
    for method in [Method::GET, Method::POST] {
        let answer = send(
            &app,
            from("/built", APP)
                .method(method.clone())
                .insert_header(("content-type", "application/json")),
        )
        .await;
        assert_eq!(answer.body, "built", "{method}");
        assert_credentialed_grant(&answer, APP);
    }
    let refused = send(&app, preflight("/built", EVIL, "POST")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    refused.assert_no_cors();
    let refused = send(&app, from("/built", EVIL)).await;
    assert_eq!(refused.body, "built", "R18: the handler runs");
    refused.assert_no_cors();
    assert!(refused.varies_by_origin(), "R14");
    // PUT is not served: its preflight is refused.
    let put = send(&app, preflight("/built", APP, "PUT")).await;
    assert_eq!(put.status, StatusCode::FORBIDDEN);
    // R20: another site's form post is refused before the handler; the front end's is not.
    let forged = send(
        &app,
        from("/built", EVIL)
            .method(Method::POST)
            .insert_header(("sec-fetch-site", "cross-site"))
            .insert_header(("cookie", "session=1")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let own = send(
        &app,
        from("/built", APP)
            .method(Method::POST)
            .insert_header(("sec-fetch-site", "cross-site"))
            .insert_header(("cookie", "session=1")),
    )
    .await;
    assert_eq!(own.status, StatusCode::OK);
}

#[actix_web::test]
async fn a_scope_s_routes_without_a_policy_take_its_default_nested_scopes_too() {
    let app = init_service(conformance::app()).await;
    for (path, body) in [("/grouped/a", "a"), ("/grouped/inner/d", "d")] {
        let answer = send(&app, from(path, GROUP)).await;
        assert_eq!(answer.body, body);
        assert_credentialed_grant(&answer, GROUP);
        let answer = send(
            &app,
            preflight(path, GROUP, "GET").insert_header(("access-control-request-headers", "")),
        )
        .await;
        assert_eq!(answer.status, StatusCode::NO_CONTENT, "{path}");
        assert_credentialed_grant(&answer, GROUP);
        assert_eq!(
            answer.header("access-control-allow-methods"),
            Some("GET, HEAD, POST"),
            "without `methods`, what a scope's default grants"
        );
        for origin in [EVIL, APP, B] {
            let refused = send(&app, from(path, origin)).await;
            refused.assert_no_cors();
            assert!(refused.varies_by_origin(), "R14: {path} {origin}");
            let refused = send(&app, preflight(path, origin, "GET")).await;
            assert_eq!(refused.status, StatusCode::FORBIDDEN, "{path} {origin}");
        }
    }
    // A path under the scope that no route serves gets no CORS: it is actix-web's 404.
    let missing = send(&app, from("/grouped/none", GROUP)).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_no_cors();
    let missing = send(&app, preflight("/grouped/none", GROUP, "GET")).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    missing.assert_no_cors();
}

#[actix_web::test]
async fn a_route_with_its_own_policy_keeps_it_whole_and_an_opted_out_one_has_none() {
    let app = init_service(conformance::app()).await;
    let own = send(&app, from("/grouped/b", B)).await;
    assert_eq!(own.body, "b");
    assert_eq!(own.header("access-control-allow-origin"), Some(B));
    assert_eq!(own.header("access-control-allow-credentials"), None);
    let group = send(&app, from("/grouped/b", GROUP)).await;
    group.assert_no_cors();
    let group = send(&app, preflight("/grouped/b", GROUP, "GET")).await;
    assert_eq!(group.status, StatusCode::FORBIDDEN);
    for origin in [GROUP, APP, EVIL] {
        let opted_out = send(&app, from("/grouped/c", origin)).await;
        assert_eq!(opted_out.body, "c");
        opted_out.assert_no_cors();
        let preflight = send(&app, preflight("/grouped/c", origin, "GET")).await;
        assert_eq!(preflight.status, StatusCode::FORBIDDEN, "{origin}");
        preflight.assert_no_cors();
    }
}

#[actix_web::test]
async fn the_report_says_where_each_policy_came_from() {
    let report = cors_runtime::report(conformance::app()).expect("a report");
    let row = |path: &str| {
        report
            .routes
            .iter()
            .find(|route| route.path == path)
            .unwrap_or_else(|| panic!("{path} in {report}"))
    };
    assert_eq!(row("/built").policy_from, PolicyFrom::Own);
    assert_eq!(row("/built").methods, ["GET", "POST"]);
    assert_eq!(row("/built").origins, [APP]);
    assert_eq!(row("/grouped").policy_from, PolicyFrom::ScopeDefault);
    assert_eq!(row("/grouped").origins, [GROUP]);
    assert_eq!(row("/grouped/b").policy_from, PolicyFrom::Own);
    assert_eq!(row("/grouped/c").policy_from, PolicyFrom::OptedOut);
    assert!(row("/grouped/c").origins.is_empty());
    assert_eq!(
        row("/shared/a").policy_from,
        PolicyFrom::Shared("FRONT_ENDS".to_owned())
    );
    assert!(report.to_string().contains("scope default"));
}

/// Opted out, under a scope with a default.
#[cors_runtime::cors(none)]
#[get("/health")]
async fn health() -> impl Responder {
    "ok"
}

#[actix_web::test]
async fn an_attribute_route_opts_out_with_none() {
    let app = init_service(
        App::new()
            .service(
                cors_runtime::scope("/api", cors_policy!(origins = ["https://app.example.com"]))
                    .service(health)
                    .service(plain),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let opted_out = send(&app, from("/api/health", APP)).await;
    assert_eq!(opted_out.body, "ok");
    opted_out.assert_no_cors();
    let refused = send(&app, preflight("/api/health", APP, "GET")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let defaulted = send(&app, from("/api/plain", APP)).await;
    assert_eq!(defaulted.header("access-control-allow-origin"), Some(APP));
    let report = cors_runtime::report(
        App::new()
            .service(cors_runtime::scope("/api", cors_policy!(origins = ["*"])).service(health))
            .wrap(CorsFirst::new()),
    )
    .expect("a report");
    let row = report
        .routes
        .iter()
        .find(|route| route.path == "/api/health")
        .expect("the opted-out route");
    assert_eq!(row.policy_from, PolicyFrom::OptedOut);
}

async fn handler() -> HttpResponse {
    HttpResponse::Ok().finish()
}

#[get("/plain")]
async fn plain() -> impl Responder {
    "plain"
}

#[actix_web::test]
async fn what_the_macro_could_not_know_is_checked_when_the_app_is_built() {
    let unserved = App::new()
        .service(
            cors_runtime::resource(
                "/x",
                cors_policy!(origins = ["https://app.example.com"], methods = [PUT]),
            )
            .route(web::get().to(handler)),
        )
        .wrap(CorsFirst::new());
    assert_eq!(
        cors_runtime::check(unserved)
            .expect_err("refused")
            .to_string(),
        "the #[cors] route GET /x (handler `resource /x`) cannot serve: the route does not serve \
         `PUT`: `methods` may only list methods the route serves (GET)"
    );
    let unreadable = App::new()
        .service(
            cors_runtime::resource("/y", cors_policy!(origins = ["https://app.example.com"]))
                .name("y")
                .route(
                    web::route()
                        .guard(actix_web::guard::Header("x-kind", "a"))
                        .to(handler),
                ),
        )
        .wrap(CorsFirst::new());
    assert_eq!(
        cors_runtime::check(unreadable)
            .expect_err("refused")
            .to_string(),
        "the #[cors] route /y (handler `y`) cannot serve: the methods it serves cannot be read \
         from its routes (their guards pass no plain request): write them in its policy, \
         `methods = [GET, POST]`"
    );
    let opened = App::new()
        .service(
            cors_runtime::scope(
                "/open",
                cors_policy!(
                    origins = ["https://app.example.com"],
                    allow_cross_origin_writes = "every route"
                ),
            )
            .service(plain),
        )
        .wrap(CorsFirst::new());
    assert_eq!(
        cors_runtime::check(opened)
            .expect_err("refused")
            .to_string(),
        "the #[cors] route /open/* (the scope's default) cannot serve: \
         `allow_cross_origin_writes` in a scope's default would take writes from any origin on \
         every route under it: write it on the one route that needs it"
    );
    let opt_out_without_writes = App::new()
        .service(
            cors_runtime::resource(
                "/z",
                cors_policy!(
                    origins = ["https://app.example.com"],
                    allow_cross_origin_writes = "callback"
                ),
            )
            .route(web::get().to(handler)),
        )
        .wrap(CorsFirst::new());
    let message = cors_runtime::check(opt_out_without_writes)
        .expect_err("refused")
        .to_string();
    assert!(
        message.contains("`allow_cross_origin_writes` has no effect"),
        "{message}"
    );
}

#[actix_web::test]
async fn resources_sharing_a_path_are_told_apart_by_their_guards() {
    let app = init_service(
        App::new()
            .service(
                cors_runtime::resource("/site", cors_policy!(origins = ["https://a.example.com"]))
                    .guard(actix_web::guard::Host("a.test"))
                    .route(web::get().to(|| async { "site a" })),
            )
            .service(
                cors_runtime::resource("/site", cors_policy!(origins = ["https://b.example.com"]))
                    .guard(actix_web::guard::Host("b.test"))
                    .route(web::get().to(|| async { "site b" })),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    for (host, granted, refused, body) in [
        (
            "a.test",
            "https://a.example.com",
            "https://b.example.com",
            "site a",
        ),
        (
            "b.test",
            "https://b.example.com",
            "https://a.example.com",
            "site b",
        ),
    ] {
        let answer = send(&app, from("/site", granted).insert_header(("host", host))).await;
        assert_eq!(answer.status, StatusCode::OK, "{host}");
        // actix-web picked the resource by the same guard the layer did.
        assert_eq!(answer.body, body, "{host}");
        assert_eq!(answer.header("access-control-allow-origin"), Some(granted));
        let answer = send(&app, from("/site", refused).insert_header(("host", host))).await;
        answer.assert_no_cors();
    }
}

#[actix_web::test]
async fn a_nested_scope_opts_out_of_the_outer_default() {
    let app = init_service(
        App::new()
            .service(
                cors_runtime::scope("/api", cors_policy!(origins = ["https://app.example.com"]))
                    .service(plain)
                    .service(
                        cors_runtime::scope("/internal", cors_runtime::no_cors()).service(plain),
                    ),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let outer = send(&app, from("/api/plain", APP)).await;
    assert_eq!(outer.header("access-control-allow-origin"), Some(APP));
    let inner = send(&app, from("/api/internal/plain", APP)).await;
    assert_eq!(inner.body, "plain");
    inner.assert_no_cors();
    let preflight = send(&app, preflight("/api/internal/plain", APP, "GET")).await;
    assert_eq!(
        preflight.status,
        StatusCode::FORBIDDEN,
        "refused, as a route that opted out"
    );
    preflight.assert_no_cors();
}

#[post("/orders")]
async fn place_order() -> impl Responder {
    "placed"
}

fn api(config: &mut web::ServiceConfig) {
    config.service(place_order).service(plain);
}

#[actix_web::test]
async fn a_scope_default_behind_authentication_in_a_configure_function() {
    let app = init_service(
        App::new()
            .service(
                cors_runtime::scope(
                    "/api",
                    cors_policy!(
                        origins = ["https://app.example.com"],
                        credentials,
                        headers = ["authorization", "content-type"]
                    ),
                )
                .configure(api)
                .wrap(actix_web::middleware::from_fn(conformance::require_login)),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    // The preflight carries no token: answered before the authentication layer.
    let answer = send(
        &app,
        preflight("/api/orders", APP, "POST").insert_header((
            "access-control-request-headers",
            "authorization, content-type",
        )),
    )
    .await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_credentialed_grant(&answer, APP);
    // The layer's 401 reaches the front end's script.
    let expired = send(&app, from("/api/plain", APP)).await;
    assert_eq!(expired.status, StatusCode::UNAUTHORIZED);
    assert_credentialed_grant(&expired, APP);
    // Another site's form post with the session cookie: refused before authentication (R20).
    let forged = send(
        &app,
        from("/api/orders", EVIL)
            .method(Method::POST)
            .insert_header(("sec-fetch-site", "cross-site"))
            .insert_header(("cookie", "session=1"))
            .insert_header(("authorization", "Bearer stolen")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let placed = send(
        &app,
        from("/api/orders", APP)
            .method(Method::POST)
            .insert_header(("sec-fetch-site", "cross-site"))
            .insert_header(("cookie", "session=1"))
            .insert_header(("authorization", "Bearer t")),
    )
    .await;
    assert_eq!(placed.body, "placed");
    assert_credentialed_grant(&placed, APP);
}

#[actix_web::test]
async fn a_report_lists_its_own_app_s_routes_and_no_other_app_s() {
    let other = init_service(
        App::new()
            .service(
                cors_runtime::resource("/other", cors_policy!(origins = ["*"]))
                    .route(web::get().to(handler)),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let report = cors_runtime::report(
        App::new()
            .service(
                cors_runtime::resource("/mine", cors_policy!(origins = ["*"]))
                    .route(web::get().to(handler)),
            )
            .wrap(CorsFirst::new()),
    )
    .expect("a report");
    let paths: Vec<&str> = report
        .routes
        .iter()
        .map(|route| route.path.as_str())
        .collect();
    assert_eq!(paths, ["/mine"]);
    // The other app still serves by its own policy.
    let answer = send(&other, from("/other", EVIL)).await;
    assert_eq!(answer.header("access-control-allow-origin"), Some("*"));
}

#[actix_web::test]
async fn a_resource_without_a_leading_slash_is_found_as_actix_web_finds_it() {
    let app = init_service(
        App::new()
            .service(
                cors_runtime::resource("top", cors_policy!(origins = ["*"]))
                    .route(web::get().to(handler)),
            )
            .service(
                web::scope("/api").service(
                    cors_runtime::resource("items", cors_policy!(origins = ["*"]))
                        .route(web::get().to(handler)),
                ),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    for path in ["/top", "/api/items"] {
        let answer = send(&app, from(path, EVIL)).await;
        assert_eq!(answer.status, StatusCode::OK, "{path}");
        assert_eq!(
            answer.header("access-control-allow-origin"),
            Some("*"),
            "{path}"
        );
    }
}

#[actix_web::test]
async fn guarded_resources_on_one_path_answer_a_preflight_when_their_policies_agree() {
    let guarded = |kind: &'static str, origin: &'static str| {
        let policy = if origin == APP {
            cors_policy!(origins = ["https://app.example.com"])
        } else {
            cors_policy!(origins = ["https://b.example.com"])
        };
        cors_runtime::resource("/dual", policy)
            .guard(actix_web::guard::Header("x-kind", kind))
            .route(web::put().to(handler))
    };
    // A preflight carries no `x-kind`: no guard passes. The same policy: answered with it.
    let same = init_service(
        App::new()
            .service(guarded("a", APP))
            .service(guarded("b", APP))
            .wrap(CorsFirst::new()),
    )
    .await;
    let answer = send(&same, preflight("/dual", APP, "PUT")).await;
    assert_eq!(answer.status, StatusCode::NO_CONTENT);
    assert_eq!(answer.header("access-control-allow-origin"), Some(APP));
    // Different policies: which one the request will reach is unknown, so it is refused.
    let different = init_service(
        App::new()
            .service(guarded("a", APP))
            .service(guarded("b", B))
            .wrap(CorsFirst::new()),
    )
    .await;
    let answer = send(&different, preflight("/dual", APP, "PUT")).await;
    assert_eq!(answer.status, StatusCode::FORBIDDEN);
}

/// The reason a preflight to a route that opted out is refused.
#[allow(clippy::await_holding_lock)]
#[actix_web::test]
async fn a_preflight_to_a_route_that_opted_out_says_so() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Debug);
    let app = init_service(conformance::app()).await;
    let refused = send(&app, preflight("/grouped/c", GROUP, "GET")).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .filter(|line| line.starts_with("CORS preflight refused"))
        .collect();
    assert_eq!(lines.len(), 1, "{lines:?}");
    assert!(
        lines[0].contains("route=GET /grouped/c")
            && lines[0].contains("reason=the route opted out of CORS (`no_cors()`)"),
        "{}",
        lines[0]
    );
}

#[actix_web::test]
async fn a_static_and_a_dynamic_route_on_one_path_are_taken_in_registration_order() {
    let dynamic = || {
        cors_runtime::resource(
            "/items/{id}",
            cors_policy!(origins = ["https://b.example.com"]),
        )
        .route(web::get().to(handler))
    };
    let fixed = || {
        cors_runtime::resource(
            "/items/new",
            cors_policy!(origins = ["https://app.example.com"]),
        )
        .route(web::get().to(handler))
    };
    // actix-web takes the first registered resource that matches: so does the layer.
    for (app, owner) in [
        (App::new().service(dynamic()).service(fixed()), B),
        (App::new().service(fixed()).service(dynamic()), APP),
    ] {
        let app = init_service(app.wrap(CorsFirst::new())).await;
        for origin in [APP, B] {
            let answer = send(&app, from("/items/new", origin)).await;
            let expected = (origin == owner).then_some(origin);
            assert_eq!(
                answer.header("access-control-allow-origin"),
                expected,
                "{owner}"
            );
            let answer = send(&app, preflight("/items/new", origin, "GET")).await;
            assert_eq!(
                answer.header("access-control-allow-origin"),
                expected,
                "{owner}"
            );
        }
        let other = send(&app, from("/items/7", B)).await;
        assert_eq!(other.header("access-control-allow-origin"), Some(B));
    }
}

/// A refusal on a route covered by a scope's default names the route's full path (the resource
/// under the scope that the request is for), not the scope's: `POST /api/orders`, not `/api`.
#[allow(clippy::await_holding_lock)]
#[actix_web::test]
async fn a_refusal_under_a_scope_default_names_the_route_s_full_path() {
    let _capture = crate::common::log_capture::install(log::LevelFilter::Debug);
    let app = init_service(
        App::new()
            .service(
                cors_runtime::scope(
                    "/api",
                    cors_policy!(origins = ["https://app.example.com"], credentials),
                )
                .configure(api),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let forged = send(
        &app,
        from("/api/orders", EVIL)
            .method(Method::POST)
            .insert_header(("sec-fetch-site", "cross-site")),
    )
    .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    send(&app, preflight("/api/orders", EVIL, "POST")).await;
    send(&app, from("/api/plain", EVIL)).await;
    let lines: Vec<String> = crate::common::log_capture::take()
        .into_iter()
        .map(|(_, line)| line)
        .filter(|line| line.starts_with("CORS "))
        .collect();
    assert_eq!(lines.len(), 3, "{lines:?}");
    assert!(
        lines[0].contains("CORS guard refused route=POST /api/orders "),
        "{}",
        lines[0]
    );
    assert!(
        lines[1].contains("CORS preflight refused route=POST /api/orders "),
        "{}",
        lines[1]
    );
    assert!(
        lines[2].contains("CORS request refused route=GET /api/plain "),
        "{}",
        lines[2]
    );
}
