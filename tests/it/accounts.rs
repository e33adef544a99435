//! Sign-in, sessions, CSRF, rate limits, invitations, password change, API tokens, audit.

use reqwest::header::SET_COOKIE;
use tribun::accounts::Role;
use tribun::accounts::sign_in::MAX_FAILURES_PER_ACCOUNT;

use crate::support::{PASSWORD, TestApp, csrf_in};

#[tokio::test]
async fn signing_in_sets_an_httponly_samesite_session_cookie() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Direction, None).await;
    let client = app.browser();
    let response = app.sign_in(&client, &user.email, PASSWORD).await;
    assert_eq!(response.status(), 303);
    let cookies: Vec<&str> = response
        .headers()
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .collect();
    let session = cookies
        .iter()
        .find(|c| c.starts_with("tribun_session="))
        .expect("a session cookie");
    assert!(session.contains("HttpOnly"), "{session}");
    assert!(session.contains("SameSite=Lax"), "{session}");
    let home = client.get(app.url("/")).send().await.expect("home");
    assert_eq!(home.status(), 200);
    assert!(
        home.text()
            .await
            .expect("body")
            .contains("Direction de campagne")
    );
}

#[tokio::test]
async fn cookies_are_secure_when_served_over_https() {
    let config = tribun::config::Config {
        public_url: "https://tribun.example".to_owned(),
        ..tribun::config::Config::default()
    };
    assert!(config.secure_cookies());
    assert!(!tribun::config::Config::default().secure_cookies());
}

