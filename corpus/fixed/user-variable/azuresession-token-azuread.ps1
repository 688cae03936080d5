# expect: MI205 MI504
# why: An AzureAD Graph token from the AzureSession factory (the result kept, .AccessToken read at the sign-in) for Connect-AzureAD -AadAccessToken: MI205 gives guidance only; MI504's unsafe fix moves the sign-in to Connect-Entra -Identity, which needs no token.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity | Out-Null

$ctx = Get-AzContext
$session = [Microsoft.Azure.Commands.Common.Authentication.AzureSession]::Instance
$aadAuth = $session.AuthenticationFactory.Authenticate($ctx.Account, $ctx.Environment, $ctx.Tenant.Id, $null, "Never", $null, "https://graph.windows.net")
Connect-Entra -Identity -ClientId $IdentityClientId | Out-Null
Enable-EntraAzureADAlias

Get-AzureADGroup -SearchString 'sg-finance' | ForEach-Object {
    Write-Output "$($_.DisplayName): $((Get-AzureADGroupMember -ObjectId $_.ObjectId -All $true).Count) members"
}
