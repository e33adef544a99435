//! Numbers and dates written the French way, in one place for pages, fiches and exports:
//! decimal comma, digits grouped by a narrow no-break space, "%" and units after a no-break
//! space, the minus sign "−".

/// `value` rounded to `decimals`: `90 089`, `45,20`, `−1 200`.
pub fn number(value: f64, decimals: usize) -> String {
    let text = format!("{:.*}", decimals, value.abs());
    let (whole, fraction) = text.split_once('.').unwrap_or((&text, ""));
    let mut grouped = String::new();
    for (index, digit) in whole.chars().enumerate() {
        if index > 0 && (whole.len() - index).is_multiple_of(3) {
            grouped.push('\u{202f}');
        }
        grouped.push(digit);
    }
    if !fraction.is_empty() {
        grouped.push(',');
        grouped.push_str(fraction);
    }
    let is_zero = text.bytes().all(|b| matches!(b, b'0' | b'.'));
    if value < 0.0 && !is_zero {
        grouped.insert(0, '−');
    }
    grouped
}

/// A count: `48 953 800`.
pub fn count(value: i64) -> String {
    number(value as f64, 0)
}

/// A share: `45,20 %`.
pub fn percent(value: f64) -> String {
    format!("{}\u{a0}%", number(value, 2))
}

/// A difference of shares: `+1,2 pt`, `−3,0 pts` (singular below two).
pub fn points(value: f64) -> String {
    let sign = if value > 0.0 && number(value, 1) != "0,0" {
        "+"
    } else {
        ""
    };
    let unit = if value.abs() < 2.0 { "pt" } else { "pts" };
    format!("{sign}{}\u{a0}{unit}", number(value, 1))
}

/// A date: `4 décembre 2026`, from Unix seconds (UTC).
pub fn date(unix_seconds: i64) -> String {
    const MONTHS: [&str; 12] = [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ];
    let stamp = crate::http::format_time(unix_seconds);
    let (year, rest) = stamp.split_at(4);
    let month: usize = rest[1..3].parse().unwrap_or(1);
    let day: u32 = rest[4..6].parse().unwrap_or(1);
    format!("{day} {} {year}", MONTHS[month.clamp(1, 12) - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_are_written_the_french_way() {
        assert_eq!(count(90_089), "90\u{202f}089");
        assert_eq!(count(48_953_800), "48\u{202f}953\u{202f}800");
        assert_eq!(count(-1200), "−1\u{202f}200");
        assert_eq!(number(-0.04, 1), "0,0");
        assert_eq!(percent(45.2), "45,20\u{a0}%");
        assert_eq!(points(1.23), "+1,2\u{a0}pt");
        assert_eq!(points(-3.0), "−3,0\u{a0}pts");
        assert_eq!(date(1_796_342_400), "4 décembre 2026");
    }
}
