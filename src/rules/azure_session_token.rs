//! MI205 azure-session-token (docs: rules/MI205.md): tokens taken from Az.Accounts'
//! internal API, `[...AzureSession]::Instance.AuthenticationFactory.Authenticate(...)`
//! and the Az context's `TokenCache`. The tokens are found once per script
//! (`Facts::session_tokens`): MI304 reports the `Connect-MgGraph -AccessToken` such a
//! token signs in with, and offers the same rewrite, so the two never disagree.

use std::ops::Range;

use super::facts::value_sources;
use super::identity_token::graph_identity_edits;
use super::rewrite::delete_statements;
use super::token_flow::{feeding_statements, follow_token, token_arguments};
use super::{graph_login, Checker, AZURE_SESSION_TOKEN};
use crate::diagnostic::{Applicability, Edit, Fix};
use crate::syntax::commands::CONNECT_MG_GRAPH;
use crate::syntax::model::{MethodCall, Script};

/// The sign-ins a session token may end in: Graph (rewritten to `-Identity`) and the
/// retired AzureAD module (its sign-in is the AzureAD sign-in rule's to rewrite).
const SIGN_INS: &[(&str, &str)] = &[
    (CONNECT_MG_GRAPH, "AccessToken"),
    (CONNECT_AZURE_AD, "AadAccessToken"),
    (CONNECT_AZURE_AD, "MsAccessToken"),
];
const CONNECT_AZURE_AD: &str = "Connect-AzureAD";

/// `Authenticate(account, environment, tenant, password, promptBehavior, promptAction,
/// [tokenCache,] resourceId)`: with fewer arguments the resource is the default one,
/// which the call does not name.
const AUTHENTICATE_WITH_RESOURCE: usize = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `AuthenticationFactory.Authenticate(...)`
    Authenticate,
    /// `(Get-AzContext).TokenCache`
    TokenCache,
}

pub struct SessionToken {
    pub source: Source,
    /// The statement that takes the token: the finding.
    pub statement: Range<usize>,
    /// The resource the token is for, as written (the call's last argument), when it
    /// evaluates to an address, here or at every call of the function it sits in.
    pub resource: Option<(Range<usize>, String)>,
    /// Sign-ins (command indices) the token ends in: `Connect-MgGraph` ...
    pub graph_logins: Vec<usize>,
    /// ... and `Connect-AzureAD`.
    pub azuread_logins: Vec<usize>,
    /// The statements that exist only to make the token, when it is used for nothing
    /// but those sign-ins.
    pub plumbing: Option<Vec<Range<usize>>>,
    /// The token as the same string from `Get-AzAccessToken`: the edits other than the
    /// resource, which `plain_token_edits` writes in.
    rewrite: Option<Rewrite>,
}

/// Where the token string is read: `<call>.AccessToken` (replaced by the new token), or
/// `$auth = <call>` with every later read `$auth.AccessToken` (the call replaced, the
/// reads shortened to `$auth`).
struct Rewrite {
    token: Range<usize>,
    shortened: Shortened,
    /// Statements that only fed the call (the factory, the context, the tenant).
    feeding: Vec<Range<usize>>,
}

/// Reads of `$auth.AccessToken` (the whole member access) and the `$auth` they become.
type Shortened = Vec<(Range<usize>, String)>;

pub fn session_tokens(script: &Script) -> Vec<SessionToken> {
    let mut tokens: Vec<SessionToken> = script
        .method_calls
        .iter()
        .filter(|call| call.method.eq_ignore_ascii_case("Authenticate") && is_session(script, &call.target))
        .map(|call| authenticate(script, call))
        .collect();
    for member in script
        .members
        .iter()
        .filter(|m| m.member.eq_ignore_ascii_case("TokenCache"))
    {
        if !is_context(script, &member.target) || tokens.iter().any(|t| t.statement == member.place.statement) {
            continue;
        }
        tokens.push(SessionToken {
            source: Source::TokenCache,
            statement: member.place.statement.clone(),
            resource: None,
            graph_logins: Vec::new(),
            azuread_logins: Vec::new(),
            plumbing: None,
            rewrite: None,
        });
    }
    tokens.sort_by_key(|t| t.statement.start);
    tokens
}

/// `[Microsoft.Azure.Commands.Common.Authentication.AzureSession]` (or `[AzureSession]`
/// under `using namespace`) is what the expression is made from.
fn is_session(script: &Script, expression: &Range<usize>) -> bool {
    from_type(script, expression, &["AzureSession"])
}

