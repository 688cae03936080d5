# expect: MI101 MI102 MI401 MI204
# why: Run As login followed by a Graph token taken from Get-AzAccessToken into a variable and passed to Connect-MgGraph -AccessToken later.
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$connectionName = 'AzureRunAsConnection'

"Connecting to Azure with $connectionName"
Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId $IdentityClientId | Out-Null

$graphToken = (Get-AzAccessToken -ResourceUrl 'https://graph.microsoft.com').Token

$appRegistrations = Get-AzADApplication -First 1000
Write-Output "Applications visible through Az: $(@($appRegistrations).Count)"

Connect-MgGraph -Identity -ClientId $IdentityClientId
$consents = Get-MgOauth2PermissionGrant -All | Where-Object ConsentType -eq 'AllPrincipals'
foreach ($grant in $consents) {
    $client = Get-MgServicePrincipal -ServicePrincipalId $grant.ClientId
    Write-Output ("Tenant-wide consent: {0} -> {1}" -f $client.DisplayName, $grant.Scope)
}
