//! Prints the syntax tree of a script as mimigrate parses it (for grammar work):
//! `cargo run --example tree -- file.ps1`
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let src = std::fs::read(&path).unwrap();

    let text = mimigrate::source::SourceText::decode(&src).unwrap().text;
    let src = text.as_bytes();
    let t = mimigrate::syntax::parse(&text);
    print_node(t.root_node(), src, 0, None);
}
fn print_node(n: tree_sitter::Node, src: &[u8], depth: usize, field: Option<&str>) {
    // collapse single-named-child chains
    if n.named_child_count() == 1 && n.child_count() == 1 && !n.is_error() {
        return print_node(n.child(0).unwrap(), src, depth, field);
    }
    let text = String::from_utf8_lossy(&src[n.byte_range()]);
    let short: String = text.chars().take(50).collect::<String>().replace('\n', "\\n");
    println!(
        "{}{}{} [{}..{}] {}",
        "  ".repeat(depth),
        field.map(|f| format!("{f}: ")).unwrap_or_default(),
        n.kind(),
        n.start_byte(),
        n.end_byte(),
        if n.child_count() == 0
            || n.is_error()
            || n.kind() == "string_literal"
            || n.kind() == "expandable_string_literal"
        {
            format!("{:?}", short)
        } else {
            String::new()
        }
    );
    let mut c = n.walk();
    let kids: Vec<_> = n.children(&mut c).collect();
    for (i, ch) in kids.into_iter().enumerate() {
        if !ch.is_named() && ch.child_count() == 0 && !ch.is_error() && !ch.is_missing() {
            continue;
        }
        print_node(ch, src, depth + 1, n.field_name_for_child(i as u32));
    }
}
