//! The web app in Debian's headless Chromium, driven through chromedriver against the real
//! server: sign in, search, open a département, invite a militant, and be refused outside scope.

use std::process::{Child, Command, Stdio};

use fantoccini::actions::{InputSource, MOUSE_BUTTON_LEFT, MouseActions, PointerAction};
use fantoccini::{Client, ClientBuilder, Locator};
use tribun::accounts::Role;

use crate::support::{PASSWORD, TestApp};

struct Driver {
    process: Child,
    url: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.process.kill();
        let _ = self.process.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start_driver() -> Driver {
    let port = free_port();
    let process = Command::new("chromedriver")
        .arg(format!("--port={port}"))
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("chromedriver must be installed (scripts/setup installs Debian's chromium-driver)");
    let url = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::new();
    for _ in 0..400 {
        if let Ok(response) = client.get(format!("{url}/status")).send().await
            && response.status().is_success()
        {
            return Driver { process, url };
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    drop(Driver { process, url });
    panic!("chromedriver did not start");
}

/// A phone: 360 CSS pixels wide, the size the interface is designed for.
async fn open_browser(driver: &Driver, profile: &std::path::Path) -> Client {
    open_browser_sized(driver, profile, true).await
}

/// A desktop screen, as the campaign's headquarters use. (Chromedriver places pointer actions
/// about a hundred pixels off under mobile emulation, so pointer tests run here.)
async fn open_desktop_browser(driver: &Driver, profile: &std::path::Path) -> Client {
    open_browser_sized(driver, profile, false).await
}

async fn open_browser_sized(driver: &Driver, profile: &std::path::Path, phone: bool) -> Client {
    let mut options = serde_json::json!({
        "binary": "/usr/bin/chromium",
        "args": [
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
            "--disable-background-networking", "--disable-component-update",
            "--no-first-run", "--disable-sync", "--disable-quic", "--window-size=1280,900",
            format!("--user-data-dir={}", profile.display()),
        ]
    });
    if phone {
        options["mobileEmulation"] =
            serde_json::json!({"deviceMetrics": {"width": 360, "height": 740, "pixelRatio": 1.0}});
    }
    let mut capabilities = serde_json::Map::new();
    capabilities.insert("goog:chromeOptions".to_owned(), options);
    ClientBuilder::new(hyper_util::client::legacy::connect::HttpConnector::new())
        .capabilities(capabilities)
        .connect(&driver.url)
        .await
        .expect("start a Chromium session")
}

async fn text_of(browser: &Client, css: &str) -> String {
    browser
        .wait()
        .for_element(Locator::Css(css))
        .await
        .unwrap_or_else(|e| panic!("{css}: {e}"))
        .text()
        .await
        .expect("text")
}

/// Waits until the element at `css` shows `expected` (pages load after a click returns).
async fn wait_for_text(browser: &Client, css: &str, expected: &str) -> String {
    let mut last = String::new();
    for _ in 0..200 {
        if let Ok(element) = browser.find(Locator::Css(css)).await
            && let Ok(text) = element.text().await
        {
            if text.contains(expected) {
                return text;
            }
            last = text;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    panic!("{css} never showed {expected:?}; last seen: {last:?}");
}

async fn fill(browser: &Client, id: &str, value: &str) {
    browser
        .find(Locator::Id(id))
        .await
        .unwrap_or_else(|e| panic!("#{id}: {e}"))
        .send_keys(value)
        .await
        .expect("type");
}

/// Saves what the 360 px wide phone screen shows, for people to look at
/// (`target/screenshots/NAME.png`).
async fn screenshot(browser: &Client, name: &str) {
    let png = browser.screenshot().await.expect("screenshot");
    let dir = crate::support::manifest_dir().join("target/screenshots");
    std::fs::create_dir_all(&dir).expect("screenshot folder");
    std::fs::write(dir.join(format!("{name}.png")), png).expect("write the screenshot");
}

async fn submit(browser: &Client, form_action: &str) {
    browser
        .find(Locator::Css(&format!(
            "form[action='{form_action}'] button[type=submit]"
        )))
        .await
        .unwrap_or_else(|e| panic!("{form_action}: {e}"))
        .click()
        .await
        .expect("submit");
}

#[tokio::test]
async fn an_admin_searches_invites_a_militant_who_is_refused_outside_herault() {
    let app = TestApp::spawn().await;
    let admin = app.create_user(Role::Admin, None).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let browser = open_browser(&driver, profile.path()).await;

    browser.goto(&app.url("/connexion")).await.expect("open");
    fill(&browser, "email", &admin.email).await;
    fill(&browser, "password", PASSWORD).await;
    submit(&browser, "/connexion").await;
    wait_for_text(&browser, "h1", "Bonjour").await;
    screenshot(&browser, "accueil").await;

    browser.goto(&app.url("/territoires")).await.expect("open");
    fill(&browser, "q", "saint etienne").await;
    submit(&browser, "/territoires").await;
    let first = wait_for_text(&browser, "ol.results li:first-child", "Saint").await;
    assert!(
        first.starts_with("Saint-Étienne\n") || first.starts_with("Saint-Étienne "),
        "{first}"
    );
    assert!(first.contains("Loire (42)"), "{first}");
    screenshot(&browser, "recherche").await;

    browser
        .goto(&app.url("/territoires/34"))
        .await
        .expect("open");
    assert_eq!(text_of(&browser, "h1").await, "Hérault");
    screenshot(&browser, "herault").await;
    let sections = browser
        .find_all(Locator::Css("section h2"))
        .await
        .expect("sections");
    let mut headings = Vec::new();
    for section in sections {
        headings.push(section.text().await.expect("heading"));
    }
    assert!(
        headings.contains(&"Communes (341)".to_owned()),
        "{headings:?}"
    );
    assert!(
        headings.contains(&"Circonscriptions législatives (9)".to_owned()),
        "{headings:?}"
    );
    assert!(
        text_of(&browser, "main")
            .await
            .contains("1re circonscription de l'Hérault"),
        "the circonscriptions are listed"
    );

    browser.goto(&app.url("/invitations")).await.expect("open");
    fill(&browser, "email", "militante.herault@test.tribun.fr").await;
    browser
        .find(Locator::Id("role"))
        .await
        .expect("role")
        .select_by_value("militant")
        .await
        .expect("choose");
    fill(&browser, "scope", "34").await;
    submit(&browser, "/invitations").await;
    let link = browser
        .wait()
        .for_element(Locator::Id("invitation-link"))
        .await
        .expect("invitation link")
        .attr("href")
        .await
        .expect("href")
        .expect("a link");
    let path = link.trim_start_matches("http://127.0.0.1:8080").to_owned();

    browser
        .find(Locator::Css("details.menu summary"))
        .await
        .expect("menu")
        .click()
        .await
        .expect("open the menu");
    submit(&browser, "/deconnexion").await;
    wait_for_text(&browser, "main", "Vous êtes déconnecté").await;

    browser
        .goto(&app.url(&path))
        .await
        .expect("open the invitation");
    fill(&browser, "display_name", "Militante de l'Hérault").await;
    fill(&browser, "password", PASSWORD).await;
    fill(&browser, "confirmation", PASSWORD).await;
    browser
        .find(Locator::Css("main form button[type=submit]"))
        .await
        .expect("accept")
        .click()
        .await
        .expect("accept");
    wait_for_text(&browser, "h1", "Bonjour Militante de l'Hérault").await;
    assert!(text_of(&browser, "main").await.contains("Hérault"));

    browser
        .goto(&app.url("/territoires/34172"))
        .await
        .expect("open");
    assert_eq!(text_of(&browser, "h1").await, "Montpellier");
    browser
        .goto(&app.url("/territoires/33"))
        .await
        .expect("open Gironde");
    assert_eq!(text_of(&browser, "h1").await, "Accès refusé");
    assert!(
        text_of(&browser, "main")
            .await
            .contains("en dehors de votre périmètre")
    );

    browser.close().await.expect("close");
}

#[tokio::test]
async fn the_herault_map_shows_its_nine_circonscriptions_and_opens_one_on_click() {
    let app = TestApp::spawn().await;
    crate::elections::import_file(
        &app,
        "herault-34/legislatives-2022-t1-bureaux-de-vote-34.txt",
        "legislatives-2022",
        1,
    )
    .await
    .expect("import");
    let admin = app.create_user(Role::Admin, None).await;
    let driver = start_driver().await;
    let profile = tempfile::tempdir().expect("profile");
    let browser = open_desktop_browser(&driver, profile.path()).await;
    browser.goto(&app.url("/connexion")).await.expect("open");
    fill(&browser, "email", &admin.email).await;
    fill(&browser, "password", PASSWORD).await;
    submit(&browser, "/connexion").await;
    wait_for_text(&browser, "h1", "Bonjour").await;

    browser
        .goto(&app.url("/territoires/34"))
        .await
        .expect("open");
    let shapes = browser
        .find_all(Locator::Css(".map-frame svg path.shape"))
        .await
        .expect("shapes");
    assert_eq!(shapes.len(), 9);
    let legend = text_of(&browser, ".map-frame svg .legend").await;
    assert!(legend.contains('%'), "{legend}");
    assert!(
        text_of(&browser, ".map-frame svg .source")
            .await
            .contains("Licence Ouverte")
    );
    assert!(
        text_of(&browser, "main")
            .await
            .contains("Élections législatives 2022")
    );
    screenshot(&browser, "carte-herault").await;

    // A real click on a point inside a shape: the centre of a shape's bounding box may lie
    // outside it (concave shapes), so the page is asked for a point that hits the shape.
    let target = browser
        .execute(
            "for (const a of document.querySelectorAll('.map-frame svg a')) {\
               a.scrollIntoView({block: 'center'});\
               const r = a.getBoundingClientRect();\
               for (let i = 1; i < 10; i++) for (let j = 1; j < 10; j++) {\
                 const x = r.x + r.width * i / 10, y = r.y + r.height * j / 10;\
                 const hit = document.elementFromPoint(x, y);\
                 if (hit && hit.closest('a') === a) return [a.getAttribute('href'), x, y];\
               }\
             }\
             return null;",
            vec![],
        )
        .await
        .expect("find a point inside a shape");
    let href = target[0].as_str().expect("a shape to tap").to_owned();
    assert!(href.starts_with("/territoires/34-0"), "{href}");
    let (x, y) = (
        target[1].as_f64().expect("x").round(),
        target[2].as_f64().expect("y").round(),
    );
    let click = MouseActions::new("souris".into())
        .then(PointerAction::MoveTo {
            duration: None,
            x,
            y,
        })
        .then(PointerAction::Down {
            button: MOUSE_BUTTON_LEFT,
        })
        .then(PointerAction::Up {
            button: MOUSE_BUTTON_LEFT,
        });
    browser.perform_actions(click).await.expect("click");
    wait_for_text(&browser, "h1", "circonscription").await;
    assert!(
        browser
            .current_url()
            .await
            .expect("url")
            .path()
            .ends_with(&href[13..])
    );
    browser.close().await.expect("close");
}
