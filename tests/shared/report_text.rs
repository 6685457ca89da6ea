//! Reading report.html as text: shared by the report and live tests.

/// The text of an HTML page without its tags, entities decoded.
pub fn html_text(html: &str) -> String {
    let mut text = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => text.push(c),
            _ => {}
        }
    }
    text.replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&amp;", "&")
}

/// Asserts every piece of text of `markdown` (headings, paragraphs, list
/// items, table cells) is in `html`, and that the numbers come before the
/// first chart.
pub fn assert_same_story(markdown: &str, html: &str) {
    let text = html_text(html);
    let plain = |s: &str| s.replace('`', "").replace("**", "");
    for line in markdown.lines().map(str::trim).filter(|l| !l.is_empty()) {
        let pieces: Vec<String> = if line.starts_with("![") || line.starts_with("|-") {
            continue;
        } else if let Some(row) = line.strip_prefix('|') {
            row.trim_end_matches('|')
                .split(" | ")
                .map(|cell| plain(cell.trim()))
                .collect()
        } else if let Some(item) = line.strip_prefix("- ") {
            vec![plain(item)]
        } else {
            vec![plain(line.trim_start_matches('#').trim())]
        };
        for piece in pieces.iter().filter(|p| !p.is_empty()) {
            assert!(text.contains(piece.as_str()), "report.html lacks {piece:?}");
        }
    }
    let charts = markdown.matches("](charts/").count();
    assert_eq!(html.matches("<svg").count(), charts, "every chart inline");
    if let Some(first_chart) = html.find("<svg") {
        let summary = html.find("Summary:").expect("a summary");
        let last_table = html.rfind("</table>").expect("tables");
        assert!(
            summary < first_chart && last_table < first_chart,
            "the summary and the numbers come before the charts"
        );
    }
}
