# expect: none
# why: Graph-only runbook on Connect-MgGraph -Identity needs no Disable-AzContextAutosave and uses no profile switching.
Import-Module Microsoft.Graph.Authentication
Import-Module Microsoft.Graph.Users

Connect-MgGraph -Identity -NoWelcome

$inactiveSince = (Get-Date).AddDays(-90).ToUniversalTime().ToString('yyyy-MM-ddTHH:mm:ssZ')
$users = Get-MgUser -All -Filter "accountEnabled eq true" -Property Id, UserPrincipalName, SignInActivity

$stale = foreach ($user in $users) {
    $last = $user.SignInActivity.LastSignInDateTime
    if (-not $last -or $last -lt $inactiveSince) {
        $user.UserPrincipalName
    }
}
Write-Output "$(@($stale).Count) enabled account(s) without a sign-in in 90 days"
$stale | Sort-Object | Write-Output

Disconnect-MgGraph | Out-Null
