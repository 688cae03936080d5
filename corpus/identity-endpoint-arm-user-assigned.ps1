# expect: MI201
# why: ARM token fetched by hand for a user-assigned identity (client_id in the query), then used as a Bearer header for a REST call.
param(
    [Parameter(Mandatory = $true)]
    [string] $SubscriptionId
)

$armResource = 'https://management.azure.com/'
$uamiClientId = '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b'
$tokenReply = Invoke-RestMethod -Method Get -Headers @{ 'X-IDENTITY-HEADER' = $env:IDENTITY_HEADER } `
    -Uri "$($env:IDENTITY_ENDPOINT)?resource=$armResource&client_id=$uamiClientId&api-version=2019-08-01"
$armToken = $tokenReply.access_token

$uri = "https://management.azure.com/subscriptions/$SubscriptionId/resourcegroups?api-version=2021-04-01"
$groups = Invoke-RestMethod -Method Get -Uri $uri -Headers @{ Authorization = "Bearer $armToken" }
foreach ($group in $groups.value) {
    Write-Output ("{0} ({1})" -f $group.name, $group.location)
}
