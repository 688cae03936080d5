//! Data tables generated from shared/data by scripts/gen-tables.py and embedded in the
//! binary (rules/data/), parsed on first use.

use std::collections::HashMap;
use std::sync::OnceLock;

const GRAPH_BETA: &str = include_str!("../rules/data/graph-beta.tsv");

/// Beta Graph commands by lower-case name: (name as published, module).
fn graph_beta() -> &'static HashMap<String, (&'static str, &'static str)> {
    static TABLE: OnceLock<HashMap<String, (&'static str, &'static str)>> = OnceLock::new();
    TABLE.get_or_init(|| {
        GRAPH_BETA
            .lines()
            .filter(|line| !line.starts_with('#'))
            .filter_map(|line| line.split_once('\t'))
            .flat_map(|(module, commands)| {
                commands
                    .split(' ')
                    .map(move |command| (command.to_lowercase(), (command, module)))
            })
            .collect()
    })
}

/// The beta form of a v1.0 Graph command (`Get-MgUser` -> `Get-MgBetaUser` in
/// `Microsoft.Graph.Beta.Users`), when the Graph data knows it.
pub fn graph_beta_command(v1_name: &str) -> Option<(&'static str, &'static str)> {
    let (verb, noun) = v1_name.split_once('-')?;
    let rest = noun
        .get(..2)
        .filter(|p| p.eq_ignore_ascii_case("Mg"))
        .map(|_| &noun[2..])?;
    if rest.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("Beta")) {
        return None;
    }
    graph_beta()
        .get(&format!("{verb}-MgBeta{rest}").to_lowercase())
        .copied()
}

/// Whether a Graph beta module of this name exists (`Microsoft.Graph.Beta.Users`).
pub fn is_graph_beta_module(name: &str) -> bool {
    graph_beta()
        .values()
        .any(|(_, module)| module.eq_ignore_ascii_case(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn beta_names_follow_the_v2_rule_and_only_for_known_commands() {
        assert_eq!(
            graph_beta_command("get-mguser"),
            Some(("Get-MgBetaUser", "Microsoft.Graph.Beta.Users"))
        );
        assert_eq!(graph_beta_command("Get-MgBetaUser"), None);
        assert_eq!(graph_beta_command("Get-MgThingThatDoesNotExist"), None);
        assert_eq!(graph_beta_command("Connect-MgGraph"), None);
        assert!(is_graph_beta_module("Microsoft.Graph.Beta.Users"));
    }
}
