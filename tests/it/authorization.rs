//! Every route × every role × a territory inside and outside the user's scope, against one
//! table of expected statuses. A route the table does not list fails the test.

use std::collections::BTreeSet;

use tribun::accounts::Role;
use tribun::http::targeting::PLANNERS;
use tribun::http::{ADMINS, Access, EVERYONE, INVITERS};

use crate::support::TestApp;

#[derive(Clone, Copy)]
enum Body {
    None,
    Form(&'static str),
    Json(&'static str),
}

/// One route: the request made inside the user's scope, the one made outside it (when the
/// route touches a territory), who may call it, and the statuses expected.
struct Case {
    method: &'static str,
    route: &'static str,
    inside: (&'static str, Body),
    outside: Option<(&'static str, Body)>,
    allowed: &'static [Role],
    ok: u16,
    anonymous: u16,
}

const fn case(
    method: &'static str,
    route: &'static str,
    inside: (&'static str, Body),
    allowed: &'static [Role],
    ok: u16,
    anonymous: u16,
) -> Case {
    Case {
        method,
        route,
        inside,
        outside: None,
        allowed,
        ok,
        anonymous,
    }
}

const PUBLIC: &[Role] = EVERYONE;
const INVITE_INSIDE: Body = Body::Form("email=a%40test.tribun.fr&role=militant&scope=34172");
const INVITE_OUTSIDE: Body = Body::Form("email=b%40test.tribun.fr&role=militant&scope=33063");

fn table() -> Vec<Case> {
    vec![
        case(
            "GET",
            "/assets/{file}",
            ("/assets/tribun.css", Body::None),
            PUBLIC,
            200,
            200,
        ),
        case(
            "GET",
            "/healthz",
            ("/healthz", Body::None),
            PUBLIC,
            200,
            200,
        ),
        case(
            "GET",
            "/api/v1/openapi.json",
            ("/api/v1/openapi.json", Body::None),
            PUBLIC,
            200,
            200,
        ),
        case(
            "GET",
            "/connexion",
            ("/connexion", Body::None),
            PUBLIC,
            200,
            200,
        ),
        // Bearer calls skip CSRF and fail on the wrong password; anonymous ones lack the token.
        case(
            "POST",
            "/connexion",
            (
                "/connexion",
                Body::Form("email=x%40y.fr&password=zzzzzzzzzzzz"),
            ),
            PUBLIC,
            401,
            403,
        ),
        case(
            "POST",
            "/deconnexion",
            ("/deconnexion", Body::None),
            EVERYONE,
            303,
            303,
        ),
        case("GET", "/", ("/", Body::None), EVERYONE, 200, 303),
        case(
            "GET",
            "/territoires",
            ("/territoires?q=saint", Body::None),
            EVERYONE,
            200,
            303,
        ),
        Case {
            outside: Some(("/territoires/33063", Body::None)),
            ..case(
                "GET",
                "/territoires/{code}",
                ("/territoires/34172", Body::None),
                EVERYONE,
                200,
                303,
            )
        },
        case(
            "GET",
            "/api/v1/territories",
            ("/api/v1/territories?q=saint", Body::None),
            EVERYONE,
            200,
            401,
        ),
        Case {
            outside: Some(("/api/v1/territories/33", Body::None)),
            ..case(
                "GET",
                "/api/v1/territories/{code}",
                ("/api/v1/territories/34-01", Body::None),
                EVERYONE,
                200,
                401,
            )
        },
        case(
            "GET",
            "/api/v1/elections",
            ("/api/v1/elections", Body::None),
            EVERYONE,
            200,
            401,
        ),
        Case {
            // No territory means the whole country: outside every local scope.
            outside: Some(("/api/v1/elections/legislatives-2022/results", Body::None)),
            ..case(
                "GET",
                "/api/v1/elections/{id}/results",
                (
                    "/api/v1/elections/legislatives-2022/results?territory=34-01",
                    Body::None,
                ),
                EVERYONE,
                200,
                401,
            )
        },
        case(
            "GET",
            "/elections",
            ("/elections", Body::None),
            EVERYONE,
            200,
            303,
        ),
        Case {
            outside: Some(("/elections/legislatives-2022?territoire=33", Body::None)),
            ..case(
                "GET",
                "/elections/{id}",
                ("/elections/legislatives-2022?territoire=34", Body::None),
                EVERYONE,
                200,
                303,
            )
        },
        Case {
            outside: Some((
                "/api/v1/maps/circonscription.svg?election=legislatives-2022&territory=33",
                Body::None,
            )),
            ..case(
                "GET",
                "/api/v1/maps/{file}",
                (
                    "/api/v1/maps/circonscription.svg?election=legislatives-2022&territory=34",
                    Body::None,
                ),
                EVERYONE,
                200,
                401,
            )
        },
        Case {
            outside: Some(("/ciblage?territoire=33", Body::None)),
            ..case(
                "GET",
                "/ciblage",
                ("/ciblage?territoire=34", Body::None),
                PLANNERS,
                200,
                303,
            )
        },
        case(
            "POST",
            "/ciblage/reglages",
            (
                "/ciblage/reglages",
                Body::Form("bloc=gauche&weight_reserve=50&weight_persuadables=30&weight_size=20"),
            ),
            ADMINS,
            303,
            303,
        ),
        Case {
            outside: Some(("/api/v1/targets?territory=33&format=csv", Body::None)),
            ..case(
                "GET",
                "/api/v1/targets",
                ("/api/v1/targets?territory=34", Body::None),
                PLANNERS,
                200,
                401,
            )
        },
        case(
            "POST",
            "/ciblage/nuances",
            ("/ciblage/nuances", Body::Form("nuance=ENS&bloc=centre")),
            ADMINS,
            303,
            303,
        ),
        case(
            "GET",
            "/api/v1/nuances",
            ("/api/v1/nuances", Body::None),
            PLANNERS,
            200,
            401,
        ),
        case(
            "PUT",
            "/api/v1/nuances/{nuance}",
            ("/api/v1/nuances/ENS", Body::Json(r#"{"bloc":"centre"}"#)),
            ADMINS,
            200,
            401,
        ),
        case(
            "GET",
            "/api/v1/targeting/settings",
            ("/api/v1/targeting/settings", Body::None),
            PLANNERS,
            200,
            401,
        ),
        case(
            "PUT",
            "/api/v1/targeting/settings",
            (
                "/api/v1/targeting/settings",
                Body::Json(
                    r#"{"bloc":"gauche","weight_reserve":50,"weight_persuadables":30,"weight_size":20}"#,
                ),
            ),
            ADMINS,
            200,
            401,
        ),
        Case {
            outside: Some(("/territoires/33-01/fiche", Body::None)),
            ..case(
                "GET",
                "/territoires/{code}/fiche",
                ("/territoires/34-01/fiche", Body::None),
                EVERYONE,
                200,
                303,
            )
        },
        Case {
            outside: Some(("/api/v1/fiches/33-01.pdf", Body::None)),
            ..case(
                "GET",
                "/api/v1/fiches/{file}",
                ("/api/v1/fiches/34-01.pdf", Body::None),
                EVERYONE,
                200,
                401,
            )
        },
        case(
            "GET",
            "/api/v1/me",
            ("/api/v1/me", Body::None),
            EVERYONE,
            200,
            401,
        ),
        case(
            "GET",
            "/compte/mot-de-passe",
            ("/compte/mot-de-passe", Body::None),
            EVERYONE,
            200,
            303,
        ),
        case(
            "POST",
            "/compte/mot-de-passe",
            (
                "/compte/mot-de-passe",
                Body::Form(
                    "current_password=faux&new_password=abcdefghijkl&confirmation=abcdefghijkl",
                ),
            ),
            EVERYONE,
            400,
            303,
        ),
        case(
            "GET",
            "/compte/jetons",
            ("/compte/jetons", Body::None),
            EVERYONE,
            200,
            303,
        ),
        case(
            "POST",
            "/compte/jetons",
            ("/compte/jetons", Body::Form("name=essai")),
            EVERYONE,
            200,
            303,
        ),
        case(
            "POST",
            "/compte/jetons/{id}/revoquer",
            ("/compte/jetons/999999/revoquer", Body::None),
            EVERYONE,
            404,
            303,
        ),
        case(
            "GET",
            "/invitations",
            ("/invitations", Body::None),
            INVITERS,
            200,
            303,
        ),
        Case {
            outside: Some(("/invitations", INVITE_OUTSIDE)),
            ..case(
                "POST",
                "/invitations",
                ("/invitations", INVITE_INSIDE),
                INVITERS,
                200,
                303,
            )
        },
        Case {
            outside: Some((
                "/api/v1/invitations",
                Body::Json(r#"{"email":"d@test.tribun.fr","role":"militant","scope":"33"}"#),
            )),
            ..case(
                "POST",
                "/api/v1/invitations",
                (
                    "/api/v1/invitations",
                    Body::Json(r#"{"email":"c@test.tribun.fr","role":"militant","scope":"34-01"}"#),
                ),
                INVITERS,
                200,
                401,
            )
        },
        case(
            "GET",
            "/invitation/{token}",
            ("/invitation/inconnue", Body::None),
            PUBLIC,
            404,
            404,
        ),
        case(
            "POST",
            "/invitation/{token}",
            (
                "/invitation/inconnue",
                Body::Form("display_name=x&password=abcdefghijkl&confirmation=abcdefghijkl"),
            ),
            PUBLIC,
            404,
            403,
        ),
        case(
            "GET",
            "/admin/utilisateurs",
            ("/admin/utilisateurs", Body::None),
            ADMINS,
            200,
            303,
        ),
        case(
            "GET",
            "/admin/journal",
            ("/admin/journal", Body::None),
            ADMINS,
            200,
            303,
        ),
        case(
            "GET",
            "/api/v1/users",
            ("/api/v1/users", Body::None),
            ADMINS,
            200,
            401,
        ),
        case(
            "GET",
            "/api/v1/audit",
            ("/api/v1/audit", Body::None),
            ADMINS,
            200,
            401,
        ),
        case(
            "GET",
            "/metrics",
            ("/metrics", Body::None),
            ADMINS,
            200,
            401,
        ),
    ]
}

/// The users of the walk: national ones, and scoped ones inside Hérault.
const SUBJECTS: &[(Role, Option<&str>)] = &[
    (Role::Admin, None),
    (Role::Direction, None),
    (Role::Communication, None),
    (Role::Coordinateur, Some("34")),
    (Role::Militant, Some("34")),
];

fn expected(case: &Case, subject: Option<(Role, Option<&str>)>, inside: bool) -> u16 {
    let Some((role, scope)) = subject else {
        return case.anonymous;
    };
    if !case.allowed.contains(&role) {
        return 403;
    }
    if !inside && scope.is_some() {
        return 403;
    }
    case.ok
}

#[tokio::test]
async fn every_route_enforces_role_and_scope_as_the_table_says() {
    let routes: BTreeSet<(String, String)> = tribun::http::routes()
        .iter()
        .map(|r| (r.method.to_string(), r.path.to_owned()))
        .collect();
    let table = table();
    let listed: BTreeSet<(String, String)> = table
        .iter()
        .map(|c| (c.method.to_owned(), c.route.to_owned()))
        .collect();
    assert_eq!(
        routes.difference(&listed).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "routes missing from the authorization table"
    );
    assert_eq!(
        listed.difference(&routes).collect::<Vec<_>>(),
        Vec::<&(String, String)>::new(),
        "table entries with no route"
    );
    // The table's idea of who may call a route matches the route's declaration.
    for route in tribun::http::routes() {
        let case = table
            .iter()
            .find(|c| c.method == route.method.as_str() && c.route == route.path)
            .expect("listed");
        match route.access {
            Access::Public => assert_eq!(case.allowed, PUBLIC, "{}", route.path),
            Access::Signed { roles, territory } => {
                assert_eq!(case.allowed, roles, "{}", route.path);
                assert!(
                    territory.is_none() || case.outside.is_some(),
                    "{} needs an outside request",
                    route.path
                );
            }
        }
    }

    let app = TestApp::spawn().await;
    crate::elections::import_file(
        &app,
        "herault-34/legislatives-2022-t1-bureaux-de-vote-34.txt",
        "legislatives-2022",
        1,
    )
    .await
    .expect("import the Hérault results");
    let mut tokens = Vec::new();
    for (role, scope) in SUBJECTS {
        let user = app.create_user(*role, *scope).await;
        tokens.push((Some((*role, *scope)), Some(app.token_for(&user).await)));
    }
    tokens.push((None, None));

    let client = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let mut failures = Vec::new();
    for case in &table {
        let requests = std::iter::once((true, case.inside)).chain(case.outside.map(|o| (false, o)));
        for (inside, (path, body)) in requests {
            for (subject, token) in &tokens {
                let method = reqwest::Method::from_bytes(case.method.as_bytes()).expect("method");
                let mut request = client.request(method, app.url(path));
                if let Some(token) = token {
                    request = request.bearer_auth(token);
                }
                request = match body {
                    Body::None => request,
                    Body::Form(form) => request
                        .header("content-type", "application/x-www-form-urlencoded")
                        .body(form),
                    Body::Json(json) => request
                        .header("content-type", "application/json")
                        .body(json),
                };
                let status = request.send().await.expect("request").status().as_u16();
                let want = expected(case, *subject, inside);
                if status != want {
                    failures.push(format!(
                        "{} {path} as {:?}: expected {want}, got {status}",
                        case.method,
                        subject.map(|s| s.0)
                    ));
                }
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}
