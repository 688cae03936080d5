//! Prints the commands mimigrate's model reads from a script, with their arguments as
//! bound (for rule work): `cargo run --example model -- file.ps1`
fn main() {
    let path = std::env::args().nth(1).expect("a file");
    let bytes = std::fs::read(&path).expect("readable");
    let text = mimigrate::source::SourceText::decode(&bytes).expect("text").text;
    let script = mimigrate::syntax::model::Script::parse(&text);
    for command in &script.commands {
        println!("{} (as {:?}) {:?}", command.name, command.written_name, command.range);
        for argument in &command.arguments {
            println!("    {argument:?}");
        }
    }
}