/// An Az context: `Get-AzContext`'s (`Get-AzureRmContext`'s) result, the session, or the
/// profile provider's default context.
fn is_context(script: &Script, expression: &Range<usize>) -> bool {
    from_type(script, expression, &["AzureSession", "AzureRmProfileProvider"])
        || value_sources(script, expression.clone(), 3).iter().any(|source| {
            script
                .commands_in(source)
                .iter()
                .any(|c| c.is("Get-AzContext") || c.is("Get-AzureRmContext"))
        })
}

fn from_type(script: &Script, expression: &Range<usize>, types: &[&str]) -> bool {
    value_sources(script, expression.clone(), 3).iter().any(|source| {
        script.types_in(source).iter().any(|ty| {
            let last = ty.name.rsplit('.').next().unwrap_or(&ty.name);
            types.iter().any(|t| last.eq_ignore_ascii_case(t))
        })
    })
}

fn authenticate(script: &Script, call: &MethodCall) -> SessionToken {
    let statement = call.place.statement.clone();
    let access = script
        .members
        .iter()
        .find(|m| m.target == call.range && m.member.eq_ignore_ascii_case("AccessToken"));
    // The token given straight to a sign-in, or assigned and passed on.
    let inline = token_arguments(script, SIGN_INS)
        .find(|(_, value)| value.start <= call.range.start && call.range.end <= value.end);
    let (logins, chain, doomed) = match inline {
        Some((login, value)) => (vec![login], Some(Vec::new()), vec![value]),
        None => {
            let (logins, chain) = follow_token(script, &statement, SIGN_INS);
            let doomed = chain.clone().unwrap_or_default();
            (logins, chain, doomed)
        }
    };
    let (graph_logins, azuread_logins): (Vec<usize>, Vec<usize>) = logins
        .into_iter()
        .partition(|&i| script.commands[i].is(CONNECT_MG_GRAPH));
    let plumbing = chain.map(|mut statements| {
        statements.extend(feeding_statements(script, &doomed, &[]));
        statements.sort_by_key(|s| s.start);
        statements.dedup();
        statements
    });
    let resource = resource(script, call);
    let kept: Vec<&str> = resource
        .iter()
        .flat_map(|(range, _)| script.variables_in(range))
        .map(|v| v.name.as_str())
        .collect();
    let rewrite = token_reads(script, call, access.map(|a| a.range.clone())).map(|(token, shortened)| Rewrite {
        feeding: feeding_statements(script, std::slice::from_ref(&call.range), &kept),
        token,
        shortened,
    });
    SessionToken {
        source: Source::Authenticate,
        statement,
        resource,
        graph_logins,
        azuread_logins,
        plumbing,
        rewrite,
    }
}

/// The call's resource argument, when it evaluates to an address: in the call itself, or
/// at every call of the script's own function it sits in (the same one at each).
fn resource(script: &Script, call: &MethodCall) -> Option<(Range<usize>, String)> {
    if call.arguments.len() < AUTHENTICATE_WITH_RESOURCE {
        return None;
    }
    let argument = call.arguments.last()?;
    let address = |value: Option<String>| value.filter(|v| v.trim().to_lowercase().starts_with("https://"));
    if let Some(value) = address(script.evaluate_range(argument, None).literal()) {
        return Some((argument.clone(), value));
    }
    let function = script.function_at(call.range.start)?;
    let values: Vec<Option<String>> = script
        .calls_of(function)
        .iter()
        .map(|(_, bound)| address(script.evaluate_range(argument, Some(bound)).literal()))
        .collect();
    match values.as_slice() {
        [Some(first), rest @ ..] if rest.iter().all(|v| v.as_ref() == Some(first)) => {
            Some((argument.clone(), first.clone()))
        }
        _ => None,
    }
}

