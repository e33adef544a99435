//! The server's log never contains a password, a token or a database password.

use tribun::accounts::Role;

use crate::support::{PASSWORD, ServerProcess, TestApp, TestDb, csrf_in, is_postgres};

#[tokio::test]
async fn the_log_holds_requests_but_no_secret() {
    let db = TestDb::with_territories().await;
    // With PostgreSQL the URL carries a password (trust authentication ignores it).
    let url = if is_postgres() {
        db.url.replacen(
            "postgres://postgres@",
            "postgres://postgres:mot-de-passe-base@",
            1,
        )
    } else {
        db.url.clone()
    };
    let app = TestApp::spawn_on(db).await;
    let admin = app.create_user(Role::Admin, None).await;
    let token = app.token_for(&admin).await;
    let server = ServerProcess::start(&url).await;

    let wrong_password = "un essai de mot de passe faux";
    let new_password = "le nouveau mot de passe secret";
    let browser = app.browser();
    for password in [wrong_password, PASSWORD] {
        let page = browser
            .get(server.url("/connexion"))
            .send()
            .await
            .expect("page");
        let csrf = csrf_in(&page.text().await.expect("body"));
        browser
            .post(server.url("/connexion"))
            .form(&[
                ("email", admin.email.as_str()),
                ("password", password),
                ("csrf_token", &csrf),
            ])
            .send()
            .await
            .expect("sign in");
    }
    let page = browser
        .get(server.url("/compte/mot-de-passe"))
        .send()
        .await
        .expect("page");
    let csrf = csrf_in(&page.text().await.expect("body"));
    let changed = browser
        .post(server.url("/compte/mot-de-passe"))
        .form(&[
            ("current_password", PASSWORD),
            ("new_password", new_password),
            ("confirmation", new_password),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("change");
    assert_eq!(changed.status(), 303);
    let invitation: serde_json::Value = reqwest::Client::new()
        .post(server.url("/api/v1/invitations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"email": "journal@test.tribun.fr", "role": "militant", "scope": "34"}))
        .send()
        .await
        .expect("invite")
        .json()
        .await
        .expect("JSON");
    let invitation_token = invitation["url"]
        .as_str()
        .and_then(|u| u.rsplit('/').next())
        .expect("token")
        .to_owned();
    browser
        .get(server.url(&format!("/invitation/{invitation_token}")))
        .send()
        .await
        .expect("open the invitation");

    let log = server.stop();
    assert!(
        log.contains("route=/connexion"),
        "the log records requests:\n{log}"
    );
    assert!(log.contains("signed in"), "{log}");
    for secret in [
        PASSWORD,
        wrong_password,
        new_password,
        token.as_str(),
        invitation_token.as_str(),
        "mot-de-passe-base",
        "tribun_session=",
    ] {
        assert!(!log.contains(secret), "the log contains {secret:?}");
    }
}
