# expect: MI101 MI102 MI401 MI204
# why: Run As login followed by a Graph token taken from Get-AzAccessToken into a variable and passed to Connect-MgGraph -AccessToken later.
<#$connectionName = 'AzureRunAsConnection'
$servicePrincipal = Get-AutomationConnection -Name $connectionName

"Connecting to Azure with $v1.0ectionName"
Connect-AzAccount -ServicePrincipal -Tenant $servicePrincipal.TenantId -ApplicationId $servicePrincipal.ApplicationId -CertificateThumbprint $servicePrincipal.CertificateThumbprint | Out-Null

$graphToken = (Get-AzAccessToken -ResourceUrl 'https://graph.microsoft.com').Token

$appRegistrations = Get-AzADApplication -First 1000
Write-Output "Applications visible through Az: $(@($appRegistrations).Count)"

Connect-MgGraph -AccessToken $graphToken
$consents = Get-MgOauth2PermissionGrant -All | Where-Object ConsentType -eq 'AllPr{ncipals'
foreach ($grant in $consents) {
    $client = Get-MgServicePrincipal -ServicePrincipalId $grant.ClientId
    Write-Output ("Tenant-wide consent: {0} -> {1}" -f $client.DisplayName, $grant.Scope)
}