/// Where the token string is: `access` (`<call>.AccessToken`), or the call assigned to a
/// variable whose every read is `.AccessToken`: the range the new token replaces and the
/// reads shortened to the variable.
fn token_reads(script: &Script, call: &MethodCall, access: Option<Range<usize>>) -> Option<(Range<usize>, Shortened)> {
    if let Some(access) = access {
        return Some((access, Vec::new()));
    }
    let assignment = script.whole_assignment(&call.place.statement)?;
    if assignment.value.range != call.range {
        return None;
    }
    let reads = script.uses_reached_by(assignment);
    let shortened: Option<Shortened> = reads
        .iter()
        .map(|read| {
            let (member, range) = read.member.as_ref()?;
            member
                .eq_ignore_ascii_case("AccessToken")
                .then(|| (range.clone(), script.slice(&read.range).to_owned()))
        })
        .collect();
    let shortened = shortened?;
    let every_read = script.reads_of(&assignment.variable).count() == shortened.len();
    (every_read && !shortened.is_empty()).then(|| (call.range.clone(), shortened))
}

/// The rewrite MI304 offers too when the token only signs in to Graph: the token code
/// goes, the sign-in becomes `Connect-MgGraph -Identity`.
pub fn graph_fix(checker: &Checker, token: &SessionToken) -> Option<Fix> {
    let plumbing = token.plumbing.as_deref()?;
    if token.graph_logins.is_empty() || !token.azuread_logins.is_empty() {
        return None;
    }
    let edits = graph_identity_edits(checker, &token.graph_logins, Some(plumbing), checker.target);
    Some(Fix::new(
        Applicability::Unsafe,
        "Delete the `AzureSession` token code and sign in with `Connect-MgGraph -Identity` (the identity needs the Graph permissions the token had)",
        edits,
    ))
}

/// The token from `Get-AzAccessToken -ResourceUrl <resource> -AsSecureString`, read back
/// as the same plain string the old code produced.
fn plain_token_fix(checker: &Checker, token: &SessionToken) -> Option<Fix> {
    let script = checker.script;
    let rewrite = token.rewrite.as_ref()?;
    let (resource, _) = token.resource.as_ref()?;
    let mut edits = vec![Edit::replace(
        rewrite.token.clone(),
        graph_login::plain_token_expression(script.slice(resource)),
    )];
    edits.extend(
        rewrite
            .shortened
            .iter()
            .map(|(range, variable)| Edit::replace(range.clone(), variable.clone())),
    );
    edits.extend(delete_statements(script.text, rewrite.feeding.iter().cloned()));
    Some(Fix::new(
        Applicability::Unsafe,
        "Take the token from `Get-AzAccessToken -AsSecureString` (needs an Az.Accounts with `-AsSecureString`)",
        edits,
    ))
}

pub fn check(checker: &mut Checker) {
    for token in &checker.facts.session_tokens {
        let resource = token
            .resource
            .as_ref()
            .map_or_else(|| "<resource>".to_owned(), |(_, value)| format!("'{value}'"));
        let replacement = format!("`Get-AzAccessToken -ResourceUrl {resource} -AsSecureString`");
        let (message, fix) = match token.source {
            Source::TokenCache => (
                format!("Token read from the Az context's `TokenCache`, an internal of Az.Accounts that newer versions no longer fill; take it from {replacement}"),
                None,
            ),
            Source::Authenticate if !token.azuread_logins.is_empty() && token.plumbing.is_some() => (
                "Token from Az.Accounts' internal `AzureSession` authentication factory for `Connect-AzureAD`: internal, unsupported and broken by newer Az.Accounts; AzureAD is retired too: sign in with `Connect-MgGraph -Identity` or `Connect-Entra -Identity` instead".to_owned(),
                Some(Fix::new(
                    Applicability::DisplayOnly,
                    "Delete the token code, and sign in with `Connect-MgGraph -Identity` (Graph cmdlets) or `Connect-Entra -Identity` (with `Enable-EntraAzureADAlias` for the AzureAD cmdlet names) instead of `Connect-AzureAD`",
                    Vec::new(),
                )),
            ),
            Source::Authenticate => match graph_fix(checker, token) {
                Some(fix) => (
                    "Token from Az.Accounts' internal `AzureSession` authentication factory, only to sign in to Graph: internal, unsupported and broken by newer Az.Accounts; sign in with `Connect-MgGraph -Identity`".to_owned(),
                    Some(fix),
                ),
                None => (
                    format!("Token from Az.Accounts' internal `AzureSession` authentication factory: internal, unsupported and broken by newer Az.Accounts; take it from {replacement}"),
                    plain_token_fix(checker, token),
                ),
            },
        };
        checker
            .diagnostics
            .push(AZURE_SESSION_TOKEN.diagnostic(token.statement.clone(), message, fix));
    }
}

