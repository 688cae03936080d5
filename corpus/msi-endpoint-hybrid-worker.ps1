# expect: MI202 MI304
# why: Older hybrid-worker form: token from $env:MSI_ENDPOINT with the Secret header from $env:MSI_SECRET, used for Connect-MgGraph -AccessToken.
$ErrorActionPreference = 'Stop'

$graphUrl = 'https://graph.microsoft.com/'
$msiReply = Invoke-RestMethod -Uri "$($env:MSI_ENDPOINT)?resource=$graphUrl&api-version=2017-09-01" -Headers @{ Secret = $env:MSI_SECRET }
$graphAccessToken = $msiReply.access_token

Connect-MgGraph -AccessToken $graphAccessToken

$domains = Get-MgDomain
foreach ($domain in $domains) {
    $state = if ($domain.IsVerified) { 'verified' } else { 'UNVERIFIED' }
    Write-Output ("{0,-40} {1}" -f $domain.Id, $state)
}

$unverified = @($domains | Where-Object { -not $_.IsVerified })
if ($unverified.Count -gt 0) {
    Write-Warning "$($unverified.Count) domain(s) still need DNS verification"
}
