//! Every results file of `../shared/data/elections`, read as published, against the figures
//! the ministry publishes.

use std::path::PathBuf;

use results_import::{Layout, Level, ResultsFile, TerritoryKey, parse_bytes};

fn data(file: &str) -> Vec<u8> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/elections")
        .join(file);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(file: &str) -> ResultsFile {
    parse_bytes(file, &data(file)).unwrap_or_else(|e| panic!("{e}"))
}

fn find<'f>(file: &'f ResultsFile, code: &str) -> &'f results_import::TerritoryResult {
    file.territories
        .iter()
        .find(|t| t.territory.to_string() == code)
        .unwrap_or_else(|| panic!("{code} missing"))
}

#[test]
fn legislatives_2022_national_first_round() {
    let file =
        parse("national/legislatives-2022-resultats-par-niveau-cirlg-t1-france-entiere.xlsx");
    assert_eq!(file.level, Level::Circonscription);
    assert_eq!(file.layout, Layout::Wide { block: 9 });
    assert_eq!(file.territories.len(), 577);
    let totals = file.totals();
    assert_eq!(
        (totals.inscrits, totals.votants, totals.exprimes),
        (48_953_800, 23_257_547, 22_745_602)
    );
    let abroad = find(&file, "99-11");
    assert!(!abroad.candidates.is_empty());
    assert!(
        file.territories
            .iter()
            .any(|t| t.territory.to_string() == "2A-01")
    );
    assert!(
        file.territories
            .iter()
            .any(|t| t.territory.to_string() == "977-01")
    );
    for territory in &file.territories {
        let votes: i64 = territory.candidates.iter().map(|c| c.votes).sum();
        assert_eq!(votes, territory.exprimes, "{}", territory.territory);
    }
}

#[test]
fn legislatives_2022_national_second_round_names_the_elected() {
    let file =
        parse("national/legislatives-2022-resultats-par-niveau-cirlg-t2-france-entiere.xlsx");
    assert_eq!(file.territories.len(), 572);
    let circo = find(&file, "34-01");
    let miralles = circo
        .candidates
        .iter()
        .find(|c| c.last_name == "MIRALLES")
        .expect("MIRALLES");
    assert_eq!(
        (miralles.votes, miralles.elected, miralles.nuance.as_deref()),
        (19_338, Some(true), Some("ENS"))
    );
    let elected = file
        .territories
        .iter()
        .filter(|t| t.candidates.iter().any(|c| c.elected == Some(true)))
        .count();
    assert_eq!(elected, 572);
}

#[test]
fn legislatives_2024_long_file_in_dos_code_page() {
    let file =
        parse("national/legislatives-2024-resultats-circonscriptions-une-ligne-par-candidat.csv");
    assert_eq!(file.layout, Layout::Long);
    assert_eq!(file.encoding, results_import::Encoding::Cp850);
    assert_eq!(file.level, Level::Circonscription);
    assert_eq!(file.territories.len(), 577);
    assert_eq!(file.candidate_count(), 4_009);
    let first = &file.territories[0];
    assert_eq!(first.territory.to_string(), "01-01");
    assert_eq!(first.candidates[0].first_name, "Éric");
    assert!(
        file.territories
            .iter()
            .any(|t| t.territory.to_string() == "99-01")
    );
}

#[test]
fn presidentielle_2022_without_nuances_and_numbers_as_text() {
    let file =
        parse("national/presidentielle-2022-resultats-par-niveau-cirlg-t1-france-entiere.xlsx");
    assert_eq!(file.layout, Layout::Wide { block: 7 });
    assert_eq!(file.territories.len(), 577);
    let circo = &file.territories[0];
    assert_eq!(circo.candidates.len(), 12);
    assert_eq!(circo.inscrits, 85_723);
    assert!(circo.candidates.iter().all(|c| c.nuance.is_none()));
    let macron = circo
        .candidates
        .iter()
        .find(|c| c.last_name == "MACRON")
        .expect("MACRON");
    assert_eq!(macron.votes, 17_825);
}

#[test]
fn herault_bureaux_2022() {
    let file = parse("herault-34/legislatives-2022-t1-bureaux-de-vote-34.txt");
    assert_eq!(file.level, Level::Bureau);
    assert_eq!(file.encoding, results_import::Encoding::Windows1252);
    assert_eq!(file.layout, Layout::Wide { block: 8 });
    assert_eq!(file.territories.len(), 943);
    assert_eq!(file.totals().inscrits, 852_554);
    let circo_34_01: i64 = file
        .territories
        .iter()
        .filter(|t| {
            t.circonscription
                .as_ref()
                .map(ToString::to_string)
                .as_deref()
                == Some("34-01")
        })
        .map(|t| t.inscrits)
        .sum();
    assert_eq!(circo_34_01, 90_089);
    assert!(matches!(
        file.territories[0].territory,
        TerritoryKey::Bureau(_)
    ));
    assert_eq!(file.territories[0].territory.to_string(), "34001_0001");
    assert_eq!(
        file.territories[0]
            .candidates
            .iter()
            .find(|c| c.last_name == "CAVAILLÉ")
            .map(|c| c.votes),
        Some(36)
    );
}

#[test]
fn herault_bureaux_2024_numbered_columns() {
    let file = parse("herault-34/legislatives-2024-t2-bureaux-de-vote-34.csv");
    assert_eq!(file.level, Level::Bureau);
    assert_eq!(file.encoding, results_import::Encoding::Utf8);
    assert_eq!(file.territories.len(), 796);
    let first = &file.territories[0];
    assert_eq!(first.territory.to_string(), "34002_0001");
    assert_eq!(first.candidates.len(), 2);
    assert_eq!(first.candidates[0].sex.as_deref(), Some("F"));
    assert_eq!(first.candidates[0].elected, Some(true));
    assert!(first.circonscription.is_none());
}