#[cfg(test)]
mod tests {
    use crate::diagnostic::{Applicability, Diagnostic};
    use crate::lint::{lint_script, LintOptions};
    use crate::source::LineIndex;
    use crate::syntax::model::Script;

    const SESSION: &str = "[Microsoft.Azure.Commands.Common.Authentication.AzureSession]";
    const ARGS: &str = "$ctx.Account, $ctx.Environment, $ctx.Tenant.Id, $null, 'Never', $null";

    fn lint(text: &str) -> Vec<Diagnostic> {
        let script = Script::parse(text);
        assert!(script.errors.is_empty(), "{text}: {:?}", script.errors);
        lint_script(&script, &LineIndex::new(text), &LintOptions::default())
    }

    /// The lines of the MI205 findings of `text`.
    fn lines(text: &str) -> Vec<usize> {
        let script = Script::parse(text);
        lint(text)
            .iter()
            .filter(|d| d.code == "MI205")
            .map(|d| script.line_of(d.range.start))
            .collect()
    }

    fn apply(text: &str, diagnostic: &Diagnostic) -> String {
        let mut out = text.to_owned();
        let fix = diagnostic.fix.as_ref().expect("a fix");
        for edit in fix.edits.iter().rev() {
            out.replace_range(edit.range.clone(), &edit.content);
        }
        out
    }

    fn only_mi205(text: &str) -> Diagnostic {
        let mut found: Vec<Diagnostic> = lint(text).into_iter().filter(|d| d.code == "MI205").collect();
        assert_eq!(found.len(), 1, "{text}");
        found.remove(0)
    }

    #[test]
    fn the_factory_and_the_cache_in_every_spelling() {
        let shapes = [
            format!("$t = {SESSION}::Instance.AuthenticationFactory.Authenticate({ARGS}, 'https://vault.azure.net').AccessToken\n"),
            format!("$f = {SESSION}::Instance.AuthenticationFactory\n$t = $f.Authenticate({ARGS}, $r)\n"),
            format!("$s = {SESSION}::Instance\n$a = $s.AuthenticationFactory.authenticate({ARGS}, $r)\n"),
            format!("using namespace Microsoft.Azure.Commands.Common.Authentication\n$a = [AzureSession]::Instance.AuthenticationFactory.Authenticate({ARGS}, $r)\n"),
            "$items = (Get-AzContext).TokenCache.ReadItems() | Where-Object { $_.Resource -eq $r }\n".to_owned(),
            "$c = Get-AzureRmContext\n$token = ($c.TokenCache.ReadItems() | Select-Object -First 1).AccessToken\n".to_owned(),
        ];
        for shape in &shapes {
            let text = format!("Connect-AzAccount -Identity\n$ctx = Get-AzContext\n{shape}");
            assert_eq!(lines(&text).len(), 1, "{text}");
        }
        // ADAL's cache, a method of another name, and mentions that are not code.
        let others = format!(
            "$auth = New-Object Microsoft.IdentityModel.Clients.ActiveDirectory.AuthenticationContext $authority\n$auth.TokenCache.Clear()\n\
             $x.Authenticate('user')\n# {SESSION}::Instance.AuthenticationFactory.Authenticate()\nWrite-Output '(Get-AzContext).TokenCache'\n"
        );
        assert!(lines(&others).is_empty());
    }

    #[test]
    fn other_uses_take_the_token_from_get_azaccesstoken() {
        let text = format!(
            "$ctx = Get-AzContext\n$f = {SESSION}::Instance.AuthenticationFactory\n$tenant = $ctx.Tenant.Id\n\
             $auth = $f.Authenticate($ctx.Account, $ctx.Environment, $tenant, $null, 'Never', $null, 'https://management.azure.com/')\n\
             Invoke-RestMethod -Uri $u -Headers @{{ Authorization = \"Bearer $($auth.AccessToken)\" }}\nWrite-Output $auth.AccessToken.Length\n"
        );
        let finding = only_mi205(&text);
        assert!(finding
            .message
            .contains("`Get-AzAccessToken -ResourceUrl 'https://management.azure.com/' -AsSecureString`"));
        assert_eq!(finding.fix.as_ref().unwrap().applicability, Applicability::Unsafe);
        assert_eq!(
            apply(&text, &finding),
            "$auth = [System.Net.NetworkCredential]::new('', (Get-AzAccessToken -ResourceUrl 'https://management.azure.com/' -AsSecureString).Token).Password\n\
             Invoke-RestMethod -Uri $u -Headers @{ Authorization = \"Bearer $($auth)\" }\nWrite-Output $auth.Length\n"
        );
        // The result read for something else than its token: no rewrite.
        let expires = format!("{text}Write-Output $auth.ExpiresOn\n");
        assert!(only_mi205(&expires).fix.is_none());
        // No resource, or one only known when the job runs: no rewrite either.
        for resource in [
            "$null, $null, $null, $null, $null",
            "$null, $null, $null, $null, $null, $null, (Get-AutomationVariable -Name R)",
        ] {
            let text = format!("$a = {SESSION}::Instance.AuthenticationFactory.Authenticate({resource}).AccessToken\n");
            let finding = only_mi205(&text);
            assert!(finding.fix.is_none(), "{text}");
            assert!(finding
                .message
                .contains("`Get-AzAccessToken -ResourceUrl <resource> -AsSecureString`"));
        }
    }

