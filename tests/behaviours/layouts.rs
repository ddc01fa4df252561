//! Every route layout actix-web serves, `CorsFirst` serves: scopes and routes whose patterns put
//! end to end would not make one pattern — a parameter name used twice, more than 16 dynamic
//! segments in all — regex segments and tail segments, nested scopes. Each route is decided by
//! its full path matched the way actix-web matches it, and no layout makes any request panic,
//! over a real socket too.

use std::io::Write;

use crate::common::{assert_credentialed_grant, get, preflight, send, APP};
use actix_web::http::StatusCode;
use actix_web::test::init_service;
use actix_web::{get, put, web, App, HttpRequest, HttpServer, Responder};
use cors_runtime::{cors, CorsFirst};

/// The everyday nested resource: `id` is the scope's and the route's parameter both.
#[cors(origins = ["https://app.example.com"], credentials, headers = ["content-type"])]
#[get("/members/{id}")]
async fn member(request: HttpRequest) -> impl Responder {
    // actix-web keeps both values; the later one is the route's.
    format!("member {}", request.match_info().as_str())
}

#[cors(origins = ["https://admin.example.com"], credentials)]
#[put("/members/{id}")]
async fn replace_member() -> impl Responder {
    "replaced"
}

/// Nine segments in the scope, eight in the route: seventeen, one more than one pattern holds.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/r/{r0}/{r1}/{r2}/{r3}/{r4}/{r5}/{r6}/{r7}")]
async fn deep() -> impl Responder {
    "deep"
}

/// Sixteen segments, most of them joined by `-` rather than `/`: where the layer can cut the
/// full pattern into patterns of at most sixteen segments depends on where the slashes are.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/{d1}-{d2}-{d3}-{d4}-{d5}-{d6}-{d7}-{d8}-{d9}/{e1}-{e2}-{e3}-{e4}-{e5}-{e6}-{e7}")]
async fn hyphenated() -> impl Responder {
    "hyphenated"
}

/// Regex segments in the scope and the route.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/items/{id:\\d{1,4}}")]
async fn item() -> impl Responder {
    "item"
}

/// A tail segment under a dynamic scope.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/files/{path}*")]
async fn file() -> impl Responder {
    "file"
}

/// Three levels, one parameter name.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("/x/{id}")]
async fn innermost() -> impl Responder {
    "innermost"
}

/// The empty path of a scope: the scope's own path.
#[cors(origins = ["https://app.example.com"], credentials)]
#[get("")]
async fn scope_root() -> impl Responder {
    "scope root"
}

/// Beside them, without CORS.
#[get("/plain")]
async fn plain() -> impl Responder {
    "plain"
}

const DEEP_SCOPE: &str = "/s/{s0}/{s1}/{s2}/{s3}/{s4}/{s5}/{s6}/{s7}/{s8}";

fn layouts(config: &mut web::ServiceConfig) {
    config
        .service(
            web::scope("/orgs/{id}")
                .service(member)
                .service(replace_member),
        )
        .service(web::scope(DEEP_SCOPE).service(deep))
        .service(web::scope("/shop/{shop:[a-z]+}").service(item))
        .service(web::scope("/v1/{tenant}").service(file))
        .service(web::scope("/t/{id}").service(web::scope("/p/{id}").service(innermost)))
        .service(web::scope("/home/{id}").service(scope_root))
        .service(plain);
}

fn app() -> App<
    impl actix_web::dev::ServiceFactory<
        actix_web::dev::ServiceRequest,
        Config = (),
        Response = actix_web::dev::ServiceResponse<impl actix_web::body::MessageBody>,
        Error = actix_web::Error,
        InitError = (),
    >,
> {
    App::new().configure(layouts).wrap(CorsFirst::new())
}

