//! The 2019 demo: Markdown in, HTML out, rendered by pulldown-cmark inside
//! the guest.

/// Renders CommonMark `input` to HTML.
#[intertype::export]
pub fn render(input: &str) -> String {
    let parser = pulldown_cmark::Parser::new(input);
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, parser);
    html
}
