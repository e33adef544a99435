//! Several `tribun serve` processes on one database: nothing a node keeps may diverge.

use tribun::accounts::Role;

use crate::support::{PASSWORD, ServerProcess, TestApp, csrf_in};

#[tokio::test]
async fn a_user_invited_through_one_server_signs_in_through_another() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin, None).await;
    let token = app.token_for(&admin).await;
    let first = ServerProcess::start(&app.db.url).await;
    let second = ServerProcess::start(&app.db.url).await;

    let response = reqwest::Client::new()
        .post(first.url("/api/v1/invitations"))
        .bearer_auth(&token)
        .json(&serde_json::json!({"email": "grappe@test.tribun.fr", "role": "coordinateur", "scope": "34"}))
        .send()
        .await
        .expect("invite");
    assert_eq!(response.status(), 200);
    let link: serde_json::Value = response.json().await.expect("link");
    let path = link["url"]
        .as_str()
        .expect("url")
        .trim_start_matches("http://127.0.0.1:8080")
        .to_owned();

    let browser = app.browser();
    let page = browser.get(first.url(&path)).send().await.expect("page");
    let csrf = csrf_in(&page.text().await.expect("body"));
    let accepted = browser
        .post(first.url(&path))
        .form(&[
            ("display_name", "Grappe"),
            ("password", PASSWORD),
            ("confirmation", PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("accept");
    assert_eq!(accepted.status(), 303);

    // A fresh browser signs in through the other server.
    let other = app.browser();
    let page = other
        .get(second.url("/connexion"))
        .send()
        .await
        .expect("page");
    let csrf = csrf_in(&page.text().await.expect("body"));
    let signed_in = other
        .post(second.url("/connexion"))
        .form(&[
            ("email", "grappe@test.tribun.fr"),
            ("password", PASSWORD),
            ("csrf_token", &csrf),
        ])
        .send()
        .await
        .expect("sign in");
    assert_eq!(signed_in.status(), 303);
    let me: serde_json::Value = other
        .get(second.url("/api/v1/me"))
        .send()
        .await
        .expect("me")
        .json()
        .await
        .expect("JSON");
    assert_eq!(me["role"], "coordinateur");
    // Cookies are per host, not per port: the session made by the second server is sent to
    // the first, which knows it because sessions live in the database.
    let me_on_first = other.get(first.url("/api/v1/me")).send().await.expect("me");
    assert_eq!(me_on_first.status(), 200);
}
