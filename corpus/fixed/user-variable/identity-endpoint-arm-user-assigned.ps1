# expect: MI201
# why: ARM token fetched by hand for a user-assigned identity (client_id in the query), then used as a Bearer header for a REST call.
param(
    [Parameter(Mandatory = $true)]
    [string] $SubscriptionId
)

Disable-AzContextAutosave -Scope Process | Out-Null
Connect-AzAccount -Identity -AccountId '0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b' | Out-Null
$armToken = [System.Net.NetworkCredential]::new('', (Get-AzAccessToken -ResourceUrl 'https://management.azure.com/' -AsSecureString).Token).Password

$uri = "https://management.azure.com/subscriptions/$SubscriptionId/resourcegroups?api-version=2021-04-01"
$groups = Invoke-RestMethod -Method Get -Uri $uri -Headers @{ Authorization = "Bearer $armToken" }
foreach ($group in $groups.value) {
    Write-Output ("{0} ({1})" -f $group.name, $group.location)
}
