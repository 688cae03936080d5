# expect: MI201
# why: ARM token from $env:IDENTITY_ENDPOINT with Dictionary[[String],[String]] headers filled by .Add and a client_id (user-assigned identity) in the query.
$uamiClientId = Get-AutomationVariable -Name 'UAMI_ClientId'
$subscriptionId = Get-AutomationVariable -Name 'SubscriptionId'
$armResource = 'https://management.azure.com/'

$headers = New-Object 'System.Collections.Generic.Dictionary[[String],[String]]'
$headers.Add('X-IDENTITY-HEADER', $env:IDENTITY_HEADER)
$headers.Add('Metadata', 'True')

$token = Invoke-RestMethod -Uri "$($env:IDENTITY_ENDPOINT)?resource=$armResource&client_id=$uamiClientId&api-version=2019-08-01" -Method 'GET' -Headers $headers

$armHeaders = @{ Authorization = "Bearer $($token.access_token)" }
$uri = "https://management.azure.com/subscriptions/$subscriptionId/providers/Microsoft.Advisor/recommendations?api-version=2023-01-01"
$recommendations = (Invoke-RestMethod -Uri $uri -Headers $armHeaders -Method Get).value

$recommendations |
    Where-Object { $_.properties.category -eq 'Cost' } |
    ForEach-Object { Write-Output ("{0}: {1}" -f $_.properties.impactedValue, $_.properties.shortDescription.problem) }
