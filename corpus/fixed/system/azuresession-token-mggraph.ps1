# expect: MI205 MI304
# why: A Graph token from [AzureSession]::Instance.AuthenticationFactory.Authenticate(...).AccessToken (with a using namespace) passed to Connect-MgGraph -AccessToken: MI205 at the token, MI304 at the sign-in, both offering the one rewrite to Connect-MgGraph -Identity.
using namespace Microsoft.Azure.Commands.Common.Authentication

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$azContext = Get-AzContext
$graphToken = [AzureSession]::Instance.AuthenticationFactory.Authenticate(
    $azContext.Account, $azContext.Environment, $azContext.Tenant.Id, $null, 'Never', $null, 'https://graph.microsoft.com').AccessToken
$secureToken = ConvertTo-SecureString -String $graphToken -AsPlainText -Force
Connect-MgGraph -AccessToken $secureToken -NoWelcome

$stale = Get-MgUser -All -Property DisplayName, SignInActivity |
    Where-Object { $_.SignInActivity.LastSignInDateTime -lt (Get-Date).AddDays(-90) }
Write-Output "$($stale.Count) accounts without a sign-in for 90 days"
