# expect: MI205 MI304
# why: A Graph token from [AzureSession]::Instance.AuthenticationFactory.Authenticate(...).AccessToken (with a using namespace) passed to Connect-MgGraph -AccessToken: MI205 at the token, MI304 at the sign-in, both offering the one rewrite to Connect-MgGraph -Identity.
using namespace Microsoft.Azure.Commands.Common.Authentication

$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

Connect-MgGraph -Identity -ClientId $IdentityClientId -NoWelcome

$stale = Get-MgUser -All -Property DisplayName, SignInActivity |
    Where-Object { $_.SignInActivity.LastSignInDateTime -lt (Get-Date).AddDays(-90) }
Write-Output "$($stale.Count) accounts without a sign-in for 90 days"
