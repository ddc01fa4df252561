//! Origins from environment variables: the usual mistakes in a variable — empty, origins
//! separated by spaces or semicolons, unset — get messages of their own, and one variable used
//! by several routes is one message naming them all. One test in this file: it sets variables,
//! and nothing else in this process reads the environment meanwhile.

mod common;

use actix_web::{get, App, Responder};
use cors_runtime::{cors, CorsFirst};

#[cors(origins = env("CORS_TEST_EMPTY"), credentials)]
#[get("/empty")]
async fn empty() -> impl Responder {
    "empty"
}

#[cors(origins = env("CORS_TEST_SPACES"), credentials)]
#[get("/spaces")]
async fn spaces() -> impl Responder {
    "spaces"
}

#[cors(origins = env("CORS_TEST_SEMICOLONS"), credentials)]
#[get("/semicolons")]
async fn semicolons() -> impl Responder {
    "semicolons"
}

#[cors(origins = env("CORS_TEST_UNSET_IN_ATTRIBUTE"))]
#[get("/unset")]
async fn unset() -> impl Responder {
    "unset"
}

cors_runtime::policy! {
    /// Origins from a variable nobody sets in this test.
    pub(crate) FROM_ENV {
        origins = env("CORS_TEST_UNSET_IN_POLICY"),
    }
}

#[cors(policy = FROM_ENV)]
#[get("/unset-shared")]
async fn unset_shared() -> impl Responder {
    "unset shared"
}

cors_runtime::policy! {
    /// The front ends, from one variable, for several routes.
    pub(crate) FRONT_ENDS {
        origins = env("CORS_TEST_FRONT_ENDS"),
        credentials,
    }
}

#[cors(policy = FRONT_ENDS)]
#[get("/front/a")]
async fn front_a() -> impl Responder {
    "a"
}

#[cors(policy = FRONT_ENDS)]
#[get("/front/b")]
async fn front_b() -> impl Responder {
    "b"
}

#[cors(origins = env("CORS_TEST_FRONT_ENDS"), credentials, headers = ["content-type"])]
#[get("/front/c")]
async fn front_c() -> impl Responder {
    "c"
}

fn messages<T>(app: App<T>) -> Vec<String>
where
    T: actix_web::dev::ServiceFactory<
            actix_web::dev::ServiceRequest,
            Config = (),
            Response = actix_web::dev::ServiceResponse,
            Error = actix_web::Error,
            InitError = (),
        > + 'static,
{
    cors_runtime::check(app)
        .expect_err("refused")
        .0
        .iter()
        .map(ToString::to_string)
        .collect()
}

#[test]
fn the_usual_mistakes_in_a_variable_have_messages_of_their_own() {
    // SAFETY (edition 2024 terms): this is the only test of this binary, and it sets every
    // variable before any app reads one.
    std::env::set_var("CORS_TEST_EMPTY", " ");
    std::env::set_var(
        "CORS_TEST_SPACES",
        "https://a.example.com https://b.example.com",
    );
    std::env::set_var(
        "CORS_TEST_SEMICOLONS",
        "https://a.example.com;https://b.example.com, https://c.example.com",
    );
    std::env::set_var("CORS_TEST_FRONT_ENDS", "*");
    std::env::remove_var("CORS_TEST_UNSET_IN_ATTRIBUTE");
    std::env::remove_var("CORS_TEST_UNSET_IN_POLICY");

    assert_eq!(
        messages(App::new().service(empty)),
        ["the #[cors] route GET /empty (handler `empty`) takes its origins from the environment \
          variable `CORS_TEST_EMPTY`: it is empty: set it to the allowed origins, separated by \
          commas (`https://app.example.com, https://admin.example.com`)"]
    );
    assert_eq!(
        messages(App::new().service(spaces)),
        [
            "the #[cors] route GET /spaces (handler `spaces`) takes its origins from the \
          environment variable `CORS_TEST_SPACES`: entry 1 `https://a.example.com \
          https://b.example.com`: origins are separated by commas, not spaces: write \
          `https://a.example.com, https://b.example.com`"
        ]
    );
    assert_eq!(
        messages(App::new().service(semicolons)),
        [
            "the #[cors] route GET /semicolons (handler `semicolons`) takes its origins from the \
          environment variable `CORS_TEST_SEMICOLONS`: entry 1 \
          `https://a.example.com;https://b.example.com`: origins are separated by commas, not \
          semicolons: write `https://a.example.com, https://b.example.com`"
        ]
    );
    assert_eq!(
        messages(App::new().service(unset).service(unset_shared)),
        [
            "the #[cors] route GET /unset (handler `unset`) takes its origins from the \
             environment variable `CORS_TEST_UNSET_IN_ATTRIBUTE`: it is not set: set it to the \
             allowed origins, separated by commas \
             (`CORS_TEST_UNSET_IN_ATTRIBUTE=https://app.example.com`), or write a default in the \
             attribute: `origins = env(\"CORS_TEST_UNSET_IN_ATTRIBUTE\", default = [...])`",
            "the #[cors] route GET /unset-shared (handler `unset_shared`) takes its origins from \
             the environment variable `CORS_TEST_UNSET_IN_POLICY`: it is not set: set it to the \
             allowed origins, separated by commas \
             (`CORS_TEST_UNSET_IN_POLICY=https://app.example.com`), or write a default in the \
             shared policy `FROM_ENV`: `origins = env(\"CORS_TEST_UNSET_IN_POLICY\", default = \
             [...])`",
        ]
    );
    // One variable, three routes (two through a shared policy): one message, every route.
    let app = App::new()
        .service(front_a)
        .service(front_b)
        .service(front_c)
        .wrap(CorsFirst::new());
    let front = cors_runtime::check(app).expect_err("`*` with credentials");
    assert_eq!(
        front.to_string(),
        "the #[cors] routes GET /front/a (handler `front_a`), GET /front/b (handler `front_b`), \
         GET /front/c (handler `front_c`) take their origins from the environment variable \
         `CORS_TEST_FRONT_ENDS`: entry 1 `*`: the wildcard origin `\"*\"` cannot be used with \
         `credentials`: browsers refuse `*` on credentialed requests (R4); list the exact \
         origins instead"
    );
}
