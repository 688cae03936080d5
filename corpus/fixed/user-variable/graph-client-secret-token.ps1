# expect: MI304
# why: Connect-MgGraph -AccessToken with a token from a client-credentials request (not Get-AzAccessToken, not a managed-identity endpoint).
$IdentityClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$tenantId = Get-AutomationVariable -Name 'TenantId'
$app = Get-AutomationPSCredential -Name 'GraphLicensingApp'

$tokenBody = @{
    client_id     = $app.UserName
    client_secret = $app.GetNetworkCredential().Password
    scope         = 'https://graph.microsoft.com/.default'
    grant_type    = 'client_credentials'
}
$tokenResponse = Invoke-RestMethod -Method Post -Uri "https://login.microsoftonline.com/$tenantId/oauth2/v2.0/token" -Body $tokenBody
$graphToken = $tokenResponse.access_token

Connect-MgGraph -Identity -ClientId $IdentityClientId

$skus = Get-MgSubscribedSku
foreach ($sku in $skus) {
    $free = $sku.PrepaidUnits.Enabled - $sku.ConsumedUnits
    Write-Output ("{0,-40} {1,5} free of {2}" -f $sku.SkuPartNumber, $free, $sku.PrepaidUnits.Enabled)
}