#[actix_web::test]
async fn a_parameter_name_in_the_scope_and_the_route() {
    let app = init_service(app()).await;
    let answer = send(
        &app,
        get("/orgs/7/members/9").insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(answer.status, StatusCode::OK);
    assert_eq!(answer.body, "member /orgs/7/members/9");
    assert_credentialed_grant(&answer, APP);
    let asked = send(
        &app,
        preflight("/orgs/7/members/9", APP, "GET")
            .insert_header(("access-control-request-headers", "content-type")),
    )
    .await;
    assert_eq!(asked.status, StatusCode::NO_CONTENT);
    assert_credentialed_grant(&asked, APP);
    // The other handler of the path answers its own method's preflight with its own policy.
    let admin = "https://admin.example.com";
    let replace = send(&app, preflight("/orgs/7/members/9", admin, "PUT")).await;
    assert_eq!(replace.status, StatusCode::NO_CONTENT);
    assert_credentialed_grant(&replace, admin);
    assert_eq!(
        send(&app, preflight("/orgs/7/members/9", APP, "PUT"))
            .await
            .status,
        StatusCode::FORBIDDEN
    );
    // Not the route: one segment short, one too many.
    for path in ["/orgs/7/members/", "/orgs/7/members/9/x", "/orgs/members/9"] {
        let answer = send(&app, get(path).insert_header(("origin", APP))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        answer.assert_no_cors();
    }
}

#[actix_web::test]
async fn seventeen_segments_in_the_scope_and_the_route() {
    let app = init_service(app()).await;
    let path = "/s/0/1/2/3/4/5/6/7/8/r/0/1/2/3/4/5/6/7";
    let answer = send(&app, get(path).insert_header(("origin", APP))).await;
    assert_eq!(answer.body, "deep");
    assert_credentialed_grant(&answer, APP);
    assert_eq!(
        send(&app, preflight(path, APP, "GET")).await.status,
        StatusCode::NO_CONTENT
    );
    let short = "/s/0/1/2/3/4/5/6/7/8/r/0/1/2/3/4/5/6";
    assert_eq!(
        send(&app, preflight(short, APP, "GET")).await.status,
        StatusCode::NOT_FOUND,
        "not a #[cors] path: routed as usual"
    );
}

#[actix_web::test]
async fn thirty_four_segments_in_nested_scopes_joined_by_hyphens() {
    // 8 + 10 + 16 segments: each pattern within actix-web's limit, 34 in all, few slashes.
    let app = init_service(
        App::new()
            .service(
                web::scope("/{a1}-{a2}-{a3}-{a4}-{a5}-{a6}-{a7}-{a8}").service(
                    web::scope("/{b1}-{b2}/{c1}-{c2}-{c3}-{c4}-{c5}-{c6}-{c7}-{c8}")
                        .service(hyphenated),
                ),
            )
            .wrap(CorsFirst::new()),
    )
    .await;
    let path = "/a-a-a-a-a-a-a-a/b-b/c-c-c-c-c-c-c-c/d-d-d-d-d-d-d-d-d/e-e-e-e-e-e-e";
    let answer = send(&app, get(path).insert_header(("origin", APP))).await;
    assert_eq!(answer.body, "hyphenated");
    assert_credentialed_grant(&answer, APP);
    assert_eq!(
        send(&app, preflight(path, APP, "GET")).await.status,
        StatusCode::NO_CONTENT
    );
}

#[actix_web::test]
async fn regex_and_tail_segments() {
    let app = init_service(app()).await;
    let answer = send(
        &app,
        get("/shop/books/items/42").insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(answer.body, "item");
    assert_credentialed_grant(&answer, APP);
    for path in [
        "/shop/Books/items/42",
        "/shop/books/items/12345",
        "/shop/books/items/x",
    ] {
        let answer = send(&app, get(path).insert_header(("origin", APP))).await;
        assert_eq!(answer.status, StatusCode::NOT_FOUND, "{path}");
        answer.assert_no_cors();
    }
    let tail = send(
        &app,
        get("/v1/acme/files/a/b/c.txt").insert_header(("origin", APP)),
    )
    .await;
    assert_eq!(tail.body, "file");
    assert_credentialed_grant(&tail, APP);
}

#[actix_web::test]
async fn nested_scopes_and_a_scopes_own_path() {
    let app = init_service(app()).await;
    let answer = send(&app, get("/t/1/p/2/x/3").insert_header(("origin", APP))).await;
    assert_eq!(answer.body, "innermost");
    assert_credentialed_grant(&answer, APP);
    let root = send(&app, get("/home/5").insert_header(("origin", APP))).await;
    assert_eq!(root.body, "scope root");
    assert_credentialed_grant(&root, APP);
    let beside = send(&app, get("/plain").insert_header(("origin", APP))).await;
    assert_eq!(beside.body, "plain");
    beside.assert_no_cors();
}

#[test]
fn the_report_lists_each_route_by_its_full_path() {
    let report = cors_runtime::report(app()).expect("the app starts");
    let paths: Vec<&str> = report
        .routes
        .iter()
        .filter(|route| route.policy_from != cors_runtime::PolicyFrom::NoPolicy)
        .map(|route| route.path.as_str())
        .collect();
    assert_eq!(
        paths,
        [
            "/orgs/{id}/members/{id}",
            "/orgs/{id}/members/{id}",
            &format!("{DEEP_SCOPE}/r/{{r0}}/{{r1}}/{{r2}}/{{r3}}/{{r4}}/{{r5}}/{{r6}}/{{r7}}"),
            "/shop/{shop:[a-z]+}/items/{id:\\d{1,4}}",
            "/v1/{tenant}/files/{path}*",
            "/t/{id}/p/{id}/x/{id}",
            "/home/{id}",
        ]
    );
}

#[test]
fn over_a_real_socket_every_request_is_answered() {
    let port = crate::common::wire::free_port();
    std::thread::spawn(move || {
        actix_web::rt::System::new().block_on(async move {
            HttpServer::new(app)
                .workers(1)
                .bind(("127.0.0.1", port))
                .expect("port")
                .run()
                .await
                .expect("server");
        });
    });
    crate::common::wire::wait_for(port);
    let mut stream = crate::common::wire::connect(port);
    let mut buffer = Vec::new();
    // The first request of the worker is for another route: nothing about the layout of the
    // #[cors] routes may make it (or any later one) fail.
    for (request, status, body) in [
        ("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n", 200, "plain"),
        (
            "GET /orgs/7/members/9 HTTP/1.1\r\nHost: x\r\nOrigin: https://app.example.com\r\n\r\n",
            200,
            "member /orgs/7/members/9",
        ),
        (
            "OPTIONS /s/0/1/2/3/4/5/6/7/8/r/0/1/2/3/4/5/6/7 HTTP/1.1\r\nHost: x\r\nOrigin: \
             https://app.example.com\r\nAccess-Control-Request-Method: GET\r\n\r\n",
            204,
            "",
        ),
        ("GET /plain HTTP/1.1\r\nHost: x\r\n\r\n", 200, "plain"),
    ] {
        stream.write_all(request.as_bytes()).expect("send");
        let response = crate::common::wire::read_response(&mut stream, &mut buffer)
            .expect("an answer, no panic");
        assert_eq!(response.status, status, "{request}");
        assert_eq!(String::from_utf8_lossy(&response.body), body);
        if request.contains("Origin") {
            assert_eq!(
                response.one("access-control-allow-origin"),
                Some(APP),
                "{request}"
            );
        }
    }
}