#[tokio::test]
async fn a_form_post_without_the_csrf_token_is_refused() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Admin, None).await;
    let client = app.browser();
    app.sign_in(&client, &user.email, PASSWORD).await;
    // Signed in, but the form lacks the token: refused, and nothing is created.
    let response = client
        .post(app.url("/compte/jetons"))
        .form(&[("name", "sans jeton CSRF")])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 403);
    assert!(response.text().await.expect("body").contains("CSRF"));
    let wrong = client
        .post(app.url("/compte/jetons"))
        .form(&[
            ("name", "mauvais jeton"),
            ("csrf_token", "x".repeat(43).as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(wrong.status(), 403);
    let tokens: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
        .fetch_one(app.store.pool())
        .await
        .expect("count");
    assert_eq!(tokens, 0);

    // With the token of the page, the same form works.
    let csrf = app.csrf_token(&client, "/compte/jetons").await;
    let response = client
        .post(app.url("/compte/jetons"))
        .form(&[("name", "avec jeton"), ("csrf_token", csrf.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 200);

    // The sign-in form itself is protected too (login CSRF).
    let anonymous = app.browser();
    let response = anonymous
        .post(app.url("/connexion"))
        .form(&[("email", user.email.as_str()), ("password", PASSWORD)])
        .send()
        .await
        .expect("post");
    assert_eq!(response.status(), 403);
}

#[tokio::test]
async fn repeated_failures_lock_the_account_for_a_while() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Militant, Some("34")).await;
    let client = app.browser();
    for _ in 0..MAX_FAILURES_PER_ACCOUNT {
        let response = app
            .sign_in(&client, &user.email, "pas le bon mot de passe")
            .await;
        assert_eq!(response.status(), 401);
    }
    // Even the right password is refused now.
    let response = app.sign_in(&client, &user.email, PASSWORD).await;
    assert_eq!(response.status(), 429);
    assert!(
        response
            .text()
            .await
            .expect("body")
            .contains("Trop de tentatives")
    );
}

#[tokio::test]
async fn an_invitation_creates_a_scoped_account_that_can_sign_in() {
    let app = TestApp::spawn().await;
    let coordinator = app.create_user(Role::Coordinateur, Some("34")).await;
    let token = app.token_for(&coordinator).await;
    let api = reqwest::Client::new();

    // Outside the coordinator's scope, or a role they cannot give: refused.
    for (role, scope, status) in [
        ("militant", "33", 403),
        ("admin", "34", 403),
        ("militant", "99999", 400),
    ] {
        let response = api
            .post(app.url("/api/v1/invitations"))
            .bearer_auth(&token)
            .json(&serde_json::json!({"email": "x@test.tribun.fr", "role": role, "scope": scope}))
            .send()
            .await
            .expect("invite");
        assert_eq!(response.status(), status, "{role} {scope}");
        let body: serde_json::Value = response.json().await.expect("envelope");
        assert!(body["errors"][0]["detail"].is_string(), "{body}");
    }

    let response = api
        .post(app.url("/api/v1/invitations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"email": "Nouvelle.Militante@test.tribun.fr", "role": "militant", "scope": "34-01"}))
        .send()
        .await
        .expect("invite");
    assert_eq!(response.status(), 200);
    let link: serde_json::Value = response.json().await.expect("link");
    let url = link["url"].as_str().expect("url").to_owned();
    let path = url.trim_start_matches("http://127.0.0.1:8080");

    let client = app.browser();
    let page = client
        .get(app.url(path))
        .send()
        .await
        .expect("invitation page");
    assert_eq!(page.status(), 200);
    let csrf = csrf_in(&page.text().await.expect("body"));
    let too_short = client
        .post(app.url(path))
        .form(&[
            ("display_name", "Militante"),
            ("password", "court"),
            ("confirmation", "court"),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("accept");
    assert_eq!(too_short.status(), 400);
    let accepted = client
        .post(app.url(path))
        .form(&[
            ("display_name", "Militante"),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("accept");
    assert_eq!(accepted.status(), 303);
    let me: serde_json::Value = client
        .get(app.url("/api/v1/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["email"], "nouvelle.militante@test.tribun.fr");
    assert_eq!(me["role"], "militant");
    assert_eq!(me["scope_code"], "34-01");

    // Malformed requests get the error envelope too.
    for (path, body) in [("/api/v1/invitations", "{\"email\": 3}")] {
        let response = api
            .post(app.url(path))
            .bearer_auth(&token)
            .header("content-type", "application/json")
            .body(body)
            .send()
            .await
            .expect("malformed");
        assert_eq!(response.status(), 400);
        let envelope: serde_json::Value = response.json().await.expect("envelope");
        assert_eq!(envelope["errors"][0]["status"], 400);
    }
    let response = api
        .get(app.url("/api/v1/territories?q=x&limit=beaucoup"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("malformed query");
    assert_eq!(response.status(), 400);
    let envelope: serde_json::Value = response.json().await.expect("envelope");
    assert!(
        envelope["errors"][0]["detail"]
            .as_str()
            .is_some_and(|d| d.contains("limit"))
    );

    // The link works once only.
    let again = client
        .get(app.url(path))
        .send()
        .await
        .expect("invitation page");
    assert_eq!(again.status(), 404);
}

#[tokio::test]
async fn changing_the_password_ends_sessions_and_the_new_one_works() {
    let app = TestApp::spawn().await;
    let user = app.create_user(Role::Communication, None).await;
    let client = app.browser();
    app.sign_in(&client, &user.email, PASSWORD).await;
    let csrf = app.csrf_token(&client, "/compte/mot-de-passe").await;
    let new_password = "un tout nouveau mot de passe";
    let response = client
        .post(app.url("/compte/mot-de-passe"))
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", new_password),
            ("confirmation", new_password),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("change");
    assert_eq!(response.status(), 303);
    assert_eq!(
        client
            .get(app.url("/"))
            .send()
            .await
            .expect("home")
            .status(),
        303
    );
    assert_eq!(
        app.sign_in(&app.browser(), &user.email, PASSWORD)
            .await
            .status(),
        401
    );
    assert_eq!(
        app.sign_in(&app.browser(), &user.email, new_password)
            .await
            .status(),
        303
    );
}

#[tokio::test]
async fn a_bearer_token_acts_with_its_users_role_and_scope_and_can_be_revoked() {
    let app = TestApp::spawn().await;
    let militant = app.create_user(Role::Militant, Some("34")).await;
    let token = app.token_for(&militant).await;
    let api = reqwest::Client::new();
    let get = |path: &str, token: &str| api.get(app.url(path)).bearer_auth(token.to_owned()).send();
    assert_eq!(
        get("/api/v1/territories/34172", &token)
            .await
            .expect("in")
            .status(),
        200
    );
    let outside = get("/api/v1/territories/33063", &token).await.expect("out");
    assert_eq!(outside.status(), 403);
    let body: serde_json::Value = outside.json().await.expect("envelope");
    assert_eq!(body["errors"][0]["status"], 403);
    assert_eq!(
        get("/api/v1/users", &token).await.expect("users").status(),
        403
    );
    assert_eq!(
        get("/api/v1/me", "trb_inconnu")
            .await
            .expect("bad")
            .status(),
        401
    );

    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens WHERE user_id = $1")
        .bind(militant.id)
        .fetch_one(app.store.pool())
        .await
        .expect("token id");
    assert!(
        tribun::accounts::tokens::revoke(app.store.pool(), militant.id, id)
            .await
            .expect("revoke")
    );
    assert_eq!(
        get("/api/v1/me", &token).await.expect("revoked").status(),
        401
    );
}

#[tokio::test]
async fn the_audit_log_records_sign_ins_writes_and_reads_of_personal_data() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin, None).await;
    let client = app.browser();
    app.sign_in(&client, "inconnu@test.tribun.fr", "nimporte quoi")
        .await;
    app.sign_in(&client, &admin.email, PASSWORD).await;
    let csrf = app.csrf_token(&client, "/invitations").await;
    client
        .post(app.url("/invitations"))
        .form(&[
            ("email", "x@test.tribun.fr"),
            ("role", "militant"),
            ("scope", "34"),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("invite");
    client
        .get(app.url("/admin/utilisateurs"))
        .send()
        .await
        .expect("users");
    let page = client
        .get(app.url("/admin/journal"))
        .send()
        .await
        .expect("audit");
    assert_eq!(page.status(), 200);
    let html = page.text().await.expect("body").replace("&#39;", "'");
    for action in [
        "connexion refusée",
        "inconnu@test.tribun.fr",
        "connexion",
        "invitation",
        "lecture de la liste des comptes",
        "lecture du journal d'audit",
    ] {
        assert!(html.contains(action), "the audit log lacks {action:?}");
    }
    assert!(!html.contains(PASSWORD));
    assert!(!html.contains("nimporte quoi"));
}

#[tokio::test]
async fn health_metrics_and_openapi_answer() {
    let app = TestApp::spawn().await;
    let client = reqwest::Client::new();
    assert_eq!(
        client
            .get(app.url("/healthz"))
            .send()
            .await
            .expect("health")
            .status(),
        200
    );
    let openapi: serde_json::Value = client
        .get(app.url("/api/v1/openapi.json"))
        .send()
        .await
        .expect("openapi")
        .json()
        .await
        .expect("JSON");
    for path in [
        "/api/v1/territories",
        "/api/v1/territories/{code}",
        "/api/v1/me",
        "/api/v1/invitations",
    ] {
        assert!(
            openapi["paths"][path].is_object(),
            "{path} is not documented"
        );
    }
    assert!(openapi["components"]["schemas"]["ErrorEnvelope"].is_object());
    let admin = app.create_user(Role::Admin, None).await;
    let token = app.token_for(&admin).await;
    let metrics = client
        .get(app.url("/metrics"))
        .bearer_auth(&token)
        .send()
        .await
        .expect("metrics")
        .text()
        .await
        .expect("text");
    assert!(metrics.contains("tribun_http_requests_total{"), "{metrics}");
    assert!(metrics.contains("route=\"/healthz\""), "{metrics}");
}