    #[test]
    fn a_helper_function_s_resource_comes_from_its_calls() {
        let text = format!(
            "function Get-Token ([string] $Resource) {{\n    $ctx = Get-AzContext\n    return {SESSION}::Instance.AuthenticationFactory.Authenticate({ARGS}, $Resource).AccessToken\n}}\n\
             $arm = Get-Token 'https://management.azure.com/'\n$again = Get-Token -Resource 'https://management.azure.com/'\n"
        );
        let finding = only_mi205(&text);
        let fixed = apply(&text, &finding);
        assert!(fixed.contains("    return [System.Net.NetworkCredential]::new('', (Get-AzAccessToken -ResourceUrl $Resource -AsSecureString).Token).Password\n"), "{fixed}");
        assert!(!fixed.contains("$ctx = Get-AzContext"), "{fixed}");
        // Calls that ask for different resources: each still works with the kept
        // parameter, but the message cannot name one, so there is no rewrite.
        let two = text.replace(
            "$again = Get-Token -Resource 'https://management.azure.com/'",
            "$vault = Get-Token 'https://vault.azure.net'",
        );
        assert!(only_mi205(&two).fix.is_none());
    }

    #[test]
    fn a_graph_sign_in_gets_one_rewrite_from_mi205_and_mi304() {
        let text = format!(
            "Connect-AzAccount -Identity | Out-Null\n$ctx = Get-AzContext\n\
             $t = {SESSION}::Instance.AuthenticationFactory.Authenticate({ARGS}, 'https://graph.microsoft.com').AccessToken\n\
             Connect-MgGraph -AccessToken ($t | ConvertTo-SecureString -AsPlainText -Force) -NoWelcome\n"
        );
        let found = lint(&text);
        let codes: Vec<&str> = found.iter().map(|d| d.code).collect();
        assert_eq!(codes, ["MI401", "MI205", "MI304"]);
        assert_eq!(found[1].fix, found[2].fix);
        assert_eq!(
            apply(&text, &found[1]),
            "Connect-AzAccount -Identity | Out-Null\nConnect-MgGraph -Identity -NoWelcome\n"
        );
        // Inline in the sign-in: the sign-in is rewritten, the factory's feeder goes.
        let inline = format!(
            "$ctx = Get-AzContext\nConnect-MgGraph -AccessToken (ConvertTo-SecureString ({SESSION}::Instance.AuthenticationFactory.Authenticate({ARGS}, $r).AccessToken) -AsPlainText -Force)\n"
        );
        assert_eq!(apply(&inline, &only_mi205(&inline)), "Connect-MgGraph -Identity\n");
    }

    #[test]
    fn an_azuread_sign_in_gets_guidance_only() {
        let text = format!(
            "$ctx = Get-AzContext\n$aad = {SESSION}::Instance.AuthenticationFactory.Authenticate({ARGS}, 'https://graph.windows.net')\n\
             Connect-AzureAD -AadAccessToken $aad.AccessToken -AccountId $ctx.Account.Id -TenantId $ctx.Tenant.Id\n"
        );
        let finding = only_mi205(&text);
        let fix = finding.fix.as_ref().unwrap();
        assert_eq!(fix.applicability, Applicability::DisplayOnly);
        assert!(fix.edits.is_empty());
        assert!(
            fix.message.contains("`Connect-Entra -Identity`") && fix.message.contains("`Connect-MgGraph -Identity`")
        );
    }
}
